// explainStep against independent references: the PyTorch float64 fixtures
// (scripts/make-fixtures.py), central differences, and autograd itself run
// without an observer, which the trace must match to the last bit.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  ARTICLE, ARTICLE_PRINTED, Dense, SGD, Sequential, articleNetwork, backward, getLoss, mlp, tensor,
  type LossName,
} from '../src/index.js';
import { DETAIL_LIMITS, explainStep, messagesFor, namesFor, noteText, type Explanation, type DerivationStep } from '../src/explain/index.js';
import { lossOf, mlpCases, modelOf } from './helpers/fixture-mlp.js';

const article = JSON.parse(readFileSync(new URL('./fixtures/article.json', import.meta.url), 'utf8'));

/** |a − b| within 1e-12 of |b| (or of 1e-12 absolute for values near zero). */
function expectClose(actual: number, expected: number, what: string): void {
  expect(Math.abs(actual - expected), `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(1e-12 * Math.max(Math.abs(expected), 1));
}

/**
 * Σ over terms of the product of their factors, each evaluated left to
 * right, as autograd's kernels do: gradients of weights, biases and hidden
 * OUTs are accumulated into a zeroed array (so a −0 product of a relu's
 * zero derivative becomes +0), while ∂E/∂NET is one elementwise product.
 */
function sumOfProducts(step: DerivationStep): number {
  const products = step.terms!.map((factors) => factors.slice(1).reduce((p, f) => p * f.value, factors[0]!.value));
  if (step.id.startsWith('dE_dnet.')) return products[0]!;
  let total = 0;
  for (const product of products) total += product;
  return total;
}

function explainArticle(): { model: Sequential; expl: Explanation } {
  const model = articleNetwork();
  return { model, expl: explainStep(model, [ARTICLE.inputs], [ARTICLE.targets], { lr: ARTICLE.learningRate }) };
}

/** The gradients and updated weights of one plain SGD step, with no observer installed. */
function plainStep(model: Sequential, x: number[][], t: number[][], loss: LossName, lr: number): { grads: number[][]; after: number[][] } {
  const optimizer = new SGD(model.parameters(), lr);
  const e = getLoss(loss)(model.forward(tensor(x, { dtype: 'float64' })), tensor(t, { dtype: 'float64' }));
  optimizer.zeroGrad();
  backward(e);
  const grads = model.parameters().map((p) => Array.from(p.grad!.data));
  optimizer.step();
  return { grads, after: model.parameters().map((p) => Array.from(p.data)) };
}

describe("explainStep on the article's network", () => {
  const { model, expl } = explainArticle();

  it('records every NET, OUT, error, chain-rule factor, gradient and update as the oracle computes them', () => {
    for (const unit of ['h1', 'h2', 'o1', 'o2']) {
      expectClose(expl.tables.neurons[unit]!.net as number, article.neurons[unit].net, `NET(${unit})`);
      expectClose(expl.tables.neurons[unit]!.out as number, article.neurons[unit].out, `OUT(${unit})`);
      expectClose(expl.tables.dE_dout[unit] as number, article.dE_dout[unit], `dE/dOUT(${unit})`);
      expectClose(expl.tables.dout_dnet[unit] as number, article.dout_dnet[unit], `dOUT/dNET(${unit})`);
      expectClose(expl.tables.dE_dnet[unit] as number, article.dE_dnet[unit], `dE/dNET(${unit})`);
    }
    for (const e of ['o1', 'o2', 'total']) expectClose(expl.tables.errors[e] as number, article.errors[e], `E(${e})`);
    for (let k = 1; k <= 8; k++) {
      expectClose(expl.tables.gradients[`w${k}`]!, article.gradients[`w${k}`], `dE/dw${k}`);
      expectClose(expl.tables.updated[`w${k}`]!, article.updated[`w${k}`], `new w${k}`);
    }
    expect(Object.keys(expl.tables.gradients)).toEqual(['w1', 'w2', 'w3', 'w4', 'w5', 'w6', 'w7', 'w8']);
    expect(expl.tables.parameters).toMatchObject({ b1: 0.4, b2: 0.7 });
  });

  it('performs one real training step: the model holds the updated weights', () => {
    const weights = model.layers.flatMap((layer) => Array.from((layer as Dense).weight.data));
    weights.forEach((w, i) => expect(w).toBe(expl.tables.updated[`w${i + 1}`]));
  });

  it('shows gradients that equal autograd\'s to the last bit, and products of factors that equal them too', () => {
    const plain = plainStep(articleNetwork(), [[...ARTICLE.inputs]], [[...ARTICLE.targets]], 'squaredError', ARTICLE.learningRate);
    const grads = plain.grads.flat();
    for (let k = 1; k <= 8; k++) {
      const step = expl.steps.find((s) => s.id === `gradients.w${k}`)!;
      expect(Object.is(step.value, grads[k - 1]), `w${k}`).toBe(true);
      expect(Object.is(sumOfProducts(step), step.value), `product for w${k}`).toBe(true);
      expect(step.terms![0]!.map((f) => f.value)).toHaveLength(3);
    }
    plain.after.flat().forEach((w, i) => expect(Object.is(expl.tables.updated[`w${i + 1}`], w)).toBe(true));
  });

  it("writes w6 as the article does: ∂E/∂OUT(o1) · ∂OUT(o1)/∂NET(o1) · ∂NET(o1)/∂w6 with ∂NET(o1)/∂w6 = OUT(h2)", () => {
    const step = expl.steps.find((s) => s.id === 'gradients.w6')!;
    const [dEdOut, dOutdNet, dNetdw] = step.terms![0]!;
    expect(dEdOut!.value).toBe(expl.tables.dE_dout.o1);
    expect(dOutdNet!.value).toBe(expl.tables.dout_dnet.o1);
    expect(dNetdw!.value).toBe(expl.tables.neurons.h2!.out);
    expect(dNetdw!.equals).toEqual({ kind: 'sym', sym: { kind: 'out', unit: 'h2', sample: null } });
  });

  it("sums a hidden unit's ∂E/∂OUT over the outputs it feeds, from recorded ∂E/∂NET and weights", () => {
    const step = expl.steps.find((s) => s.id === 'dE_dout.h1')!;
    // ∂E/∂OUT(h1) = ∂E/∂NET(o1)·w5 + ∂E/∂NET(o2)·w7
    expect(step.terms!.map((t) => t.map((f) => f.value))).toEqual([
      [expl.tables.dE_dnet.o1, ARTICLE.outputWeights[0][0]], [expl.tables.dE_dnet.o2, ARTICLE.outputWeights[1][0]],
    ]);
    expect(Object.is(sumOfProducts(step), step.value)).toBe(true);
    expectClose(step.value, article.dE_dout.h1, 'dE/dOUT(h1)');
  });

  it('flags exactly the printed article values that disagree at the printed precision, with the recorded reasons', () => {
    const computed = (path: string): number => expl.steps.find((s) => s.id === path)!.value;
    const expected = ARTICLE_PRINTED.filter((p) => computed(p.path).toFixed(p.printed.split('.')[1]!.length) !== p.printed);
    const flagged = expl.steps.filter((s) => s.article !== undefined && !s.article.agrees);
    expect(flagged.map((s) => s.id)).toEqual(expected.map((p) => p.path));
    expect(flagged.length).toBeGreaterThan(0);
    for (const p of expected) {
      const step = flagged.find((s) => s.id === p.path)!;
      expect(expl.notes[step.article!.note!]).toEqual(expect.objectContaining({ kind: 'articleDiffers', slip: p.slip, printed: p.printed, computed: step.value }));
    }
    expect(expl.steps.filter((s) => s.article?.agrees === true)).toHaveLength(ARTICLE_PRINTED.length - expected.length);
  });

  it('notes the fixed biases', () => {
    expect(expl.notes).toContainEqual({ kind: 'fixedBias', names: ['b1'] });
    expect(expl.notes).toContainEqual({ kind: 'fixedBias', names: ['b2'] });
    expect(noteText(messagesFor('en'), { kind: 'fixedBias', names: ['b1'] })).toBe('b1 is fixed (not trainable): no gradient, no update.');
  });

  it('compares with the article only for the article\'s own step', () => {
    const again = explainStep(model, [ARTICLE.inputs], [ARTICLE.targets], { lr: 0.1, iteration: 2 });
    expect(again.steps.some((s) => s.article !== undefined)).toBe(false);
    expectClose(again.tables.errors.total as number, article.after_step.errors.total, 'E_total after one step');
  });
});

describe('explainStep on other networks (PyTorch fixtures, every activation and loss)', () => {
  it.each(mlpCases.map((c) => [c.name, c] as const))('%s: gradients match the oracle and autograd bit for bit', (_, c) => {
    const model = modelOf(c);
    const loss = lossOf(c);
    const expl = explainStep(model, c.x, c.t, { loss, lr: 0.05 });
    const names = expl.names;
    expectClose(expl.tables.errors.total as number, c.loss_value, 'loss');
    const plain = plainStep(modelOf(c), c.x, c.t, loss, 0.05).grads;
    let p = 0;
    c.grad_weights.forEach((layer, k) => {
      const weightGrads = plain[p++]!;
      layer.forEach((row, j) => row.forEach((g, i) => {
        const name = names.weights[k]![j]![i]!;
        expectClose(expl.tables.gradients[name]!, g, name);
        expect(Object.is(expl.tables.gradients[name], weightGrads[j * row.length + i]), name).toBe(true);
      }));
      const biasGrads = plain[p++]!;
      c.grad_biases[k]!.forEach((g, j) => {
        const name = names.biases[k]![j]!;
        expectClose(expl.tables.gradients[name]!, g, name);
        expect(Object.is(expl.tables.gradients[name], biasGrads[j]), name).toBe(true);
      });
    });
    // Every chain-rule step: the factors shown, multiplied and summed in autograd's order, give the recorded value exactly.
    const chainSteps = expl.steps.filter((s) => s.terms !== undefined);
    expect(chainSteps.length).toBeGreaterThan(0);
    for (const step of chainSteps) expect(Object.is(sumOfProducts(step), step.value), step.id).toBe(true);
  });

  it('a 3-4-3-2 tanh network with softmax cross-entropy agrees with central differences', () => {
    const c = mlpCases.find((m) => m.sizes.join('-') === '3-4-3-2' && m.loss === 'softmax_cross_entropy')!;
    const expl = explainStep(modelOf(c), c.x, c.t, { loss: 'softmaxCrossEntropy' });
    expect(expl.names.scheme).toBe('systematic');
    const reference = modelOf(c);
    const lossFn = getLoss('softmaxCrossEntropy');
    const lossAt = (): number => lossFn(reference.predict(c.x), tensor(c.t, { dtype: 'float64' })).item();
    const h = 1e-6;
    let checked = 0;
    reference.layers.forEach((layer, k) => {
      const dense = layer as Dense;
      const params: [Float64Array | Float32Array, (index: number) => string][] = [
        [dense.weight.data, (index) => expl.names.weights[k]![Math.floor(index / dense.inputSize)]![index % dense.inputSize]!],
        [dense.bias!.data, (index) => expl.names.biases[k]![index]!],
      ];
      for (const [data, nameOf] of params) {
        for (let index = 0; index < data.length; index++) {
          const original = data[index]!;
          data[index] = original + h;
          const plus = lossAt();
          data[index] = original - h;
          const minus = lossAt();
          data[index] = original;
          const numeric = (plus - minus) / (2 * h);
          expect(Math.abs(expl.tables.gradients[nameOf(index)]! - numeric), nameOf(index)).toBeLessThan(1e-8);
          checked++;
        }
      }
    });
    expect(checked).toBe(expl.parameterCount);
    // Softmax happens inside the loss: p = softmax(NET) of the output layer, per sample.
    expect(Object.keys(expl.tables.probabilities)).toEqual(['o1', 'o2']);
    expect((expl.tables.probabilities.o1 as number[]).length).toBe(c.x.length);
  });
});

describe('names', () => {
  it("uses the article's names for a 2-2-2 network", () => {
    const names = namesFor(articleNetwork());
    expect(names).toEqual({
      scheme: 'article', inputs: ['i1', 'i2'], units: [['h1', 'h2'], ['o1', 'o2']],
      weights: [[['w1', 'w2'], ['w3', 'w4']], [['w5', 'w6'], ['w7', 'w8']]], biases: [['b1'], ['b2']],
    });
  });

  it('uses the systematic scheme for other shapes', () => {
    const deep = namesFor(mlp([3, 4, 3, 2]));
    expect(deep.scheme).toBe('systematic');
    expect(deep.inputs).toEqual(['i1', 'i2', 'i3']);
    expect(deep.units).toEqual([['h1.1', 'h1.2', 'h1.3', 'h1.4'], ['h2.1', 'h2.2', 'h2.3'], ['o1', 'o2']]);
    expect(deep.weights[1]![2]![3]).toBe('w2.3.4');
    expect(deep.biases[0]).toEqual(['b1.1', 'b1.2', 'b1.3', 'b1.4']);
    const shallow = namesFor(mlp([3, 4, 2]));
    expect(shallow.units).toEqual([['h1', 'h2', 'h3', 'h4'], ['o1', 'o2']]);
    expect(shallow.weights[0]![0]).toEqual(['w1.1.1', 'w1.1.2', 'w1.1.3']);
  });

  it('applies user names everywhere in the explanation', () => {
    const expl = explainStep(articleNetwork(), [ARTICLE.inputs], [ARTICLE.targets], { names: { o1: 'cat', w6: 'omega' } });
    expect(expl.names.units[1]).toEqual(['cat', 'o2']);
    expect(expl.tables.gradients.omega).toBeDefined();
    expect(expl.steps.find((s) => s.id === 'gradients.omega')!.about).toEqual(['omega']);
    expect(expl.steps.some((s) => s.id === 'neurons.cat.net')).toBe(true);
  });

  it('rejects unknown, malformed and duplicate user names, changing nothing', () => {
    const model = articleNetwork();
    const before = model.parameters().map((p) => Array.from(p.data));
    const attempt = (names: Record<string, string>) => () => explainStep(model, [ARTICLE.inputs], [ARTICLE.targets], { names });
    expect(attempt({ w9: 'x' })).toThrow(expect.objectContaining({ code: 'unknown-name', argument: 'names.w9' }));
    expect(attempt({ w1: 'a b' })).toThrow(expect.objectContaining({ code: 'range', argument: 'names.w1' }));
    expect(attempt({ w1: 'w2' })).toThrow(expect.objectContaining({ code: 'range', argument: 'names' }));
    expect(model.parameters().map((p) => Array.from(p.data))).toEqual(before);
  });
});

describe('focus and the size limit', () => {
  it('with only, shows the selected parameters and the chain-rule steps they use', () => {
    const { expl } = (() => {
      const model = articleNetwork();
      return { expl: explainStep(model, [ARTICLE.inputs], [ARTICLE.targets], { only: ['w6', 'w1'] }) };
    })();
    expect(expl.detail).toBe('selected');
    expect(expl.steps.map((s) => s.id)).toEqual([
      'errors.total',
      'dE_dout.o1', 'dout_dnet.o1', 'dE_dnet.o1', 'gradients.w6',
      'dE_dout.h1', 'dout_dnet.h1', 'dE_dnet.h1', 'gradients.w1',
      'updated.w1', 'updated.w6',
    ]);
  });

  it('rejects a name that is not a unit or parameter, changing nothing', () => {
    const model = articleNetwork();
    expect(() => explainStep(model, [ARTICLE.inputs], [ARTICLE.targets], { only: ['i1'] })).toThrow(expect.objectContaining({ code: 'unknown-name', argument: 'only' }));
    expect(Array.from((model.layers[0] as Dense).weight.data)).toEqual([0.25, 0.25, 0.15, 0.2]);
  });

  it(`gives full detail up to ${DETAIL_LIMITS.parameters} parameters and a summary with advice beyond`, () => {
    const layers = (bias: boolean) => [new Dense(10, 10, { bias: bias ? 0 : false, dtype: 'float64' }), new Dense(10, 10, { bias: false, dtype: 'float64' })];
    const x = [Array.from({ length: 10 }, (_, i) => i / 10)];
    const t = [Array.from({ length: 10 }, (_, i) => 1 - i / 10)];
    const atLimit = explainStep(new Sequential(layers(false)), x, t);
    expect(atLimit.parameterCount).toBe(DETAIL_LIMITS.parameters);
    expect(atLimit.detail).toBe('full');
    const over = explainStep(new Sequential(layers(true)), x, t);
    expect(over.parameterCount).toBe(DETAIL_LIMITS.parameters + 10);
    expect(over.detail).toBe('summary');
    expect(over.steps).toEqual([]);
    expect(Object.keys(over.tables.gradients)).toEqual([]);
    expect(noteText(messagesFor('en'), over.notes.at(-1)!)).toMatch(/^Full detail refused for 210 parameters .*--only/);
    expect(over.summary.layers.map((l) => l.name)).toEqual(['layer1', 'layer2']);
    // The summary's norms are those of autograd's own gradients, here from a step run without an observer.
    const plain = plainStep(new Sequential(layers(true)), x, t, 'squaredError', 0.1).grads; // [W1, b1, W2]
    const l2 = (values: number[]): number => Math.sqrt(values.reduce((sum, v) => sum + v * v, 0));
    expectClose(over.summary.layers[0]!.weightGradNorm, l2(plain[0]!), '‖∂E/∂W1‖');
    expectClose(over.summary.layers[0]!.biasGradNorm!, l2(plain[1]!), '‖∂E/∂b1‖');
    expectClose(over.summary.layers[1]!.weightGradNorm, l2(plain[2]!), '‖∂E/∂W2‖');
    expect(over.summary.layers[1]!.biasGradNorm).toBeNull();
    const focused = explainStep(new Sequential(layers(true)), x, t, { only: ['w2.3.4'] });
    expect(focused.detail).toBe('selected');
    const g = focused.tables.gradients['w2.3.4']!;
    expect(Object.is(g, plain[2]![2 * 10 + 3]), 'w2.3.4: unit 3, input 4 of layer 2').toBe(true);
    expect(focused.steps.find((s) => s.id === 'gradients.w2.3.4')!.value).toBe(g);
  });

  it(`refuses full detail for more than ${DETAIL_LIMITS.samples} samples`, () => {
    const samples = DETAIL_LIMITS.samples + 1;
    const x = Array.from({ length: samples }, () => [...ARTICLE.inputs]);
    const t = Array.from({ length: samples }, () => [...ARTICLE.targets]);
    const expl = explainStep(articleNetwork(), x, t, { only: ['w6'] });
    expect(expl.detail).toBe('summary');
    expect(expl.notes.at(-1)).toEqual({ kind: 'refused', by: 'samples', samples, parameters: 8, limit: DETAIL_LIMITS.samples });
    expect(noteText(messagesFor('en'), expl.notes.at(-1)!)).toContain(`${samples} samples`);
  });

  it('explains a small batch: per-sample values, gradients summed over samples', () => {
    const x = [[...ARTICLE.inputs], [0.5, -0.3]];
    const t = [[...ARTICLE.targets], [0.1, 0.2]];
    const expl = explainStep(articleNetwork(), x, t);
    expect((expl.tables.neurons.h1!.net as number[]).length).toBe(2);
    const w6 = expl.steps.find((s) => s.id === 'gradients.w6')!;
    expect(w6.terms).toHaveLength(2);
    expect(Object.is(sumOfProducts(w6), w6.value)).toBe(true);
    expect(expl.steps.some((s) => s.id === 'neurons.h1.net[2]')).toBe(true);
  });
});
