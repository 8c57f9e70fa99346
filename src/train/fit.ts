import type { FloatArray } from '../backend/index.js';
import { GlassnetError, describe } from '../errors.js';
import { backward, noGrad } from '../tensor/autograd.js';
import { Tensor, allocate, type NestedNumbers } from '../tensor/tensor.js';
import { checkLoss, getLoss, type LossFunction, type LossName } from '../nn/losses.js';
import type { Sequential } from '../nn/model.js';
import type { Optimizer } from '../optim/optimizer.js';
import { SGD } from '../optim/sgd.js';
import { applySchedule, type LRSchedule } from '../optim/schedules.js';
import { clipGradNorm } from '../optim/clip.js';
import { POSITIVE, checkNumber } from '../optim/options.js';
import { TrainingPlan } from './plan.js';
import { checkLearningRate } from '../optim/optimizer.js';
import { Random } from '../util/random.js';

/** What a callback learns at the end of an epoch. */
export interface EpochInfo {
  /** 1-based epoch number. */
  epoch: number;
  /** Optimizer steps taken so far. */
  steps: number;
  /** Mean of the batch losses seen during the epoch (before each batch's update). */
  loss: number;
}

/** Options of {@link fit}. */
export interface FitOptions {
  /** Loss to minimise (default `"squaredError"`, the article's ½Σ(t−o)²). */
  loss?: LossName;
  /** Learning rate for the default optimizer, plain SGD (default 0.1). */
  lr?: number;
  /** An optimizer over `model.parameters()`; overrides `lr`. */
  optimizer?: Optimizer;
  /** Maximum passes over the data (default 1000). */
  epochs?: number;
  /** Maximum optimizer steps, across epochs (default unlimited). */
  maxSteps?: number;
  /** Samples per step (default: all samples, i.e. full-batch gradient descent). */
  batchSize?: number;
  /** Shuffle samples each epoch (default true when batches are smaller than the data). */
  shuffle?: boolean;
  /** Seed for shuffling (default 0). */
  seed?: number;
  /**
   * Stop as soon as the loss over all training data, evaluated with the
   * current weights, is below this value (the article's "until the outputs
   * are close to the targets"). Checked before training and after every epoch.
   */
  errorThreshold?: number;
  /** Learning rate per step (the optimizer's own step count drives it). */
  schedule?: LRSchedule;
  /** Scale gradients down so their global norm is at most this (PyTorch's clip_grad_norm_). */
  clipNorm?: number;
  /** Called after every epoch; return `false` to stop. */
  onEpochEnd?: (info: EpochInfo) => void | boolean;
}

/** Why training stopped. */
export type StopReason = 'threshold' | 'epochs' | 'maxSteps' | 'callback';

/** Outcome of {@link fit}. */
export interface FitResult {
  epochs: number;
  steps: number;
  stoppedBy: StopReason;
  /** Loss over all training data with the final weights. */
  loss: number;
  /** Mean batch loss of each epoch. */
  history: number[];
}

/**
 * Trains `model` on inputs `x` and targets `y` with minibatch gradient
 * descent: for each batch, forward, loss, zeroGrad, backward, step. For an
 * auto-encoder pass the same data twice: `fit(model, x, x)`.
 * Validates every argument before touching the model.
 */
export function fit(model: Sequential, x: NestedNumbers | Tensor, y: NestedNumbers | Tensor, options: FitOptions = {}): FitResult {
  const inputs = model.toInput(x, 'x');
  const targets = model.toInput(y, 'y', model.outputSize);
  const samples = inputs.shape[0]!;
  if (targets.shape[0] !== samples) {
    throw new GlassnetError({ code: 'shape', argument: 'y', expected: `${samples} rows (one per row of x)`, found: `${targets.shape[0]} rows` });
  }
  const lossName = checkLoss(options.loss ?? 'squaredError', 'options.loss');
  const lossFn = getLoss(lossName);
  const epochs = positiveInteger(options.epochs ?? 1000, 'options.epochs');
  const maxSteps = options.maxSteps === undefined ? Infinity : positiveInteger(options.maxSteps, 'options.maxSteps');
  const batchSize = Math.min(positiveInteger(options.batchSize ?? samples, 'options.batchSize'), samples);
  const threshold = options.errorThreshold;
  if (threshold !== undefined && (!Number.isFinite(threshold) || threshold < 0)) {
    throw new GlassnetError({ code: 'range', argument: 'options.errorThreshold', expected: 'a finite number >= 0', found: describe(threshold) });
  }
  const optimizer = options.optimizer ?? new SGD(model.parameters(), checkLearningRate(options.lr ?? 0.1, 'options.lr'));
  const shuffle = options.shuffle ?? batchSize < samples;
  const random = new Random(options.seed ?? 0);
  const order = Int32Array.from({ length: samples }, (_, i) => i);
  const evaluate = (): number => noGrad(() => lossFn(model.forward(inputs), targets).item());
  if (options.clipNorm !== undefined) checkNumber(options.clipNorm, POSITIVE, 'options.clipNorm');
  const update = updater(optimizer, options.schedule, options.clipNorm);
  const runStep = stepper(model, lossName, lossFn, update, inputs, targets, batchSize, shuffle);

  const history: number[] = [];
  let steps = 0;
  let stoppedBy: StopReason = 'epochs';
  const initialLoss = threshold === undefined ? Infinity : evaluate();
  if (initialLoss < threshold!) return { epochs: 0, steps, stoppedBy: 'threshold', loss: initialLoss, history };
  let epoch = 0;
  while (epoch < epochs) {
    epoch++;
    if (shuffle) random.shuffle(order);
    let lossSum = 0;
    let batches = 0;
    for (let start = 0; start < samples && steps < maxSteps; start += batchSize) {
      const loss = runStep(order, start, Math.min(batchSize, samples - start));
      batches++;
      if (!Number.isFinite(loss)) throw nonFiniteLoss(loss, ` at epoch ${epoch}, batch ${batches}`);
      lossSum += loss;
      steps++;
    }
    history.push(lossSum / batches);
    const stopRequested = options.onEpochEnd?.({ epoch, steps, loss: lossSum / batches }) === false;
    if (threshold !== undefined && evaluate() < threshold) stoppedBy = 'threshold';
    else if (stopRequested) stoppedBy = 'callback';
    else if (steps >= maxSteps) stoppedBy = 'maxSteps';
    else continue;
    break;
  }
  return { epochs: epoch, steps, stoppedBy, loss: evaluate(), history };
}

/** Runs one step on rows `order[start .. start+rows)`; returns its loss (non-finite: nothing was updated). */
type Stepper = (order: Int32Array, start: number, rows: number) => number;

/**
 * The fastest correct way to step this model: a {@link TrainingPlan} (no
 * allocation, bit-identical to autograd) when the model allows one, the
 * recorded path otherwise. Batches are gathered into buffers allocated once;
 * a full, unshuffled batch is the data itself.
 */
function stepper(
  model: Sequential, lossName: LossName, lossFn: LossFunction, update: Update,
  inputs: Tensor, targets: Tensor, batchSize: number, shuffle: boolean,
): Stepper {
  const whole = batchSize === inputs.shape[0] && !shuffle;
  const xBatch = whole ? inputs.data : allocate(inputs.dtype, batchSize * inputs.cols);
  const yBatch = whole ? targets.data : allocate(targets.dtype, batchSize * targets.cols);
  const gather = (order: Int32Array, start: number, rows: number): void => {
    if (whole) return;
    gatherRows(xBatch, inputs, order, start, rows);
    gatherRows(yBatch, targets, order, start, rows);
  };
  const plan = TrainingPlan.for(model, lossName, batchSize);
  if (plan !== null) {
    return (order, start, rows) => {
      gather(order, start, rows);
      const loss = plan.gradients(xBatch, yBatch, rows);
      if (Number.isFinite(loss)) update();
      return loss;
    };
  }
  return (order, start, rows) => {
    gather(order, start, rows);
    const x = new Tensor(xBatch.subarray(0, rows * inputs.cols), [rows, inputs.cols]);
    const y = new Tensor(yBatch.subarray(0, rows * targets.cols), [rows, targets.cols]);
    return stepUnlessNonFinite(model, lossFn, update, x, y);
  };
}

function nonFiniteLoss(loss: number, where = ''): GlassnetError {
  return new GlassnetError({ code: 'not-finite', argument: `loss${where}`, expected: 'a finite loss (try a smaller learning rate)', found: describe(loss) });
}

/**
 * One training step on one batch: forward, loss, zeroGrad, backward,
 * update. Returns the batch loss measured before the update.
 * @throws GlassnetError, with the parameters untouched, when the loss is NaN or infinite.
 */
export function trainStep(model: Sequential, lossFn: LossFunction, optimizer: Optimizer, x: Tensor, y: Tensor): number {
  const loss = stepUnlessNonFinite(model, lossFn, () => optimizer.step(), x, y);
  if (!Number.isFinite(loss)) throw nonFiniteLoss(loss);
  return loss;
}

/** {@link trainStep} that returns a non-finite loss instead of throwing, having updated nothing. */
function stepUnlessNonFinite(model: Sequential, lossFn: LossFunction, update: Update, x: Tensor, y: Tensor): number {
  const loss = lossFn(model.forward(x), y);
  if (!Number.isFinite(loss.item())) return loss.item();
  for (const p of model.parameters()) p.grad?.data.fill(0);
  backward(loss);
  update();
  return loss.item();
}

/** Applies the gradients now in `.grad`: clip, set this step's rate, step. */
type Update = () => void;

function updater(optimizer: Optimizer, schedule: LRSchedule | undefined, clipNorm: number | undefined): Update {
  return () => {
    if (clipNorm !== undefined) clipGradNorm(optimizer.params, clipNorm);
    if (schedule !== undefined) applySchedule(optimizer, schedule);
    optimizer.step();
  };
}

function gatherRows(out: FloatArray, source: Tensor, order: Int32Array, start: number, rows: number): void {
  const cols = source.cols;
  const data = source.data;
  for (let r = 0; r < rows; r++) {
    const from = order[start + r]! * cols;
    const to = r * cols;
    for (let c = 0; c < cols; c++) out[to + c] = data[from + c]!;
  }
}

function positiveInteger(value: unknown, argument: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new GlassnetError({ code: 'range', argument, expected: 'a positive integer', found: describe(value) });
  }
  return value;
}
