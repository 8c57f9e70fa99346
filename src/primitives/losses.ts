/**
 * One record per loss, as `activations.ts` has one per activation (same
 * level, same readers): the per-element kernels the backends loop over and
 * the tiny step calls, their formulas for explain, each loss's reduction,
 * option and task. docs/losses.md sets each beside PyTorch's.
 */
import { POSITIVE, type Interval } from '../util/checks.js';
import type { Formula } from './formula.js';
import { logistic } from './activations.js';

/** PyTorch clamps log at −100 in the BCE terms, so a saturated prediction costs 100, not Infinity. */
export const BCE_LOG_FLOOR = -100;
/**
 * PyTorch's floor on o(1−o) in the BCE gradient, so o = 0 or 1 does not
 * divide by zero. PyTorch writes it as 1e-12 but applies it as a float32
 * constant (9.99999996e-13), in float64 too: the fixture shows it.
 */
export const BCE_GRAD_EPSILON = Math.fround(1e-12);

/** A loss term ℓ(o, t) per output element. `p` is the loss's option (Huber's δ), 0 when it has none. */
export interface PointLoss {
  term(o: number, t: number, p: number): number;
  /** `s · ∂ℓ/∂o`: the scale goes in first, as the kernels have always rounded it. */
  gradient(o: number, t: number, s: number, p: number): number;
  /** ℓ and ∂ℓ/∂o as explain prints them. */
  formula: {
    term<E>(f: Formula<E>, o: E, t: E, p: E): E;
    gradient<E>(f: Formula<E>, o: E, t: E, p: E): E;
  };
}

/** Every per-element loss term (the backend's `PointLossKind`). */
export const POINT_LOSSES = {
  // ½(t − o)²: the article's error; ∂/∂o = o − t.
  halfSquared: {
    term: (o, t) => {
      const d = t - o;
      return 0.5 * d * d;
    },
    gradient: (o, t, s) => s * (o - t),
    formula: {
      term: (f, o, t) => f.mul(f.div(f.c(1), f.c(2)), f.square(f.sub(t, o))),
      gradient: (f, o, t) => f.neg(f.sub(t, o)),
    },
  },
  squared: {
    term: (o, t) => {
      const d = t - o;
      return d * d;
    },
    gradient: (o, t, s) => s * 2 * (o - t),
    formula: {
      term: (f, o, t) => f.square(f.sub(t, o)),
      gradient: (f, o, t) => f.mul(f.c(2), f.sub(o, t)),
    },
  },
  // |o − t|; the gradient at o = t is 0, as PyTorch's sign() gives.
  absolute: {
    term: (o, t) => Math.abs(o - t),
    gradient: (o, t, s) => s * Math.sign(o - t),
    formula: {
      term: (f, o, t) => f.fn('abs', f.sub(o, t)),
      gradient: (f, o, t) => f.div(f.sub(o, t), f.fn('abs', f.sub(o, t))),
    },
  },
  // ½d² where |d| < δ, δ(|d| − ½δ) beyond, with d = o − t: PyTorch's HuberLoss, its branches as written there.
  huber: {
    term: (o, t, delta) => {
      const z = Math.abs(o - t);
      return z < delta ? 0.5 * z * z : delta * (z - 0.5 * delta);
    },
    gradient: (o, t, s, delta) => {
      const d = o - t;
      return d <= -delta ? -s * delta : d >= delta ? s * delta : s * d;
    },
    formula: {
      term: (f, o, t, delta) => f.ifPositive(
        f.sub(delta, f.fn('abs', f.sub(o, t))),
        f.mul(f.div(f.c(1), f.c(2)), f.square(f.sub(o, t))),
        f.mul(delta, f.sub(f.fn('abs', f.sub(o, t)), f.mul(f.div(f.c(1), f.c(2)), delta))),
      ),
      gradient: (f, o, t, delta) => f.ifPositive(
        f.sub(delta, f.fn('abs', f.sub(o, t))), f.sub(o, t), f.mul(delta, f.div(f.sub(o, t), f.fn('abs', f.sub(o, t)))),
      ),
    },
  },
  // Of a probability o: −(t ln o + (1 − t) ln(1 − o)), each log floored at −100 as PyTorch's BCELoss does.
  binaryCrossEntropy: {
    term: (o, t) => {
      const logO = Math.max(Math.log(o), BCE_LOG_FLOOR);
      const logNotO = Math.max(Math.log(1 - o), BCE_LOG_FLOOR);
      return -(t * logO + (1 - t) * logNotO);
    },
    gradient: (o, t, s) => (s * (o - t)) / Math.max((1 - o) * o, BCE_GRAD_EPSILON),
    formula: {
      term: (f, o, t) => f.neg(f.add(f.mul(t, f.ln(o)), f.mul(f.sub(f.c(1), t), f.ln(f.sub(f.c(1), o))))),
      gradient: (f, o, t) => f.div(f.sub(o, t), f.mul(o, f.sub(f.c(1), o))),
    },
  },
  /**
   * Of a logit z (sigmoid fused in): max(z, 0) − z·t + ln(1 + e^−|z|),
   * PyTorch's BCEWithLogitsLoss form. e^−|z| ≤ 1, so nothing overflows,
   * log1p keeps its digits when it is tiny, and no floor is needed: the
   * term is exact for any finite z. The gradient σ(z) − t needs no floor
   * either.
   */
  binaryCrossEntropyWithLogits: {
    term: (z, t) => Math.max(z, 0) - z * t + Math.log1p(Math.exp(-Math.abs(z))),
    gradient: (z, t, s) => s * (logistic(z) - t),
    formula: {
      term: (f, z, t) => f.neg(f.add(f.mul(t, f.ln(f.fn('sigmoid', z))), f.mul(f.sub(f.c(1), t), f.ln(f.sub(f.c(1), f.fn('sigmoid', z)))))),
      gradient: (f, z, t) => f.sub(f.fn('sigmoid', z), t),
    },
  },
} as const satisfies Record<string, PointLoss>;

export type PointLossName = keyof typeof POINT_LOSSES;

/** A numeric option of a loss (Huber's δ). */
export interface LossOption {
  symbol: 'delta';
  default: number;
  /** The values it takes. */
  range: Interval;
}

/** What a loss is for: it decides the CLI's default output activation and which targets fit. */
export type LossTask = 'regression' | 'binary' | 'classification';

/** A loss as users name it. */
export interface LossRecord {
  /** The per-element term, or null for softmax cross-entropy (a row loss, written in the backend's row kernels). */
  point: PointLossName | null;
  /**
   * Mean over `'rows'` (samples) or over `'elements'` (every output). With
   * class weights, classification losses divide by the weights' sum instead
   * (see docs/losses.md).
   */
  reduction: 'rows' | 'elements';
  task: LossTask;
  /** The output layer's activation this loss expects (what the CLI picks). */
  outputActivation: 'linear' | 'sigmoid';
  /**
   * How the outputs become class probabilities: softmax of the logits,
   * sigmoid of a logit, the outputs themselves (already probabilities), or
   * null (regression: no classes).
   */
  probabilities: 'softmax' | 'sigmoid' | 'outputs' | null;
  option: LossOption | null;
  /** Whether it takes per-class weights (PyTorch's `weight`). */
  classWeights: boolean;
}

/** Every loss by name. */
export const LOSS_RECORDS = {
  squaredError: { point: 'halfSquared', reduction: 'rows', task: 'regression', outputActivation: 'linear', probabilities: null, option: null, classWeights: false },
  mse: { point: 'squared', reduction: 'elements', task: 'regression', outputActivation: 'linear', probabilities: null, option: null, classWeights: false },
  mae: { point: 'absolute', reduction: 'elements', task: 'regression', outputActivation: 'linear', probabilities: null, option: null, classWeights: false },
  huber: {
    point: 'huber', reduction: 'elements', task: 'regression', outputActivation: 'linear', probabilities: null, classWeights: false,
    option: { symbol: 'delta', default: 1, range: POSITIVE },
  },
  binaryCrossEntropy: {
    point: 'binaryCrossEntropy', reduction: 'elements', task: 'binary', outputActivation: 'sigmoid', probabilities: 'outputs', option: null, classWeights: true,
  },
  binaryCrossEntropyWithLogits: {
    point: 'binaryCrossEntropyWithLogits', reduction: 'elements', task: 'binary', outputActivation: 'linear', probabilities: 'sigmoid', option: null, classWeights: true,
  },
  softmaxCrossEntropy: {
    point: null, reduction: 'rows', task: 'classification', outputActivation: 'linear', probabilities: 'softmax', option: null, classWeights: true,
  },
} as const satisfies Record<string, LossRecord>;

export type LossName = keyof typeof LOSS_RECORDS;

/** Every loss name, in the order help texts list them. */
export const LOSSES = Object.keys(LOSS_RECORDS) as LossName[];

/** How a loss reads its outputs as probabilities: a loss record's `probabilities`. */
export type OutputReading = LossRecord['probabilities'];

/**
 * The one rule for which class a row of `cols` values (from `offset`)
 * stands for, given how they read as probabilities (`reading`, a loss
 * record's `probabilities`; `'outputs'` for probability or one-hot rows
 * such as targets). Training accuracy, evaluation, `TrainedModel.classify`
 * and the playground all call it, so a model's outputs are one class
 * everywhere.
 *
 * Several columns: the first largest value. Softmax keeps the order of the
 * logits, so they are compared raw (softmax could round two close logits
 * to one probability). One column: class 1 from probability ½ on, so a
 * logit (`'sigmoid'`) is class 1 from 0 on. It is decided on the logit
 * because σ(z) rounds to exactly ½ for |z| below about 1e-16, where the
 * logit's sign still tells. A lone softmax column is probability 1: class 1.
 * A `null` reading (a regression loss's outputs) is read as probabilities,
 * from ½ on.
 */
export function classOfRow(reading: OutputReading, values: ArrayLike<number>, offset: number, cols: number): number {
  if (cols === 1) {
    const threshold = reading === 'sigmoid' ? 0 : reading === 'softmax' ? -Infinity : 0.5;
    return values[offset]! >= threshold ? 1 : 0;
  }
  let best = 0;
  for (let c = 1; c < cols; c++) if (values[offset + c]! > values[offset + best]!) best = c;
  return best;
}
