// Each primitive's forward value against a float64 hand computation, and its
// backward rule against central differences.
import { describe, expect, it } from 'vitest';
import {
  Random, add, backward, div, gradCheck, leakyRelu, matmul, mean, mul, noGrad, relu, reshape, scale, sigmoid, softmax, sub, sum, tanh,
  tensor, transpose, type Tensor,
} from '../src/index.js';

const random = new Random(7);
function randomTensor(shape: number[], low = -1, high = 1): Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  return tensor(Float64Array.from({ length: size }, () => random.uniform(low, high)), { shape, dtype: 'float64', requiresGrad: true });
}

/** Σ w ⊙ f(...) with fixed random weights w, so every output element gets its own gradient. */
function weightedSum(out: Tensor, weights: Tensor): Tensor {
  return sum(mul(out, weights));
}

function expectGradOk(fn: () => Tensor, params: Tensor[]): void {
  const result = gradCheck(fn, params, { tolerance: 1e-8 });
  expect(result.maxError, JSON.stringify(result.worst)).toBeLessThan(1e-8);
}

describe('matmul', () => {
  it('multiplies, with every transpose flag, as the float64 triple loop', () => {
    const a = [[1, 2, 3], [4, 5, 6]];
    const b = [[7, 8], [9, 10], [11, 12]];
    const expected = [[58, 64], [139, 154]];
    const f64 = (v: number[][]) => tensor(v, { dtype: 'float64' });
    const t = (v: number[][]) => v[0]!.map((_, j) => v.map((row) => row[j]!));
    expect(matmul(f64(a), f64(b)).toArray()).toEqual(expected);
    expect(matmul(f64(t(a)), f64(b), true, false).toArray()).toEqual(expected);
    expect(matmul(f64(a), f64(t(b)), false, true).toArray()).toEqual(expected);
    expect(matmul(f64(t(a)), f64(t(b)), true, true).toArray()).toEqual(expected);
  });

  it.each([
    [false, false], [true, false], [false, true], [true, true],
  ])('has correct gradients with transA=%s transB=%s', (transA, transB) => {
    const a = randomTensor(transA ? [4, 3] : [3, 4]);
    const b = randomTensor(transB ? [5, 4] : [4, 5]);
    const w = randomTensor([3, 5]);
    expectGradOk(() => weightedSum(matmul(a, b, transA, transB), w), [a, b]);
  });
});

describe('elementwise ops with a broadcast row', () => {
  const ops = { add, sub, mul, div } as const;
  it.each(Object.keys(ops) as (keyof typeof ops)[])('%s: same shape, bias row and scalar', (name) => {
    const op = ops[name];
    const a = randomTensor([3, 4]);
    const w = randomTensor([3, 4]);
    for (const bShape of [[3, 4], [4], [1]]) {
      const b = randomTensor(bShape, 0.5, 1.5); // away from 0 for div
      expectGradOk(() => weightedSum(op(a, b), w), [a, b]);
    }
  });

  it('adds a bias row to every row', () => {
    const out = add(tensor([[1, 2], [3, 4]], { dtype: 'float64' }), tensor([10, 20], { dtype: 'float64' }));
    expect(out.toArray()).toEqual([[11, 22], [13, 24]]);
  });
});

describe('activations and reductions', () => {
  it.each([
    ['sigmoid', sigmoid], ['tanh', tanh], ['relu', relu], ['leakyRelu', (x: Tensor) => leakyRelu(x, 0.1)], ['softmax', softmax],
    ['scale', (x: Tensor) => scale(x, -2.5)], ['transpose', transpose], ['reshape', (x: Tensor) => reshape(reshape(x, [12]), [3, 4])],
  ] as const)('%s has correct gradients', (_name, f) => {
    const x = randomTensor([3, 4]);
    const w = randomTensor(_name === 'transpose' ? [4, 3] : [3, 4]);
    expectGradOk(() => weightedSum(f(x), w), [x]);
  });

  it('sum and mean have correct gradients and values', () => {
    const x = randomTensor([2, 5]);
    expectGradOk(() => mul(sum(x), mean(x)), [x]);
    const total = Array.from(x.data).reduce((s, v) => s + v, 0);
    expect(sum(x).item()).toBeCloseTo(total, 14);
    expect(mean(x).item()).toBeCloseTo(total / 10, 14);
  });

  it('sigmoid is stable and exact at large |x|', () => {
    const y = noGrad(() => sigmoid(tensor([-800, -40, 0, 40, 800], { dtype: 'float64' })));
    expect(Array.from(y.data)).toEqual([0, Math.exp(-40) / (1 + Math.exp(-40)), 0.5, 1 / (1 + Math.exp(-40)), 1]);
  });

  it('softmax rows sum to 1 and survive large logits', () => {
    const y = softmax(tensor([[1000, 1001, 1002], [-5, 0, 5]], { dtype: 'float64' }));
    // Both rows shifted by their maximum by hand: exp(x − max) / Σ exp(x − max).
    const rows = [[Math.exp(-2), Math.exp(-1), 1], [Math.exp(-10), Math.exp(-5), 1]];
    rows.forEach((e, r) => {
      const total = e[0]! + e[1]! + e[2]!;
      const row = Array.from(y.data.subarray(3 * r, 3 * r + 3));
      row.forEach((v, j) => expect(Math.abs(v - e[j]! / total)).toBeLessThan(1e-16));
      expect(Math.abs(row.reduce((s, v) => s + v, 0) - 1)).toBeLessThan(1e-15);
    });
  });
});

describe('autograd', () => {
  it('accumulates the contributions of a tensor used twice', () => {
    const x = tensor([3], { dtype: 'float64', requiresGrad: true });
    backward(sum(mul(x, x))); // d(x²)/dx = 2x
    expect(x.grad!.data[0]).toBe(6);
    backward(sum(mul(x, x))); // += across calls until cleared
    expect(x.grad!.data[0]).toBe(12);
  });

  it('records nothing under noGrad or when no input requires a gradient', () => {
    const w = tensor([[1, 2]], { requiresGrad: true });
    expect(noGrad(() => matmul(w, w, false, true)).node).toBeNull();
    expect(matmul(w, w, false, true).node).not.toBeNull();
    const data = tensor([[1, 2]]);
    expect(matmul(data, data, false, true).node).toBeNull();
  });
});
