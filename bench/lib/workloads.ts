/**
 * The fixed parts of BENCH-SPEC's workloads, their checks, and the order in
 * which a runner warms up, times and checks each workload, shared by every
 * JS runner (bench/torch_runner.py restates the few constants it needs).
 * A runner supplies only what is its library's own: a network, a training
 * loop, an evaluation, a product.
 */
import { Random } from '../../src/util/random.js';
import { gemmSize, type Check, type Measurement, type RunnerArgs } from './protocol.js';
import { CLASSES, PIXELS, TRAIN_COUNT, accuracy, argmaxRows, oneHot, type Digits } from './digits.js';
import { measureRate } from './timing.js';
import type { References } from './shared-start.js';

/** A workload's figure and its check, before the runner adds its configuration. */
export interface Timed {
  measurement: Measurement;
  check: Check;
}

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
function checkSeedLosses(start: number, after: number, precision: 'float64' | 'float32'): Check {
  const expectedAfter = SEED.lossAfter[precision];
  const close = (found: number, expected: number): boolean => Math.abs(found - expected) <= SEED_TOLERANCE[precision] * expected;
  const ok = close(start, SEED.startLoss) && close(after, expectedAfter);
  return {
    ok,
    detail: `${precision}: loss ${start.toExponential(6)} at start (expected ${SEED.startLoss.toExponential(6)}), `
      + `${after.toExponential(6)} after ${SEED.checkSteps} steps (expected ${expectedAfter.toExponential(6)})`,
  };
}

/** A library's B1 network: one SGD step on the seed sample, and the loss ½Σ(t−o)² on it. */
export interface SeedNetwork {
  step(): void;
  loss(): number;
}

/** B1's check, run on a network of its own before any timing: its loss at the start and after exactly {@link SEED.checkSteps} steps. */
export function checkSeed(network: SeedNetwork, precision: 'float64' | 'float32'): Check {
  const start = network.loss();
  for (let i = 0; i < SEED.checkSteps; i++) network.step();
  return checkSeedLosses(start, network.loss(), precision);
}

/**
 * B1's timing: one untimed section to warm the step up, then the timed
 * sections. `run(count)` takes `count` steps; each runner writes that loop
 * itself so that nothing stands between the clock and the library's step.
 */
export function timeSeedSteps(args: RunnerArgs, run: (count: number) => void): Measurement {
  const options = { seconds: args.seconds, reps: args.reps, unitsPerCall: 1, unit: 'steps/s' };
  measureRate(run, { ...options, reps: 1 });
  return measureRate(run, options);
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
  /** Untimed one-sample steps before mlp1's timed sections. */
  batch1Warmup: 256,
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

/**
 * GFLOP in one B2 training sample's products: every layer's forward
 * product and weight gradient, and the input gradient of every layer but
 * the first (nothing reads the gradient of the pixels), each
 * inputs × units multiply-adds counted as two operations. Bias,
 * activations and the update are left out: the roofline is the products'.
 */
export function mlpSampleGflop(): number {
  const products = MLP.sizes.slice(1).map((units, i) => MLP.sizes[i]! * units);
  const all = products.reduce((sum, p) => sum + p, 0);
  return (2 * (2 * all + (all - products[0]!))) / 1e9;
}

/** GFLOP in one n×n product: 2n³ multiply-adds counted as two operations. */
export function gemmGflop(n: number): number {
  return (2 * n ** 3) / 1e9;
}

/**
 * B3 (`gemm<n>`) for every JS runner: the workload's operands, one warm-up call, the
 * timed sections, and the check on the last product. `prepare(a, b, n)`
 * converts the operands once and returns a call that computes `C = A·B`
 * and returns C where the caller can read it.
 */
export function gemmWorkload(args: RunnerArgs, prepare: (a: Float32Array, b: Float32Array, n: number) => () => ArrayLike<number>): Timed {
  const n = gemmSize(args.workload)!;
  const { a, b } = gemmOperands(n);
  const multiply = prepare(a, b, n);
  let c = multiply();
  const run = (count: number): void => {
    for (let i = 0; i < count; i++) c = multiply();
  };
  const measurement = measureRate(run, { seconds: args.seconds, reps: args.reps, unitsPerCall: gemmGflop(n), unit: 'GFLOP/s' });
  return { measurement, check: checkGemm(c, a, b, n) };
}

/** Loss and accuracy of a network on held-out digits. */
export interface Evaluation {
  loss: number;
  accuracy: number;
}

/** B2's check: held-out accuracy after training. */
function checkAccuracy(value: number, samplesTrained: number, heldOut: number): Check {
  return {
    ok: value > MLP.minAccuracy,
    detail: `held-out accuracy ${value.toFixed(3)} on ${heldOut} digits after ${samplesTrained} samples (need > ${MLP.minAccuracy})`,
  };
}

/** mlp1's check: held-out loss must fall to {@link MLP.maxBatch1LossRatio} of the untrained network's. */
function checkBatch1(before: Evaluation, after: Evaluation, samplesTrained: number): Check {
  return {
    ok: after.loss <= MLP.maxBatch1LossRatio * before.loss,
    detail: `held-out loss ${before.loss.toFixed(4)} -> ${after.loss.toFixed(4)} (need <= ${MLP.maxBatch1LossRatio}x), `
      + `accuracy ${before.accuracy.toFixed(3)} -> ${after.accuracy.toFixed(3)}, after ${samplesTrained} samples`,
  };
}

/**
 * Runs `train(count)` (`count` SGD steps through the training digits in
 * order) and counts them, so that a check can say how much training it saw.
 */
function counted(train: (count: number) => void): { run: (count: number) => void; steps: () => number } {
  let steps = 0;
  return {
    run: (count) => {
      train(count);
      steps += count;
    },
    steps: () => steps,
  };
}

/** Relative difference allowed between a library's float32 held-out loss and the float64 reference from the same start. */
export const REFERENCE_TOLERANCE = 1e-4;

/**
 * A held-out loss against the float64 run from the same start
 * (bench/lib/shared-start.ts), within {@link REFERENCE_TOLERANCE}.
 */
export function checkReference(found: number, expected: number, where: string): Check {
  const relative = Math.abs(found - expected) / Math.abs(expected);
  return {
    ok: relative <= REFERENCE_TOLERANCE,
    detail: `${where}: held-out loss ${found.toPrecision(8)}, float64 reference ${expected.toPrecision(8)} (relative ${relative.toExponential(1)}, limit ${REFERENCE_TOLERANCE})`,
  };
}

/** Both checks: ok only if each is (a check that cannot apply, `null`, gives way to the other). */
export function bothChecks(a: Check, b: Check): Check {
  const ok = a.ok === false || b.ok === false ? false : a.ok ?? b.ok;
  return { ok, detail: `${a.detail}; ${b.detail}` };
}

/**
 * B2 mlp for every JS runner, from the shared start: one untimed epoch,
 * the held-out loss against the float64 reference, the timed sections,
 * then held-out accuracy over every digit not trained on. `train(count)`
 * takes `count` minibatches of {@link MLP.batch}; `evaluate(count)` scores
 * the first `count` held-out digits.
 */
export function mlpWorkload(args: RunnerArgs, digits: Digits, train: (count: number) => void, evaluate: (count: number) => Evaluation, references: References): Timed {
  const steps = counted(train);
  const heldOut = digits.count - TRAIN_COUNT;
  steps.run(TRAIN_COUNT / MLP.batch);
  const start = checkReference(evaluate(heldOut).loss, references.mlpAfterWarmup, 'after the warm-up epoch');
  const measurement = measureRate(steps.run, { seconds: args.seconds, reps: args.reps, unitsPerCall: MLP.batch, unit: 'samples/s' });
  return { measurement, check: bothChecks(start, checkAccuracy(evaluate(heldOut).accuracy, steps.steps() * MLP.batch, heldOut)) };
}

/** How a library runs mlp1: B2's network from the shared start (checked against the float64 references), or a network of its own with its own warm-up. */
export type Batch1Start = { references: References } | { ownNetwork: true; warmup: number };

/**
 * B2 mlp1 for every JS runner: held-out loss of the untrained network,
 * the untimed one-sample warm-up steps, the timed sections, and held-out
 * loss again. From the shared start, the losses before and after the
 * warm-up are also checked against the float64 references.
 * `train(count)` takes `count` one-sample steps; `evaluate(count)` scores
 * the first `count` held-out digits with the library's own loss.
 */
export function mlp1Workload(args: RunnerArgs, train: (count: number) => void, evaluate: (count: number) => Evaluation, start: Batch1Start): Timed {
  const before = evaluate(MLP.batch1CheckSamples);
  const steps = counted(train);
  steps.run('references' in start ? MLP.batch1Warmup : start.warmup);
  const reference = 'references' in start
    ? bothChecks(
      checkReference(before.loss, start.references.mlp1Start, 'before training'),
      checkReference(evaluate(MLP.batch1CheckSamples).loss, start.references.mlp1AfterWarmup, `after ${MLP.batch1Warmup} warm-up steps`),
    )
    : null;
  const measurement = measureRate(steps.run, { seconds: args.seconds, reps: args.reps, unitsPerCall: 1, unit: 'samples/s' });
  const progress = checkBatch1(before, evaluate(MLP.batch1CheckSamples), steps.steps());
  return { measurement, check: reference === null ? progress : bothChecks(reference, progress) };
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
