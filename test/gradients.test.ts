// Gradients of whole MLPs, two independent ways: against PyTorch (float64
// fixture) and against central differences (gradCheck).
import { describe, expect, it } from 'vitest';
import {
  ACTIVATIONS as ALL_ACTIVATIONS, LOSSES as ALL_LOSSES, LOSS_RECORDS, Random, backward, gradCheck, getLoss, mlp, tensor,
  type Dense, type ActivationName, type LossName,
} from '../src/index.js';
import { thrown } from './helpers/errors.js';
import { lossOf, mlpCases, modelOf } from './helpers/fixture-mlp.js';

/** Every element within 1e-12 of the oracle, relative to the largest entry of its tensor. */
function expectAllClose(actual: ArrayLike<number>, expected: number[], what: string): void {
  expect(actual.length, what).toBe(expected.length);
  const scale = Math.max(...expected.map(Math.abs), 1e-300);
  expected.forEach((e, i) => {
    expect(Math.abs(actual[i]! - e) / scale, `${what}[${i}]: ${actual[i]} vs ${e}`).toBeLessThan(1e-12);
  });
}

describe('MLP gradients agree with PyTorch in float64', () => {
  it.each(mlpCases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const model = modelOf(c);
    const x = tensor(c.x, { dtype: 'float64', requiresGrad: true });
    const t = tensor(c.t, { dtype: 'float64' });
    const output = model.forward(x);
    const loss = getLoss(lossOf(c))(output, t);
    backward(loss);
    expectAllClose(loss.data, [c.loss_value], 'loss');
    expectAllClose(output.data, c.outputs.flat(), 'outputs');
    expectAllClose(x.grad!.data, c.grad_x.flat(), 'dL/dx');
    model.layers.forEach((layer, i) => {
      const dense = layer as Dense;
      expectAllClose(dense.weight.grad!.data, c.grad_weights[i]!.flat(), `dL/dW${i + 1}`);
      expectAllClose(dense.bias!.grad!.data, c.grad_biases[i]!, `dL/db${i + 1}`);
    });
  });
});

// Every record: a new activation or loss is gradient-checked here without a line changing.
const ACTIVATIONS: readonly ActivationName[] = ALL_ACTIVATIONS;
const LOSSES: readonly LossName[] = ALL_LOSSES;

/** Targets that suit the loss: one-hot rows for classes, probabilities for the binary cross-entropies, any reals otherwise. */
function targetsFor(loss: LossName, rows: number, cols: number, random: Random): number[][] {
  const task = LOSS_RECORDS[loss].task;
  return Array.from({ length: rows }, () => {
    if (task === 'classification') {
      const hot = random.int(cols);
      return Array.from({ length: cols }, (_, j) => (j === hot ? 1 : 0));
    }
    return Array.from({ length: cols }, () => (task === 'binary' ? random.uniform(0.05, 0.95) : random.uniform(-1, 1)));
  });
}

describe('gradCheck: central differences over random MLPs, every activation and every loss', () => {
  const shapes = [[2, 2, 2], [3, 5, 4], [4, 3, 3, 2], [1, 4, 2]];
  const cases = ACTIVATIONS.flatMap((activation, a) => LOSSES.map((loss, l) => ({ activation, loss, sizes: shapes[(a + l) % shapes.length]! })));

  it.each(cases.map((c) => [c.activation, c.loss, c.sizes.join('-'), c] as const))('%s hidden, %s loss, %s', (_a, _l, _s, c) => {
    const random = new Random(1000 + ACTIVATIONS.indexOf(c.activation) * 10 + LOSSES.indexOf(c.loss));
    // BCE needs outputs in (0, 1): end in sigmoid. The softmax cross-entropy
    // takes logits: end linear. A random relu output layer is often dead
    // (all gradients 0); relu outputs are covered by the PyTorch cases above.
    const outputActivation: ActivationName = LOSS_RECORDS[c.loss].task !== 'regression' ? LOSS_RECORDS[c.loss].outputActivation
      : c.activation === 'relu' ? 'linear' : c.activation;
    const model = mlp(c.sizes, { activation: c.activation, outputActivation, seed: random.int(1e6), dtype: 'float64' });
    // Positive biases keep relu units alive, so the check sees real gradients.
    for (const layer of model.layers) (layer as Dense).bias!.data.forEach((_, i, b) => { b[i] = random.uniform(0.1, 0.6); });
    const rows = 3;
    const x = tensor(Array.from({ length: rows }, () => Array.from({ length: c.sizes[0]! }, () => random.uniform(-1, 1))), { dtype: 'float64' });
    const t = tensor(targetsFor(c.loss, rows, c.sizes[c.sizes.length - 1]!, random), { dtype: 'float64' });
    const lossFn = getLoss(c.loss);
    // With h = 1e-6 in float64 the differences' own error is ~1e-10 here (at most 4e-10 over these cases):
    // 2e-9 leaves a margin of 5 and fails a gradient wrong by 0.002% on an entry of size 1e-4.
    const result = gradCheck(() => lossFn(model.forward(x), t), [...model.parameters(), x], { epsilon: 1e-6, tolerance: 2e-9 });
    expect(result.maxError, JSON.stringify(result.worst)).toBeLessThan(2e-9);
    expect(result.ok).toBe(true);
    // A gradient check that sees only zeros checks nothing.
    expect(result.entries.some((e) => Math.abs(e.analytic) > 1e-4)).toBe(true);
  });

  it('catches a wrong gradient', () => {
    const model = mlp([2, 3, 1], { seed: 3, dtype: 'float64' });
    const x = tensor([[0.3, -0.2]], { dtype: 'float64' });
    // The target is built from the output's value outside the graph, so the
    // true loss (t − o)² = 0.49 is constant while autograd still sees 2(o − t).
    const detachedTarget = () => {
      const out = model.forward(x);
      return getLoss('mse')(out, tensor([[0.7 + out.data[0]!]], { dtype: 'float64' }));
    };
    const result = gradCheck(detachedTarget, model.parameters());
    expect(result.ok).toBe(false);
    expect(Math.abs(result.worst.numeric)).toBeLessThan(1e-8);
  });

  it('restores requiresGrad, and refuses a non-scalar loss changing nothing', () => {
    const model = mlp([2, 3, 2], { seed: 4, dtype: 'float64' });
    const x = tensor([[0.3, -0.2]], { dtype: 'float64' });
    const t = tensor([[0.4, 0.6]], { dtype: 'float64' });
    const result = gradCheck(() => getLoss('mse')(model.forward(x), t), [...model.parameters(), x]);
    expect(result.ok).toBe(true);
    expect(x.requiresGrad).toBe(false);
    expect(x.grad).not.toBeNull();
    const grads = model.parameters().map((p) => Array.from(p.grad!.data));
    const error = thrown(() => gradCheck(() => model.forward(x), [...model.parameters(), x]));
    expect({ code: error.code, argument: error.argument }).toEqual({ code: 'shape', argument: 'lossFn()' });
    expect(x.requiresGrad).toBe(false);
    expect(model.parameters().map((p) => Array.from(p.grad!.data))).toEqual(grads);
  });
});
