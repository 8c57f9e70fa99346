// A layer a user writes against the public Layer interface trains through
// the recorded (autograd) path: its gradients are checked against
// gradients derived by hand and against central differences of a forward
// pass written here in plain float64, and fit() takes the same path.
import { describe, expect, it } from 'vitest';
import {
  Dense, SGD, Sequential, Trainer, fit, getLoss, mul, noGrad, tanh, tensor, trainStep, type DType, type Layer, type Tensor,
} from '../src/index.js';

/** OUT = tanh(g ⊙ x): a learned gain per feature, then tanh. Built from public ops only. */
class GainTanh implements Layer {
  name = 'gainTanh';
  readonly inputSize: number;
  readonly outputSize: number;
  readonly dtype: DType = 'float64';
  readonly gain: Tensor;

  constructor(gains: number[]) {
    this.inputSize = gains.length;
    this.outputSize = gains.length;
    this.gain = tensor(gains, { dtype: 'float64', requiresGrad: true });
  }

  forward(x: Tensor): Tensor {
    return tanh(mul(x, this.gain));
  }

  parameters(): Tensor[] {
    return [this.gain];
  }

  weights(): Tensor[] {
    return [this.gain];
  }
}

const W1 = [[0.3, -0.2], [0.5, 0.1], [-0.4, 0.6]];
const B1 = [0.05, -0.1, 0.2];
const GAINS = [1.5, -0.7, 2.2];
const W2 = [[0.8, -1.1, 0.4]];
const B2 = [0.3];
const X = [[0.2, -0.9], [1.1, 0.4], [-0.6, 0.7]];
const T = [[0.5], [-0.25], [0.9]];
const LR = 0.5;

function model(): Sequential {
  return new Sequential([
    new Dense(2, 3, { activation: 'sigmoid', weights: W1, bias: B1, dtype: 'float64' }),
    new GainTanh(GAINS),
    new Dense(3, 1, { activation: 'linear', weights: W2, bias: B2, dtype: 'float64' }),
  ]);
}

/** Every parameter as plain numbers, in the model's order: W1, b1, g, W2, b2. */
interface Params { w1: number[][]; b1: number[]; g: number[]; w2: number[]; b2: number }

const START: Params = { w1: W1, b1: B1, g: GAINS, w2: W2[0]!, b2: B2[0]! };
const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));

/** The network's forward pass, one scalar at a time: h = σ(W1x + b1), u = tanh(g ⊙ h), o = W2·u + b2. */
function forward(p: Params, x: number[]): { h: number[]; u: number[]; o: number } {
  const h = p.w1.map((row, j) => sigmoid(row[0]! * x[0]! + row[1]! * x[1]! + p.b1[j]!));
  const u = h.map((v, j) => Math.tanh(p.g[j]! * v));
  const o = u.reduce((s, v, j) => s + p.w2[j]! * v, p.b2);
  return { h, u, o };
}

/** mse: the mean of (o − t)² over the samples (one output each). */
function loss(p: Params): number {
  return X.reduce((s, x, r) => s + (forward(p, x).o - T[r]![0]!) ** 2, 0) / X.length;
}

/** The gradient by the chain rule, written out for this network. */
function handGradient(p: Params): Params {
  const grad: Params = { w1: [[0, 0], [0, 0], [0, 0]], b1: [0, 0, 0], g: [0, 0, 0], w2: [0, 0, 0], b2: 0 };
  X.forEach((x, r) => {
    const { h, u, o } = forward(p, x);
    const dO = (2 * (o - T[r]![0]!)) / X.length;
    grad.b2 += dO;
    for (let j = 0; j < 3; j++) {
      grad.w2[j]! += dO * u[j]!;
      const dZ = dO * p.w2[j]! * (1 - u[j]! ** 2);
      grad.g[j]! += dZ * h[j]!;
      const dA = dZ * p.g[j]! * h[j]! * (1 - h[j]!);
      grad.b1[j]! += dA;
      grad.w1[j]![0]! += dA * x[0]!;
      grad.w1[j]![1]! += dA * x[1]!;
    }
  });
  return grad;
}

/** Params flattened in the model's parameter order, and back. */
const flat = (p: Params): number[] => [...p.w1.flat(), ...p.b1, ...p.g, ...p.w2, p.b2];
function unflat(v: number[]): Params {
  return { w1: [v.slice(0, 2), v.slice(2, 4), v.slice(4, 6)], b1: v.slice(6, 9), g: v.slice(9, 12), w2: v.slice(12, 15), b2: v[15]! };
}

/** Central differences of the hand-written loss, step h. */
function numericGradient(p: Params, h = 1e-6): number[] {
  const v = flat(p);
  return v.map((_, i) => {
    const plus = v.slice();
    const minus = v.slice();
    plus[i]! += h;
    minus[i]! -= h;
    return (loss(unflat(plus)) - loss(unflat(minus))) / (2 * h);
  });
}

const values = (m: Sequential): number[] => m.parameters().flatMap((p) => Array.from(p.data));
const gradients = (m: Sequential): number[] => m.parameters().flatMap((p) => Array.from(p.grad!.data));

describe('a custom Layer on the recorded (autograd) path', () => {
  it('the hand-derived gradient agrees with central differences (the reference is right)', () => {
    const numeric = numericGradient(START);
    flat(handGradient(START)).forEach((g, i) => expect(Math.abs(g - numeric[i]!), `parameter ${i}`).toBeLessThan(1e-8));
  });

  it('trainStep: the loss, every gradient and the SGD update match the hand computation', () => {
    const m = model();
    const x = tensor(X, { dtype: 'float64' });
    const t = tensor(T, { dtype: 'float64' });
    const before = values(m);
    expect(before).toEqual(flat(START));
    const reported = trainStep(m, getLoss('mse'), new SGD(m.parameters(), LR), x, t);
    expect(Math.abs(reported - loss(START))).toBeLessThanOrEqual(4 * 2 ** -52 * loss(START));

    const want = flat(handGradient(START));
    const got = gradients(m);
    expect(got).toHaveLength(16);
    got.forEach((g, i) => expect(Math.abs(g - want[i]!), `gradient ${i}: ${g} vs ${want[i]}`).toBeLessThanOrEqual(1e-14 * Math.max(1, Math.abs(want[i]!))));
    values(m).forEach((v, i) => expect(v, `updated ${i}`).toBe(before[i]! - LR * got[i]!));
  });

  it('fit trains the custom layer the same way, bit for bit', () => {
    const stepped = model();
    trainStep(stepped, getLoss('mse'), new SGD(stepped.parameters(), LR), tensor(X, { dtype: 'float64' }), tensor(T, { dtype: 'float64' }));
    const fitted = model();
    const result = fit(fitted, X, T, { loss: 'mse', optimizer: new SGD(fitted.parameters(), LR), epochs: 1, batchSize: X.length, shuffle: false });
    expect(result.history).toHaveLength(1);
    expect(values(fitted)).toEqual(values(stepped));
  });

  it('a Trainer on the recorded path refuses bad loss options when built, as the planned paths do', () => {
    const m = model();
    expect(new Trainer(m, { loss: 'mse', lossOptions: {} }).path).toBe('recorded');
    expect(() => new Trainer(m, { loss: 'mse', lossOptions: { weight: [1] } })).toThrow(/^options\.lossOptions\.weight: /);
    expect(() => new Trainer(m, { loss: 'huber', lossOptions: { delta: -1 } })).toThrow(/^options\.lossOptions\.delta: /);
  });

  it('a Trainer steps it inside noGrad as outside (a training step records whatever its caller does)', () => {
    const outside = model();
    const inside = model();
    const trainers = [outside, inside].map((m) => new Trainer(m, { loss: 'mse', optimizer: new SGD(m.parameters(), LR), batchSize: X.length }));
    expect(trainers.map((t) => t.path)).toEqual(['recorded', 'recorded']);
    const x = Float64Array.from(X.flat());
    const t = Float64Array.from(T.flat());
    const stepped = trainers[0]!.step(x, t);
    const [lossInside, stillOff] = noGrad(() => [trainers[1]!.step(x, t), mul(tensor([[1]], { requiresGrad: true }), tensor([[2]])).node === null] as const);
    expect(lossInside).toBe(stepped);
    expect(stillOff).toBe(true);
    expect(values(inside)).toEqual(values(outside));
    expect(values(inside)).not.toEqual(flat(START));
  });
});
