// The records of src/primitives/ against PyTorch (test/fixtures/primitives.json,
// from scripts/make-activation-fixtures.py) and, where PyTorch 1.13 itself
// loses digits, against exact decimal values from the same script.
//
// Tolerance: |ours − reference| ≤ 8·u·(|reference| + scale), u the unit
// roundoff of the dtype. `scale` is 0 (a relative bound) except where the
// formula, in PyTorch as here, subtracts nearly equal numbers: then it is
// the size of what cancels (1 + erf(x/√2) for GELU at x < 0, 1 − y² for
// tanh's derivative), since one rounding there moves the result by u times
// that size. Float32 references come from PyTorch's float32 kernels, which
// round at every step, so their scale also has the size of the terms; values
// below float32's normal range (2⁻¹²⁶) compare absolutely.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { jsBackend } from '../src/backend/index.js';
import { ELEMENTWISE, logistic, type ElementwiseName } from '../src/primitives/activations.js';
import { erf } from '../src/primitives/erf.js';
import { POINT_LOSSES, type PointLossName } from '../src/primitives/losses.js';
import {
  Dense, Sequential, backward, evaluate, fit, mlp, binaryCrossEntropy, binaryCrossEntropyWithLogits, elementwise, gradCheck, huber, mae, modelFromJSON, modelToJSON,
  softmaxCrossEntropy, sum, tensor, type DType,
} from '../src/index.js';
import { thrown } from './helpers/errors.js';

type Dtype = 'float32' | 'float64';
interface Series { x: number[]; y: number[]; grad: number[]; exactY?: number[] }
interface ActivationFixture { name: ElementwiseName; alpha: number | null; float64: Series; float32: Series }
interface LossSeries { o: number[]; t: number[]; terms: number[]; grad: number[]; exactTerms?: number[]; exactGrad?: number[] }
interface LossFixture { name: PointLossName; option: number; float64: LossSeries; float32: LossSeries }
interface Weighted { z: number[][]; t: number[][]; weight: number[]; loss: number; grad: number[][] }

const fixture = JSON.parse(readFileSync(new URL('./fixtures/primitives.json', import.meta.url), 'utf8')) as {
  activations: Record<string, ActivationFixture>;
  erf: { x: number[]; erf: number[] };
  pointLosses: Record<string, LossFixture>;
  weighted: Record<'softmaxCrossEntropy' | 'binaryCrossEntropyWithLogits' | 'binaryCrossEntropy', Weighted>;
  crossEntropyRows: { z: number[]; t: number[]; exact: number }[];
};

const U: Record<Dtype, number> = { float32: 2 ** -24, float64: 2 ** -53 };
const FLOOR: Record<Dtype, number> = { float32: 2 ** -126, float64: 2 ** -1022 };
const K = 8;

function array(dtype: Dtype, values: number[]): Float32Array | Float64Array {
  return dtype === 'float32' ? Float32Array.from(values) : Float64Array.from(values);
}

/** Each element within the bound described at the top; the message names the input. */
function expectNear(what: string, dtype: Dtype, ours: ArrayLike<number>, reference: number[], scale: (i: number) => number, inputs: number[]): void {
  reference.forEach((want, i) => {
    const bound = K * U[dtype] * (Math.abs(want) + scale(i)) + K * FLOOR[dtype];
    expect(Math.abs(ours[i]! - want), `${what} at ${inputs[i]}: ${ours[i]} vs ${want}`).toBeLessThanOrEqual(bound);
  });
}

/** What cancels in each activation's value and derivative (see the top of the file); float32 adds its terms' size. */
function scales(name: ElementwiseName, dtype: Dtype, x: number, y: number, alpha: number): { value: number; derivative: number } {
  const f32 = dtype === 'float32';
  switch (name) {
    case 'gelu':
    case 'geluTanh':
      // 1 + erf (or 1 + tanh) cancels for x < 0; the derivative's two terms cancel near x = −0.75.
      return { value: Math.abs(x), derivative: 1 + Math.abs(x) };
    case 'tanh':
      return { value: 0, derivative: y * y };
    case 'sigmoid':
      // y·(1 − y): 1 − y cancels as y → 1.
      return { value: 0, derivative: Math.abs(y) };
    case 'elu':
      // PyTorch's float32 computes e^x − 1 (float64 is compared with the exact value instead).
      return { value: f32 ? alpha : 0, derivative: 0 };
    case 'silu':
    case 'softplus':
    case 'relu':
    case 'leakyRelu':
      return { value: 0, derivative: 0 };
    default:
      return name satisfies never;
  }
}

describe('erf', () => {
  it('agrees with torch.erf to 1e-15 relative over [−7, 7] and at the switch points', () => {
    fixture.erf.x.forEach((x, i) => {
      const want = fixture.erf.erf[i]!;
      expect(Math.abs(erf(x) - want), `erf(${x})`).toBeLessThanOrEqual(1e-15 * Math.abs(want));
    });
  });

  it('is odd, NaN stays NaN, and saturates to ±1', () => {
    expect(erf(-0.3)).toBe(-erf(0.3));
    expect(erf(Number.NaN)).toBeNaN();
    expect(erf(40)).toBe(1);
    expect(erf(-Infinity)).toBe(-1);
  });
});

describe('every activation record against PyTorch, value and gradient, float64 and float32', () => {
  it('has a fixture for every record', () => {
    const covered = new Set(Object.values(fixture.activations).map((a) => a.name));
    expect([...covered].sort()).toEqual(Object.keys(ELEMENTWISE).sort());
  });

  const cases = Object.entries(fixture.activations).flatMap(([key, a]) => (['float64', 'float32'] as const).map((dtype) => [key, dtype, a] as const));
  it.each(cases)('%s %s (through the js backend kernels)', (_key, dtype, a) => {
    const series = a[dtype];
    const alpha = a.alpha ?? 0;
    const n = series.x.length;
    const x = array(dtype, series.x);
    const y = array(dtype, new Array<number>(n).fill(0));
    const d = array(dtype, new Array<number>(n).fill(0));
    jsBackend.unary(a.name, y, x, n, alpha);
    jsBackend.unaryDerivative(a.name, d, x, y, n, alpha);
    const scale = (i: number) => scales(a.name, dtype, series.x[i]!, series.y[i]!, alpha);
    // Where PyTorch loses digits (ELU's exp(x) − 1 near 0⁻), the exact value is the reference.
    expectNear('value', dtype, y, series.exactY ?? series.y, (i) => scale(i).value, series.x);
    expectNear('derivative', dtype, d, series.grad, (i) => scale(i).derivative, series.x);
  });

  it('gradCheck passes for every activation through the op (float64, central differences)', () => {
    for (const name of Object.keys(ELEMENTWISE) as ElementwiseName[]) {
      // Away from the kinks of relu, leakyRelu and elu at 0.
      const x = tensor([[-2.3, -0.7, -0.05, 0.2, 1.1, 3.4]], { dtype: 'float64' });
      x.requiresGrad = true;
      const option = ELEMENTWISE[name].option;
      const result = gradCheck(() => sum(elementwise(name, x, option === null ? undefined : option.default * 1.5)), [x], { epsilon: 1e-6, tolerance: 2e-9 });
      expect(result.maxError, name).toBeLessThan(2e-9);
    }
  });
});

describe('every per-element loss record against PyTorch, terms and gradients', () => {
  it('has a fixture for every record', () => {
    const covered = new Set(Object.values(fixture.pointLosses).map((l) => l.name));
    expect([...covered].sort()).toEqual(Object.keys(POINT_LOSSES).sort());
  });

  const cases = Object.entries(fixture.pointLosses).flatMap(([key, l]) => (['float64', 'float32'] as const).map((dtype) => [key, dtype, l] as const));
  it.each(cases)('%s %s', (_key, dtype, l) => {
    const s = l[dtype];
    const n = s.o.length;
    const o = array(dtype, s.o);
    const t = array(dtype, s.t);
    const terms = array(dtype, new Array<number>(n).fill(0));
    const grad = array(dtype, new Array<number>(n).fill(0));
    jsBackend.pointLoss(l.name, terms, o, t, n, l.option);
    jsBackend.pointLossGrad(l.name, grad, o, t, n, 1, l.option);
    const f32 = dtype === 'float32';
    // BCE with logits: PyTorch takes log(1 + e^−|z|), not log1p, and loses e^−|z| below an ulp of 1; the exact
    // values are the float64 reference. Its gradient σ(z) − t cancels when σ(z) ≈ t: scale 1.
    const termScale = (): number => (l.name === 'binaryCrossEntropyWithLogits' && f32 ? 1 : 0);
    const gradScale = (i: number): number => (l.name === 'binaryCrossEntropyWithLogits' ? Math.max(logistic(s.o[i]!), s.t[i]!) : 0);
    expectNear('term', dtype, terms, s.exactTerms ?? s.terms, termScale, s.o);
    expectNear('gradient', dtype, grad, s.exactGrad ?? s.grad, gradScale, s.o);
  });
});

describe('loss ops: reductions and class weights as PyTorch defines them', () => {
  const ops = { softmaxCrossEntropy, binaryCrossEntropyWithLogits, binaryCrossEntropy } as const;
  it.each(Object.keys(ops) as (keyof typeof ops)[])('%s with weight (mean): loss and gradient', (name) => {
    const w = fixture.weighted[name];
    const z = tensor(w.z, { dtype: 'float64' });
    z.requiresGrad = true;
    const loss = ops[name](z, tensor(w.t, { dtype: 'float64' }), { weight: w.weight });
    backward(loss);
    expect(Math.abs(loss.item() - w.loss)).toBeLessThanOrEqual(4e-15 * Math.abs(w.loss));
    w.grad.flat().forEach((g, i) => expect(Math.abs(z.grad!.data[i]! - g), `grad[${i}]`).toBeLessThanOrEqual(4e-15 * Math.max(...w.grad.flat().map(Math.abs))));
  });

  it('mae and huber average over every element', () => {
    const o = tensor([[0.5, -1], [2, 0]], { dtype: 'float64' });
    const t = tensor([[0, 1], [0.5, 0]], { dtype: 'float64' });
    // |d| = 0.5, 2, 1.5, 0: mean 1. Huber δ=1: 0.125, 1.5, 1, 0: mean 0.65625.
    expect(mae(o, t).item()).toBe(1);
    expect(huber(o, t).item()).toBe(0.65625);
    // δ = 2: 0.125, 2 (=2·(2 − 1)), 1.125, 0: mean 0.8125.
    expect(huber(o, t, { delta: 2 }).item()).toBe(0.8125);
  });

  it('fit trains and reports with the loss options; a bad option is refused before anything changes', () => {
    const make = () => mlp([2, 4, 3], { activation: 'tanh', outputActivation: 'linear', seed: 2, dtype: 'float64' });
    const x = [[0.1, 0.9], [0.8, -0.4], [-0.6, 0.3], [0.2, 0.2]];
    const y = [[1, 0, 0], [0, 1, 0], [0, 0, 1], [0, 1, 0]];
    const lossOptions = { weight: [0.5, 3, 1] };
    const model = make();
    const result = fit(model, x, y, { loss: 'softmaxCrossEntropy', lossOptions, lr: 0.1, epochs: 5 });
    expect(result.loss).toBe(evaluate(model, x, y, { loss: 'softmaxCrossEntropy', lossOptions }).loss);
    expect(result.loss).not.toBe(evaluate(model, x, y, { loss: 'softmaxCrossEntropy' }).loss);
    const untouched = make();
    const before = untouched.parameters().map((p) => Array.from(p.data));
    expect(thrown(() => fit(untouched, x, y, { loss: 'mse', lossOptions, epochs: 1 }))).toMatchObject({ code: 'unknown-name', argument: 'options.lossOptions.weight' });
    expect(untouched.parameters().map((p) => Array.from(p.data))).toEqual(before);
    expect(untouched.parameters().every((p) => p.grad === null)).toBe(true);
  });

  it('refuses options a loss does not take, and bad values, naming them', () => {
    const o = tensor([[0.5, 0.5]], { dtype: 'float64' });
    const t = tensor([[1, 0]], { dtype: 'float64' });
    expect(thrown(() => huber(o, t, { delta: 0 }))).toMatchObject({ code: 'range', argument: 'options.delta' });
    expect(thrown(() => softmaxCrossEntropy(o, t, { weight: [1] }))).toMatchObject({ code: 'range', argument: 'options.weight' });
    expect(thrown(() => softmaxCrossEntropy(o, t, { delta: 1 } as never))).toMatchObject({ code: 'unknown-name', argument: 'options.delta' });
  });
});

describe('softmax cross-entropy keeps its digits for logits of any size', () => {
  // Reference: Σ_c t_c·(lse − z_c) in decimal at 60 digits (scripts/make-activation-fixtures.py).
  it.each(fixture.crossEntropyRows.map((row) => [row.z.join(', '), row] as const))('[%s]', (_z, row) => {
    const out = new Float64Array(1);
    jsBackend.softmaxCrossEntropyRows(out, Float64Array.from(row.z), Float64Array.from(row.t), 1, row.z.length);
    expect(Math.abs(out[0]! - row.exact), `${out[0]} vs ${row.exact}`).toBeLessThanOrEqual(1e-14 * Math.abs(row.exact));
  });

  it('the old assembly, (max + log Σ) − z, misses the same bound (the test can fail)', () => {
    const misses = fixture.crossEntropyRows.filter((row) => {
      const max = Math.max(...row.z);
      const lse = max + Math.log(row.z.reduce((s, v) => s + Math.exp(v - max), 0));
      const old = row.z.reduce((s, v, c) => s + row.t[c]! * (lse - v), 0);
      return Math.abs(old - row.exact) > 1e-14 * Math.abs(row.exact);
    });
    expect(misses.length).toBeGreaterThan(3);
  });
});

describe('layer options are checked and kept in model files', () => {
  it('refuses a misspelled option and an alpha the activation does not take', () => {
    expect(thrown(() => new Dense(2, 3, { activaton: 'relu' } as never))).toMatchObject({ code: 'unknown-name', argument: 'options.activaton' });
    expect(thrown(() => new Dense(2, 3, { activation: 'tanh', alpha: 0.2 }))).toMatchObject({ code: 'unknown-name', argument: 'options.alpha' });
    expect(thrown(() => new Dense(2, 3, { activation: 'elu', alpha: -1 }))).toMatchObject({ code: 'range', argument: 'options.alpha' });
  });

  it.each(['float32', 'float64'] as DType[])('an alpha per layer round-trips through a model file (%s)', (dtype) => {
    const model = new Sequential([
      new Dense(2, 3, { activation: 'leakyRelu', alpha: 0.2, dtype, seed: 1 }),
      new Dense(3, 2, { activation: 'elu', alpha: 0.5, dtype, seed: 2 }),
    ]);
    const file = modelToJSON(model);
    expect(file.architecture.layers.map((l) => ('alpha' in l ? l.alpha : undefined))).toEqual([0.2, 0.5]);
    const loaded = modelFromJSON(JSON.stringify(file)).model;
    expect(loaded.layers.map((l) => (l as Dense).alpha)).toEqual([0.2, 0.5]);
    const x = [[-1.5, 0.25]];
    expect(loaded.predict(x).data).toEqual(model.predict(x).data);
  });

  it('tensor(flat, { shape }) reshapes a flat list as it does a typed array; nested input must have the shape', () => {
    expect(tensor([1, 2, 3, 4, 5, 6], { shape: [2, 3] }).toArray()).toEqual([[1, 2, 3], [4, 5, 6]]);
    expect(tensor(Float64Array.of(1, 2, 3, 4), { shape: [2, 2] }).shape).toEqual([2, 2]);
    expect(thrown(() => tensor([1, 2, 3], { shape: [2, 2] }))).toMatchObject({ code: 'shape', argument: 'values' });
    expect(thrown(() => tensor([[1, 2], [3, 4]], { shape: [4] }))).toMatchObject({ code: 'shape', argument: 'values' });
  });

  it('a version 1.0 file (no alpha) still loads, with the default slope', () => {
    const file = modelToJSON(new Sequential([new Dense(2, 1, { activation: 'leakyRelu', seed: 3, dtype: 'float64' })])) as unknown as {
      version: string; architecture: { layers: Record<string, unknown>[] };
    };
    file.version = '1.0';
    delete file.architecture.layers[0]!.alpha;
    expect((modelFromJSON(JSON.stringify(file)).model.layers[0] as Dense).alpha).toBe(0.01);
  });
});
