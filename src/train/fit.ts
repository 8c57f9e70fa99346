import { GlassnetError, describe } from '../errors.js';
import { Tensor, allocate, type NestedNumbers } from '../tensor/tensor.js';
import type { FloatArray } from '../backend/index.js';
import { checkLoss, type LossName } from '../nn/losses.js';
import type { Sequential } from '../nn/model.js';
import { checkLearningRate, type Optimizer } from '../optim/optimizer.js';
import { SGD } from '../optim/sgd.js';
import type { LRSchedule } from '../optim/schedules.js';
import { NON_NEGATIVE, POSITIVE, checkNumber } from '../optim/options.js';
import { Random } from '../util/random.js';
import { evaluateTensors, isClassificationLoss, type Evaluation } from './evaluate.js';
import { classOf } from './metrics.js';
import { nonFiniteLoss } from './step.js';
import { Trainer } from './trainer.js';

/** One epoch's figures, as callbacks see them and the history keeps them. */
export interface EpochInfo {
  /** 1-based epoch number. */
  epoch: number;
  /** Optimizer steps taken so far. */
  steps: number;
  /** Mean of the batch losses seen during the epoch (each before its batch's update). */
  loss: number;
  /** Share of training samples classified right during the epoch (classification losses). */
  accuracy?: number;
  /** Loss on the validation data after the epoch. */
  valLoss?: number;
  valAccuracy?: number;
  /** The learning rate of the epoch's last step. */
  lr: number;
  /** Seconds since training started. */
  seconds: number;
}

/** What a batch callback learns. */
export interface BatchInfo {
  epoch: number;
  /** 1-based batch number within the epoch. */
  batch: number;
  steps: number;
  /** This batch's loss, before its update. */
  loss: number;
}

/** Early stopping: stop when the monitored loss has not improved for `patience` epochs. */
export interface EarlyStoppingOptions {
  /** Epochs without improvement to tolerate. */
  patience: number;
  /** Smallest decrease that counts as an improvement (default 0). */
  minDelta?: number;
  /** `"valLoss"` (default when there is validation data) or `"loss"`. */
  monitor?: 'loss' | 'valLoss';
  /** Put back the weights of the best epoch when stopping early (default true). */
  restoreBestWeights?: boolean;
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
  /** Stop after the step during which this many seconds have passed. */
  timeLimit?: number;
  /** Hold out this fraction of the samples (the last ones, before any shuffling) for validation. */
  validationSplit?: number;
  /** Validation data; overrides `validationSplit`. */
  validationData?: { x: NestedNumbers | Tensor; y: NestedNumbers | Tensor };
  earlyStopping?: EarlyStoppingOptions;
  /** L2 penalty λ on weights (not biases): adds λ·w to their gradients. Reported losses exclude it. */
  l2?: number;
  /** Learning rate per step (the optimizer's own step count drives it). */
  schedule?: LRSchedule;
  /** Scale gradients down so their global norm is at most this (PyTorch's clip_grad_norm_). */
  clipNorm?: number;
  /** Continue a run from a checkpoint's state (restore the optimizer's own state first, with `setState`). */
  resume?: FitState;
  /** Receives the run's state every `checkpointEvery` epochs, to be saved with the model and optimizer. */
  onCheckpoint?: (state: FitState) => void;
  /** Epochs between checkpoints (default 1). */
  checkpointEvery?: number;
  /** Called after every step; return `false` to stop. */
  onBatchEnd?: (info: BatchInfo) => void | boolean;
  /** Called after every epoch; return `false` to stop. */
  onEpochEnd?: (info: EpochInfo) => void | boolean;
}

/**
 * Where a run stands between epochs: with the model's weights and the
 * optimizer's state, enough to continue it exactly as if never stopped.
 */
export interface FitState {
  /** Epochs completed. */
  epoch: number;
  steps: number;
  /** The shuffling generator's state. */
  random: [number, number, number, number];
  history: EpochInfo[];
}

/** Why training stopped. */
export type StopReason = 'threshold' | 'epochs' | 'maxSteps' | 'callback' | 'earlyStopping' | 'timeLimit';

/** Outcome of {@link fit}. */
export interface FitResult {
  epochs: number;
  steps: number;
  stoppedBy: StopReason;
  /** Loss over all training data with the final weights. */
  loss: number;
  /** Evaluation on the validation data with the final weights, when there was any. */
  validation?: Evaluation;
  /** The epoch whose weights were restored by early stopping. */
  bestEpoch?: number;
  history: EpochInfo[];
}

/**
 * Trains `model` on inputs `x` and targets `y` with minibatch gradient
 * descent: for each batch, forward, loss, zeroGrad, backward, step. For an
 * auto-encoder pass the same data twice: `fit(model, x, x)`.
 * Validates every argument before touching the model.
 */
export function fit(model: Sequential, x: NestedNumbers | Tensor, y: NestedNumbers | Tensor, options: FitOptions = {}): FitResult {
  const settings = checkOptions(model, x, y, options);
  const { train, validation, lossName, batchSize, shuffle, epochs, maxSteps, threshold } = settings;
  const optimizer = options.optimizer ?? new SGD(model.parameters(), checkLearningRate(options.lr ?? 0.1, 'options.lr'));
  const trainer = new Trainer(model, { ...options, loss: lossName, optimizer, batchSize });
  const samples = train.x.rows;
  const batches = new Batches(train.x, train.y, batchSize, shuffle);
  const random = new Random(options.seed ?? 0);
  const order = Int32Array.from({ length: samples }, (_, i) => i);
  const classification = isClassificationLoss(lossName);
  const trainLoss = (): number => evaluateTensors(model, train.x, train.y, lossName).loss;
  const monitor = new BestWeights(model, options.earlyStopping, validation !== null);
  const started = performance.now();
  const seconds = (): number => (performance.now() - started) / 1000;

  const history: EpochInfo[] = options.resume?.history.slice() ?? [];
  let steps = options.resume?.steps ?? 0;
  let epoch = options.resume?.epoch ?? 0;
  if (options.resume !== undefined) random.setState(options.resume.random);
  let stoppedBy: StopReason | null = threshold !== undefined && trainLoss() < threshold ? 'threshold' : null;
  while (stoppedBy === null && epoch < epochs) {
    epoch++;
    if (shuffle) {
      // Each epoch shuffles the identity, so a resumed run needs only the generator's state.
      for (let i = 0; i < samples; i++) order[i] = i;
      random.shuffle(order);
    }
    let lossSum = 0;
    let correct = 0;
    let seen = 0;
    let batchCount = 0;
    for (let start = 0; start < samples && stoppedBy === null; start += batchSize) {
      const rows = Math.min(batchSize, samples - start);
      batches.gather(order, start, rows);
      const loss = trainer.step(batches.x, batches.y, rows);
      batchCount++;
      if (!Number.isFinite(loss)) throw nonFiniteLoss(loss, ` at epoch ${epoch}, batch ${batchCount}`);
      steps++;
      lossSum += loss;
      seen += rows;
      if (classification) correct += countCorrect(trainer.outputs, train.y, order, start, rows);
      if (options.onBatchEnd?.({ epoch, batch: batchCount, steps, loss }) === false) stoppedBy = 'callback';
      else if (steps >= maxSteps) stoppedBy = 'maxSteps';
      else if (settings.timeLimit !== undefined && seconds() >= settings.timeLimit) stoppedBy = 'timeLimit';
    }
    const info: EpochInfo = { epoch, steps, loss: lossSum / batchCount, lr: optimizer.lr, seconds: 0 };
    if (classification) info.accuracy = correct / seen;
    if (validation !== null) {
      const result = evaluateTensors(model, validation.x, validation.y, lossName);
      info.valLoss = result.loss;
      if (result.classification !== undefined) info.valAccuracy = result.classification.accuracy;
    }
    info.seconds = seconds();
    history.push(info);
    const improvedEnough = monitor.observe(info);
    if (options.onEpochEnd?.(info) === false) stoppedBy ??= 'callback';
    if (threshold !== undefined && trainLoss() < threshold) stoppedBy = 'threshold';
    else if (!improvedEnough) stoppedBy ??= 'earlyStopping';
    if (options.onCheckpoint !== undefined && epoch % settings.checkpointEvery === 0) {
      options.onCheckpoint({ epoch, steps, random: random.getState(), history: history.slice() });
    }
  }
  const bestEpoch = stoppedBy === 'earlyStopping' ? monitor.restore() : undefined;
  const result: FitResult = { epochs: epoch, steps, stoppedBy: stoppedBy ?? 'epochs', loss: trainLoss(), history };
  if (validation !== null) result.validation = evaluateTensors(model, validation.x, validation.y, lossName);
  if (bestEpoch !== undefined) result.bestEpoch = bestEpoch;
  return result;
}

/**
 * Minibatch buffers, allocated once and refilled in the epoch's order; a
 * full, unshuffled batch is the data itself.
 */
class Batches {
  readonly x: FloatArray;
  readonly y: FloatArray;
  private readonly whole: boolean;

  constructor(private readonly inputs: Tensor, private readonly targets: Tensor, batchSize: number, shuffle: boolean) {
    this.whole = batchSize === inputs.rows && !shuffle;
    this.x = this.whole ? inputs.data : allocate(inputs.dtype, batchSize * inputs.cols);
    this.y = this.whole ? targets.data : allocate(targets.dtype, batchSize * targets.cols);
  }

  /** Copies rows `order[start .. start+rows)` into the buffers. */
  gather(order: Int32Array, start: number, rows: number): void {
    if (this.whole) return;
    gatherRows(this.x, this.inputs, order, start, rows);
    gatherRows(this.y, this.targets, order, start, rows);
  }
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

interface Split {
  x: Tensor;
  y: Tensor;
}

/** Every option checked and every input converted, before anything changes. */
function checkOptions(model: Sequential, x: NestedNumbers | Tensor, y: NestedNumbers | Tensor, options: FitOptions) {
  const inputs = model.toInput(x, 'x');
  const targets = model.toInput(y, 'y', model.outputSize);
  if (targets.rows !== inputs.rows) {
    throw new GlassnetError({ code: 'shape', argument: 'y', expected: `${inputs.rows} rows (one per row of x)`, found: `${targets.rows} rows` });
  }
  const lossName = checkLoss(options.loss ?? 'squaredError', 'options.loss');
  if (options.optimizer === undefined) checkLearningRate(options.lr ?? 0.1, 'options.lr');
  const epochs = positiveInteger(options.epochs ?? 1000, 'options.epochs');
  const maxSteps = options.maxSteps === undefined ? Infinity : positiveInteger(options.maxSteps, 'options.maxSteps');
  const threshold = options.errorThreshold === undefined ? undefined : checkNumber(options.errorThreshold, NON_NEGATIVE, 'options.errorThreshold');
  const timeLimit = options.timeLimit === undefined ? undefined : checkNumber(options.timeLimit, POSITIVE, 'options.timeLimit');
  if (options.clipNorm !== undefined) checkNumber(options.clipNorm, POSITIVE, 'options.clipNorm');
  if (options.l2 !== undefined) checkNumber(options.l2, NON_NEGATIVE, 'options.l2');
  if (options.earlyStopping !== undefined) {
    positiveInteger(options.earlyStopping.patience, 'options.earlyStopping.patience');
    if (options.earlyStopping.minDelta !== undefined) checkNumber(options.earlyStopping.minDelta, NON_NEGATIVE, 'options.earlyStopping.minDelta');
  }
  const { train, validation } = splitValidation(model, inputs, targets, options);
  if (options.earlyStopping?.monitor === 'valLoss' && validation === null) {
    throw new GlassnetError({
      code: 'state', argument: 'options.earlyStopping.monitor', expected: '"loss", or validation data to monitor "valLoss"', found: '"valLoss" without validation data',
    });
  }
  const batchSize = Math.min(positiveInteger(options.batchSize ?? train.x.rows, 'options.batchSize'), train.x.rows);
  const shuffle = options.shuffle ?? batchSize < train.x.rows;
  const checkpointEvery = positiveInteger(options.checkpointEvery ?? 1, 'options.checkpointEvery');
  if (options.resume !== undefined) checkResume(options.resume);
  return { train, validation, lossName, batchSize, shuffle, epochs, maxSteps, threshold, timeLimit, checkpointEvery };
}

function checkResume(state: FitState): void {
  const integer = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 0;
  const ok = integer(state.epoch) && integer(state.steps) && Array.isArray(state.history) && state.history.length === state.epoch
    && Array.isArray(state.random) && state.random.length === 4 && state.random.every((v) => integer(v) && v <= 0xffffffff);
  if (!ok) {
    throw new GlassnetError({
      code: 'type', argument: 'options.resume', expected: 'a FitState from onCheckpoint (epoch, steps, history of epoch entries, 4 uint32 random words)', found: describe(state),
    });
  }
}

function splitValidation(model: Sequential, inputs: Tensor, targets: Tensor, options: FitOptions): { train: Split; validation: Split | null } {
  if (options.validationData !== undefined) {
    const vx = model.toInput(options.validationData.x, 'options.validationData.x');
    const vy = model.toInput(options.validationData.y, 'options.validationData.y', model.outputSize);
    if (vx.rows !== vy.rows) {
      throw new GlassnetError({ code: 'shape', argument: 'options.validationData.y', expected: `${vx.rows} rows`, found: `${vy.rows} rows` });
    }
    return { train: { x: inputs, y: targets }, validation: { x: vx, y: vy } };
  }
  if (options.validationSplit === undefined) return { train: { x: inputs, y: targets }, validation: null };
  const fraction = options.validationSplit;
  const held = typeof fraction === 'number' ? Math.ceil(fraction * inputs.rows) : NaN;
  if (!(fraction > 0 && fraction < 1) || held >= inputs.rows) {
    throw new GlassnetError({
      code: 'range', argument: 'options.validationSplit', expected: 'a fraction in (0, 1) that leaves training samples', found: describe(fraction),
    });
  }
  const kept = inputs.rows - held;
  return { train: { x: rowsOf(inputs, 0, kept), y: rowsOf(targets, 0, kept) }, validation: { x: rowsOf(inputs, kept, inputs.rows), y: rowsOf(targets, kept, inputs.rows) } };
}

function rowsOf(t: Tensor, from: number, to: number): Tensor {
  return new Tensor(t.data.slice(from * t.cols, to * t.cols), [to - from, t.cols]);
}

function countCorrect(outputs: Float32Array | Float64Array, targets: Tensor, order: Int32Array, start: number, rows: number): number {
  const cols = targets.cols;
  let correct = 0;
  for (let r = 0; r < rows; r++) if (classOf(targets.data, order[start + r]! * cols, cols) === classOf(outputs, r * cols, cols)) correct++;
  return correct;
}

/** Early stopping's memory: the best monitored loss so far and the weights that gave it. */
class BestWeights {
  private best = Infinity;
  private bestEpoch = 0;
  private waited = 0;
  private snapshot: (Float32Array | Float64Array)[] | null = null;

  constructor(private readonly model: Sequential, private readonly options: EarlyStoppingOptions | undefined, hasValidation: boolean) {
    this.monitor = options?.monitor ?? (hasValidation ? 'valLoss' : 'loss');
  }

  private readonly monitor: 'loss' | 'valLoss';

  /** Records an epoch; false once patience has run out. */
  observe(info: EpochInfo): boolean {
    if (this.options === undefined) return true;
    const value = this.monitor === 'valLoss' ? info.valLoss! : info.loss;
    if (value < this.best - (this.options.minDelta ?? 0)) {
      this.best = value;
      this.bestEpoch = info.epoch;
      this.waited = 0;
      if (this.options.restoreBestWeights !== false) this.snapshot = this.model.parameters().map((p) => p.data.slice());
      return true;
    }
    this.waited++;
    return this.waited < this.options.patience;
  }

  /** Puts the best weights back (when asked to) and returns their epoch. */
  restore(): number {
    if (this.snapshot !== null) this.model.parameters().forEach((p, i) => p.data.set(this.snapshot![i]!));
    return this.bestEpoch;
  }
}

function positiveInteger(value: unknown, argument: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new GlassnetError({ code: 'range', argument, expected: 'a positive integer', found: describe(value) });
  }
  return value;
}
