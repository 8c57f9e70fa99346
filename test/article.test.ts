// The seed article's worked example, checked number by number against an
// independent float64 oracle (PyTorch; scripts/make-fixtures.py wrote the fixture).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  ARTICLE, ARTICLE_PRINTED, SGD, articleNetwork, backward, fit, squaredError, tensor, trainStep, withObserver, type Dense,
} from '../src/index.js';
import { Capture } from './helpers/capture.js';

const oracle = JSON.parse(readFileSync(new URL('./fixtures/article.json', import.meta.url), 'utf8'));
const WEIGHTS = ['w1', 'w2', 'w3', 'w4', 'w5', 'w6', 'w7', 'w8'] as const;
const REL = 1e-12;

function expectClose(actual: number, expected: number, what: string): void {
  const error = Math.abs(actual - expected) / Math.max(Math.abs(expected), 1e-300);
  expect(error, `${what}: ${actual} vs oracle ${expected}`).toBeLessThanOrEqual(REL);
}

/** w1..w8 in the article's order: layer weights are [unit][input], row-major. */
function weightsOf(model: ReturnType<typeof articleNetwork>, pick: (d: Dense) => Float64Array | Float32Array): number[] {
  return model.layers.flatMap((layer) => Array.from(pick(layer as Dense)));
}

function runStep() {
  const model = articleNetwork();
  const capture = new Capture();
  const x = tensor([ARTICLE.inputs], { dtype: 'float64' });
  const t = tensor([ARTICLE.targets], { dtype: 'float64' });
  const optimizer = new SGD(model.parameters(), ARTICLE.learningRate);
  let loss = 0;
  let terms: Float64Array | Float32Array = new Float64Array();
  withObserver(capture, () => {
    const e = squaredError(model.forward(x), t);
    terms = e.node!.saved.terms as Float64Array;
    loss = e.item();
    optimizer.zeroGrad();
    backward(e);
  });
  const gradients = weightsOf(model, (d) => d.weight.grad!.data);
  optimizer.step();
  return { model, capture, loss, terms, gradients, updated: weightsOf(model, (d) => d.weight.data) };
}

const neuron = { h1: ['layer1', 0], h2: ['layer1', 1], o1: ['layer2', 0], o2: ['layer2', 1] } as const;

describe("the article's 2-2-2 network, one SGD step", () => {
  const step = runStep();
  const computed: Record<string, number> = {};
  for (const [name, [layer, unit]] of Object.entries(neuron)) {
    computed[`neurons.${name}.net`] = step.capture.value(`${layer}.net`)[unit]!;
    computed[`neurons.${name}.out`] = step.capture.value(`${layer}.out`)[unit]!;
    computed[`dE_dout.${name}`] = step.capture.grad(`${layer}.out`)[unit]!;
    computed[`dout_dnet.${name}`] = step.capture.derivative(`${layer}.out`)[unit]!;
    computed[`dE_dnet.${name}`] = step.capture.grad(`${layer}.net`)[unit]!;
  }
  computed['errors.o1'] = step.terms[0]!;
  computed['errors.o2'] = step.terms[1]!;
  computed['errors.total'] = step.loss;
  WEIGHTS.forEach((w, i) => {
    computed[`gradients.${w}`] = step.gradients[i]!;
    computed[`updated.${w}`] = step.updated[i]!;
  });

  it('matches the oracle for NET, OUT, every error term and every chain-rule factor', () => {
    for (const name of Object.keys(neuron)) {
      expectClose(computed[`neurons.${name}.net`]!, oracle.neurons[name].net, `NET(${name})`);
      expectClose(computed[`neurons.${name}.out`]!, oracle.neurons[name].out, `OUT(${name})`);
      expectClose(computed[`dE_dout.${name}`]!, oracle.dE_dout[name], `dE/dOUT(${name})`);
      expectClose(computed[`dout_dnet.${name}`]!, oracle.dout_dnet[name], `dOUT/dNET(${name})`);
      expectClose(computed[`dE_dnet.${name}`]!, oracle.dE_dnet[name], `dE/dNET(${name})`);
    }
    for (const e of ['o1', 'o2', 'total']) expectClose(computed[`errors.${e}`]!, oracle.errors[e], `E(${e})`);
  });

  it('matches the oracle for the gradient and the update of all eight weights', () => {
    for (const w of WEIGHTS) {
      expectClose(computed[`gradients.${w}`]!, oracle.gradients[w], `dE/d${w}`);
      expectClose(computed[`updated.${w}`]!, oracle.updated[w], `new ${w}`);
    }
  });

  it('keeps the shared biases b1 = 0.4 and b2 = 0.7 fixed', () => {
    const biases = step.model.layers.map((l) => Array.from((l as Dense).bias!.data));
    expect(biases).toEqual([[0.4], [0.7]]);
    expect(step.model.parameters()).toHaveLength(2);
  });

  // The article's numbers, held beside ours at the article's own precision.
  // Exactly three disagree, for the reasons recorded in ARTICLE_PRINTED:
  // E(o1) = ½(0.5 − 0.748598311)² = 0.0309005602, but the article printed
  // 0.01545028 (it halved twice), hence also its E_total 0.025283526 instead
  // of 0.040733806; and NET(o1) = 1.0911505256 rounds to 1.091150526 where
  // the article cut an intermediate product and printed 1.091150525.
  it('agrees with every printed article value except the three explained ones', () => {
    const disagreeing = ARTICLE_PRINTED.filter((p) => {
      const decimals = p.printed.split('.')[1]!.length;
      return computed[p.path]!.toFixed(decimals) !== p.printed;
    });
    expect(disagreeing.map((p) => p.quantity)).toEqual(['NET(o1)', 'E(o1)', 'E_total']);
    expect(ARTICLE_PRINTED.filter((p) => p.slip !== undefined).map((p) => p.quantity)).toEqual(['NET(o1)', 'E(o1)', 'E_total']);
    expect(computed['errors.o1']!.toFixed(9)).toBe('0.030900560');
    expect((computed['errors.o1']! / 2).toFixed(8)).toBe('0.01545028');
  });
});

describe("the article's section 3: repeat until the outputs reach the targets", () => {
  it('follows the oracle trajectory for 10000 steps', () => {
    const model = articleNetwork();
    const optimizer = new SGD(model.parameters(), ARTICLE.learningRate);
    const x = tensor([ARTICLE.inputs], { dtype: 'float64' });
    const t = tensor([ARTICLE.targets], { dtype: 'float64' });
    for (let k = 0; k < 10000; k++) {
      const loss = trainStep(model, squaredError, optimizer, x, t);
      if (String(k) in oracle.training.losses) expectClose(loss, oracle.training.losses[String(k)], `E before step ${k + 1}`);
    }
    const weights = weightsOf(model, (d) => d.weight.data);
    // Ten thousand rounded steps drift by a few ulps; 1e-10 still catches any wrong gradient.
    WEIGHTS.forEach((w, i) => expect(Math.abs(weights[i]! - oracle.training.weights_after_10000[w])).toBeLessThan(1e-10));
  });

  it.each([
    [1e-4, '1e-4'],
    [1e-6, '1e-6'],
  ])('stops at the first step whose error is below %s, as the oracle counts', (threshold, key) => {
    const model = articleNetwork();
    const result = fit(model, [ARTICLE.inputs], [ARTICLE.targets], { lr: 0.1, errorThreshold: threshold, epochs: 100000 });
    expect(result.stoppedBy).toBe('threshold');
    expect(result.steps).toBe(oracle.training.first_step_below[key]);
    expect(result.loss).toBeLessThan(threshold);
  });
});
