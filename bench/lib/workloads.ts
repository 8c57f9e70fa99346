import { Random } from '../../src/util/random.js';
import type { Check } from './protocol.js';
import { CLASSES, PIXELS, TRAIN_COUNT, accuracy, argmaxRows, oneHot, type Digits } from './digits.js';

/**
 * The fixed parts of BENCH-SPEC's workloads and their checks, shared by
 * every JS runner (bench/torch_runner.py restates the few constants it needs).
 */

/** B1: the 2-2-2 sigmoid network, weights `[out][in]`, one repeated sample. */
export const SEED = {
  w1: [[0.15, 0.20], [0.25, 0.30]],
  b1: [0.35, 0.35],
  w2: [[0.40, 0.45], [0.50, 0.55]],
  b2: [0.60, 0.60],
  x: [0.02, 0.04],
  t: [0.5, 0.9],
  lr: 0.5,
  checkSteps: 100,
  startLoss: 3.958156e-2,
  lossAfter: { float64: 3.627711e-4, float32: 3.62772e-4 },
} as const;

/** Relative tolerance: the spec's figures carry 7 (float64) and 6 (float32) digits; float32 trajectories also differ in the last bits between libraries. */
const SEED_TOLERANCE = { float64: 1e-6, float32: 1e-5 } as const;

/** ½ Σ (t − o)², B1's loss. */
export function halfSquaredError(output: ArrayLike<number>, target: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < target.length; i++) sum += 0.5 * (target[i]! - output[i]!) ** 2;
  return sum;
}

/** B1's check: loss before training and after exactly {@link SEED.checkSteps} steps. */
export function checkSeedLosses(start: number, after: number, precision: 'float64' | 'float32'): Check {
  const expectedAfter = SEED.lossAfter[precision];
  const close = (found: number, expected: number): boolean => Math.abs(found - expected) <= SEED_TOLERANCE[precision] * expected;
  const ok = close(start, SEED.startLoss) && close(after, expectedAfter);
  return {
    ok,
    detail: `${precision}: loss ${start.toExponential(6)} at start (expected ${SEED.startLoss.toExponential(6)}), `
      + `${after.toExponential(6)} after ${SEED.checkSteps} steps (expected ${expectedAfter.toExponential(6)})`,
  };
}

/** B2's hyperparameters. */
export const MLP = {
  sizes: [784, 128, 64, 10],
  batch: 64,
  lr: 0.1,
  batch1Lr: 0.01,
  seed: 7,
  /** Held-out accuracy B2 must exceed after training. */
  minAccuracy: 0.8,
  /**
   * mlp1 trains few samples (and brain.js and synaptic only all-sigmoid
   * networks, which barely move in that time at lr 0.01), so its check asks
   * that the library's own loss on held-out digits fall below this
   * fraction of the untrained network's.
   */
  maxBatch1LossRatio: 0.75,
  /** mlp1 checks on this many held-out digits, to keep the slow peers' check short. */
  batch1CheckSamples: 200,
} as const;

/**
 * He-uniform weights U(−√(6/fanIn), √(6/fanIn)) for a peer whose own
 * initialiser differs from glassnet's; stored `rows × cols` row-major.
 */
export function heUniform(rows: number, cols: number, fanIn: number, random: Random): Float32Array {
  const limit = Math.sqrt(6 / fanIn);
  return Float32Array.from({ length: rows * cols }, () => random.uniform(-limit, limit));
}

/** B3: A and B uniform in [−1, 1), the same matrices for every JS library. */
export function gemmOperands(n: number): { a: Float32Array; b: Float32Array } {
  const random = new Random(n);
  const fill = (): Float32Array => Float32Array.from({ length: n * n }, () => random.uniform(-1, 1));
  return { a: fill(), b: fill() };
}

/** Entries B3 compares against float64 dot products. */
const GEMM_SAMPLES = 64;
/** Largest error allowed, relative to max(|reference|, 1) so near-zero entries do not divide by ~0. */
const GEMM_TOLERANCE = 1e-3;

/** B3's check: 64 seeded entries of `c = a·b` against float64 dot products. */
export function checkGemm(c: ArrayLike<number>, a: Float32Array, b: Float32Array, n: number): Check {
  const random = new Random(n + 1);
  let worst = 0;
  for (let s = 0; s < GEMM_SAMPLES; s++) {
    const i = random.int(n);
    const j = random.int(n);
    let reference = 0;
    for (let k = 0; k < n; k++) reference += a[i * n + k]! * b[k * n + j]!;
    worst = Math.max(worst, Math.abs(c[i * n + j]! - reference) / Math.max(Math.abs(reference), 1));
  }
  return { ok: worst < GEMM_TOLERANCE, detail: `worst relative error ${worst.toExponential(2)} over ${GEMM_SAMPLES} entries (limit ${GEMM_TOLERANCE})` };
}

/** GFLOP in one n×n product: 2n³ multiply-adds counted as two operations. */
export function gemmGflop(n: number): number {
  return (2 * n ** 3) / 1e9;
}

/** Loss and accuracy of a network on held-out digits. */
export interface Evaluation {
  loss: number;
  accuracy: number;
}

/** mlp1's check: held-out loss must fall to {@link MLP.maxBatch1LossRatio} of the untrained network's. */
export function checkBatch1(before: Evaluation, after: Evaluation, samplesTrained: number): Check {
  return {
    ok: after.loss <= MLP.maxBatch1LossRatio * before.loss,
    detail: `held-out loss ${before.loss.toFixed(4)} -> ${after.loss.toFixed(4)} (need <= ${MLP.maxBatch1LossRatio}x), `
      + `accuracy ${before.accuracy.toFixed(3)} -> ${after.accuracy.toFixed(3)}, after ${samplesTrained} samples`,
  };
}

/** B2's check: held-out accuracy after training. */
export function checkAccuracy(value: number, samplesTrained: number, heldOut: number): Check {
  return {
    ok: value > MLP.minAccuracy,
    detail: `held-out accuracy ${value.toFixed(3)} on ${heldOut} digits after ${samplesTrained} samples (need > ${MLP.minAccuracy})`,
  };
}

/**
 * ½Σ(t−o)² (the objective of brain.js's and synaptic's deltas) and
 * accuracy of a sigmoid network's `predict` on the first `count` held-out digits.
 */
export function evaluateSquaredError(predict: (input: Float32Array) => ArrayLike<number>, digits: Digits, count: number): Evaluation {
  const outputs = new Float32Array(count * CLASSES);
  const targets = oneHot(digits.labels, TRAIN_COUNT, count);
  let loss = 0;
  for (let i = 0; i < count; i++) {
    const row = TRAIN_COUNT + i;
    const output = predict(digits.images.subarray(row * PIXELS, (row + 1) * PIXELS));
    outputs.set(output, i * CLASSES);
    loss += halfSquaredError(output, Array.from(targets.subarray(i * CLASSES, (i + 1) * CLASSES)));
  }
  return { loss: loss / count, accuracy: accuracy(argmaxRows(outputs, count, CLASSES), digits.labels, TRAIN_COUNT) };
}
