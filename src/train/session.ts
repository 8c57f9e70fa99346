/**
 * Training one batch at a time, for loops that someone else drives: a UI,
 * a Web Worker posting snapshots, a test. `fit` runs the same epochs
 * through the same {@link EpochCursor}, so a session stepped to the end of
 * an epoch holds exactly the weights `fit` would.
 */
import type { FloatArray } from '../backend/index.js';
import { GlassnetError, describeValue } from '../errors.js';
import { checkOneOf } from '../util/checks.js';
import type { NestedNumbers, Tensor } from '../tensor/tensor.js';
import type { LossOptions } from '../tensor/ops.js';
import type { ActivationName } from '../nn/activations.js';
import { Dense } from '../nn/layers.js';
import { checkLoss, type LossName } from '../nn/losses.js';
import { mlp, mlpChecked, type MlpOptions, type Sequential } from '../nn/model.js';
import { createOptimizer, type OptimizerName } from '../optim/factory.js';
import type { Optimizer } from '../optim/optimizer.js';
import { RATE, checkInteger, checkNumber, checkOptions, optionNames } from '../util/checks.js';
import { cosineAnnealing, exponentialDecay, stepDecay, type LRSchedule } from '../optim/schedules.js';
import { Random } from '../util/random.js';
import { LOSS_RECORDS, type OutputReading } from '../primitives/losses.js';
import { Batches, countCorrect } from './batches.js';
import { evaluateTensors, isClassificationLoss, toSamples, type Evaluation, type Samples } from './evaluate.js';
import type { EpochInfo } from './fit-types.js';
import { nonFiniteLoss } from './step.js';
import { Trainer } from './trainer.js';

/**
 * One pass over the training samples, batch by batch, in an order shuffled
 * per epoch from the run's generator. It keeps the epoch's running loss
 * and accuracy. `fit` and {@link TrainingSession} both drive it.
 */
export class EpochCursor {
  /** The sample order of the current epoch. */
  readonly order: Int32Array;
  private readonly batches: Batches;
  private readonly classification: boolean;
  /** How the loss reads outputs as probabilities, which decides their class (see `classOfRow`). */
  private readonly reading: OutputReading;
  /** The 1-based epoch being run (0 before the first). */
  epoch = 0;
  /** Samples of the current epoch already trained on. */
  position: number;
  /** Batches of the current epoch so far. */
  batch = 0;
  private lossSum = 0;
  private correct = 0;

  constructor(
    readonly trainer: Trainer, readonly train: Samples, readonly batchSize: number, readonly shuffle: boolean, private readonly random: Random,
  ) {
    this.order = Int32Array.from({ length: train.x.rows }, (_, i) => i);
    this.batches = new Batches(train.x, train.y, batchSize, shuffle);
    this.classification = isClassificationLoss(trainer.loss);
    this.reading = LOSS_RECORDS[trainer.loss].probabilities;
    this.position = train.x.rows; // no epoch begun: the next step begins one
  }

  /** Whether every sample of the current epoch has been trained on. */
  get done(): boolean {
    return this.position >= this.train.x.rows;
  }

  /** Starts epoch `epoch`: a fresh order (when shuffling) and zeroed sums. */
  begin(epoch: number): void {
    this.epoch = epoch;
    if (this.shuffle) {
      // Each epoch shuffles the identity, so a resumed run needs only the generator's state.
      for (let i = 0; i < this.order.length; i++) this.order[i] = i;
      this.random.shuffle(this.order);
    }
    this.position = 0;
    this.batch = 0;
    this.lossSum = 0;
    this.correct = 0;
  }

  /** The rows of the next batch, as `order[position .. position + rows)`. */
  get nextRows(): number {
    return Math.min(this.batchSize, this.train.x.rows - this.position);
  }

  /**
   * Trains on the next batch and returns its loss (before the update).
   * @throws GlassnetError `numeric` on a NaN or infinite loss (nothing updated).
   */
  next(): number {
    const rows = this.nextRows;
    this.batches.gather(this.order, this.position, rows);
    const loss = this.trainer.step(this.batches.x, this.batches.y, rows);
    this.batch++;
    if (!Number.isFinite(loss)) throw nonFiniteLoss(loss, ` at epoch ${this.epoch}, batch ${this.batch}`);
    this.lossSum += loss;
    if (this.classification) this.correct += countCorrect(this.trainer.outputs, this.train.y, this.order, this.position, rows, this.reading);
    this.position += rows;
    return loss;
  }

  /** The epoch's figures so far: mean batch loss and, for classification, the share of seen samples classified right. */
  figures(): { loss: number; accuracy?: number } {
    const loss = this.lossSum / this.batch;
    return this.classification ? { loss, accuracy: this.correct / this.position } : { loss };
  }
}

/** An epoch's figures as `fit` reports them (key order kept for saved histories); `seconds` is filled in by the caller. */
export function epochInfo(epoch: number, steps: number, cursor: EpochCursor, lr: number): EpochInfo {
  const { loss, accuracy } = cursor.figures();
  const info: EpochInfo = { epoch, steps, loss, lr, seconds: 0 };
  if (accuracy !== undefined) info.accuracy = accuracy;
  return info;
}

/** Adds the held-out data's loss (and accuracy, for a classification loss) to an epoch's figures: `fit`'s validation and a session's test data. */
export function scoreHeldOut(info: EpochInfo, model: Sequential, heldOut: Samples, loss: LossName, lossOptions: LossOptions): void {
  const result = evaluateTensors(model, heldOut.x, heldOut.y, loss, lossOptions);
  info.valLoss = result.loss;
  if (result.classification !== undefined) info.valAccuracy = result.classification.accuracy;
}

/**
 * The batch size (default: every row, full-batch; more than the rows
 * means all of them) and whether to shuffle (default: when batches are
 * smaller than the data), as `fit` and a session read their options.
 */
export function batching(options: { batchSize?: number; shuffle?: boolean }, rows: number): { batchSize: number; shuffle: boolean } {
  const batchSize = Math.min(checkInteger(options.batchSize ?? rows, 1, 'options.batchSize'), rows);
  return { batchSize, shuffle: options.shuffle ?? batchSize < rows };
}

// ----------------------------------------------------------------- schedules as data

/** Names of the learning-rate schedules a {@link ScheduleSpec} can describe. */
export const SCHEDULES = ['none', 'stepDecay', 'exponentialDecay', 'cosineAnnealing'] as const;
/** One of {@link SCHEDULES}. */
export type ScheduleName = (typeof SCHEDULES)[number];

/**
 * A schedule as plain data (for a URL, a worker message or a file):
 * `stepDecay` uses `steps` (stepSize) and `gamma`, `exponentialDecay`
 * uses `gamma`, `cosineAnnealing` uses `steps` (tMax).
 */
export interface ScheduleSpec {
  kind: ScheduleName;
  steps?: number;
  gamma?: number;
}

/** The {@link LRSchedule} a spec describes, or undefined for `"none"`. */
export function scheduleFrom(spec: ScheduleSpec): LRSchedule | undefined {
  const kind = checkOneOf(SCHEDULES, spec.kind, 'schedule.kind');
  switch (kind) {
    case 'none':
      return undefined;
    case 'stepDecay':
      return stepDecay({ stepSize: spec.steps ?? 100, gamma: spec.gamma ?? 0.5 });
    case 'exponentialDecay':
      return exponentialDecay({ gamma: spec.gamma ?? 0.999 });
    case 'cosineAnnealing':
      return cosineAnnealing({ tMax: spec.steps ?? 1000 });
    default:
      return kind satisfies never;
  }
}

// ----------------------------------------------------------------- the network of a recipe

/** What decides a multilayer perceptron and its initial weights: {@link mlp}'s options with the sizes. */
export interface NetworkSpec extends MlpOptions {
  /** Layer sizes, inputs first, outputs last. */
  sizes: readonly number[];
}

/** Every field of a {@link NetworkSpec}; any other is refused. */
const NETWORK_SPEC_KEYS = optionNames<NetworkSpec>({
  sizes: true, activation: true, outputActivation: true, alpha: true, init: true, seed: true, dropout: true, dtype: true,
});

/**
 * The network a spec describes: {@link mlp} with the spec's options, after
 * checking the spec as data (it may come from a URL, a worker message or
 * a file). So one spec gives bit-identical weights here, in `mlp` and in
 * the CLI.
 */
export function networkFrom(spec: NetworkSpec): Sequential {
  checkOptions(spec, NETWORK_SPEC_KEYS, 'spec');
  const { sizes, ...options } = spec;
  if (!Array.isArray(sizes) || sizes.length < 2) {
    throw new GlassnetError({ code: 'shape', argument: 'sizes', expected: 'at least two layer sizes (inputs and outputs)', found: describeValue(sizes) });
  }
  sizes.forEach((n, i) => checkInteger(n, 1, `sizes[${i}]`));
  return mlpChecked(sizes, options, checkNumber(spec.dropout ?? 0, RATE, 'dropout'));
}

// ----------------------------------------------------------------- the session

/** Labelled rows (or tensors of the model's widths). */
export interface SessionData {
  x: NestedNumbers | Tensor;
  y: NestedNumbers | Tensor;
}

/** Options of {@link TrainingSession}. */
export interface SessionOptions {
  /** Loss to minimise (default `"squaredError"`). */
  loss?: LossName;
  /** An optimizer over `model.parameters()` (default: built from `optimizerName` and `lr`). */
  optimizer?: Optimizer;
  /** Optimizer to build when `optimizer` is not given (default `"sgd"`). */
  optimizerName?: OptimizerName;
  /** Learning rate of the built optimizer (default: the optimizer's own, 0.1 for SGD... see its class). */
  lr?: number;
  /** Samples per step (default: all, full-batch). */
  batchSize?: number;
  /** Shuffle each epoch (default: when batches are smaller than the data). */
  shuffle?: boolean;
  /** Seed of the shuffling (default 0), as `fit`'s. */
  seed?: number;
  /** L2 penalty on weights. */
  l2?: number;
  /** Learning-rate schedule, as a function or as data. */
  schedule?: LRSchedule | ScheduleSpec;
  clipNorm?: number;
  /** The loss's options (per-class weights, Huber's δ), as fit's `lossOptions`; training and scoring both use them. */
  lossOptions?: LossOptions;
  /** Held-out data, scored by {@link TrainingSession.evaluate} and in each epoch's figures. */
  test?: SessionData;
}

/** Every option a {@link TrainingSession} reads; any other is refused. */
const SESSION_OPTIONS = optionNames<SessionOptions>({
  loss: true, optimizer: true, optimizerName: true, lr: true, batchSize: true, shuffle: true, seed: true, l2: true, schedule: true, clipNorm: true, lossOptions: true, test: true,
});

/** What one {@link TrainingSession.step} did. */
export interface SessionStep {
  /** The epoch the batch belonged to (1-based). */
  epoch: number;
  /** 1-based batch number within the epoch. */
  batch: number;
  /** Optimizer steps so far, this one included. */
  steps: number;
  /** The batch's loss, before its update. */
  loss: number;
  /** The epoch's figures, when this batch was its last. */
  epochEnd?: EpochInfo;
}

/** One layer's numbers at a moment of training, copied (safe to post to another thread). */
export interface LayerSnapshot {
  name: string;
  kind: 'dense' | 'dropout';
  inputs: number;
  units: number;
  activation?: ActivationName;
  /** `[units][inputs]`, row-major. */
  weight?: Float64Array;
  bias?: Float64Array;
  /** The last step's ∂L/∂W (zeros before the first step). */
  weightGrad?: Float64Array;
  biasGrad?: Float64Array;
}

/** Where a session stands: counters, the history and every parameter with its last gradient. */
export interface SessionSnapshot {
  epoch: number;
  steps: number;
  /** The loss of the last batch (NaN before the first step). */
  lastLoss: number;
  lr: number;
  layers: LayerSnapshot[];
}

/**
 * A training run that advances only when asked: {@link step} trains one
 * batch, {@link epoch} finishes the current epoch, {@link snapshot} copies
 * the weights and gradients, and stopping is just not calling again.
 * Everything is validated by the constructor, before anything changes.
 *
 * ```ts
 * const session = new TrainingSession(mlp([2, 8, 2], { activation: 'tanh', outputActivation: 'linear' }), xor(), {
 *   loss: 'softmaxCrossEntropy', optimizerName: 'adam', lr: 0.01, batchSize: 10, seed: 1,
 * });
 * while (session.evaluate().loss > 0.05) session.epoch(); // or step() from a timer, a worker, a button
 * ```
 */
export class TrainingSession {
  readonly model: Sequential;
  readonly trainer: Trainer;
  readonly optimizer: Optimizer;
  readonly loss: LossName;
  /** The loss's options, as given (see {@link SessionOptions.lossOptions}). */
  readonly lossOptions: LossOptions;
  readonly train: Samples;
  readonly test: Samples | null;
  /** One entry per finished epoch. */
  readonly history: EpochInfo[] = [];
  private readonly cursor: EpochCursor;
  private readonly random: Random;
  private stepCount = 0;
  private lastLoss = NaN;
  private readonly started = performance.now();

  constructor(model: Sequential, data: SessionData, options: SessionOptions = {}) {
    checkOptions(options, SESSION_OPTIONS);
    this.loss = checkLoss(options.loss ?? 'squaredError', 'options.loss');
    this.lossOptions = options.lossOptions ?? {};
    this.train = toSamples(model, data.x, data.y);
    this.test = options.test === undefined ? null : toSamples(model, options.test.x, options.test.y, 'options.test.');
    const { batchSize, shuffle } = batching(options, this.train.x.rows);
    const schedule = options.schedule === undefined || 'lrAt' in options.schedule ? options.schedule : scheduleFrom(options.schedule);
    const optimizer = options.optimizer
      ?? createOptimizer(options.optimizerName ?? 'sgd', model.parameters(), options.lr === undefined ? {} : { lr: options.lr });
    this.model = model;
    this.trainer = new Trainer(model, {
      loss: this.loss, lossOptions: this.lossOptions, optimizer, batchSize,
      ...(options.l2 === undefined ? {} : { l2: options.l2 }),
      ...(options.clipNorm === undefined ? {} : { clipNorm: options.clipNorm }),
      ...(schedule === undefined ? {} : { schedule }),
    });
    this.optimizer = this.trainer.optimizer;
    this.random = new Random(options.seed ?? 0);
    this.cursor = new EpochCursor(this.trainer, this.train, batchSize, shuffle, this.random);
  }

  /** Finished epochs. */
  get epochs(): number {
    return this.history.length;
  }

  /** Optimizer steps taken. */
  get steps(): number {
    return this.stepCount;
  }

  /** Samples per step. */
  get batchSize(): number {
    return this.cursor.batchSize;
  }

  /**
   * The sample indices (rows of the training data) of the batch the next
   * {@link step} trains on. Starting a new epoch draws its order here, as
   * `step` would.
   */
  nextBatch(): Int32Array {
    if (this.cursor.done) this.cursor.begin(this.history.length + 1);
    return this.cursor.order.subarray(this.cursor.position, this.cursor.position + this.cursor.nextRows);
  }

  /**
   * Trains one batch.
   * @throws GlassnetError `numeric` on a NaN or infinite loss, with nothing updated.
   */
  step(): SessionStep {
    if (this.cursor.done) this.cursor.begin(this.history.length + 1);
    const loss = this.cursor.next();
    this.stepCount++;
    this.lastLoss = loss;
    const result: SessionStep = { epoch: this.cursor.epoch, batch: this.cursor.batch, steps: this.stepCount, loss };
    if (this.cursor.done) result.epochEnd = this.finishEpoch();
    return result;
  }

  /** Trains to the end of the current epoch (a whole one when none is under way) and returns its figures. */
  epoch(): EpochInfo {
    for (;;) {
      const { epochEnd } = this.step();
      if (epochEnd !== undefined) return epochEnd;
    }
  }

  /** Loss (and classification report) on the training data, and on the test data when given, with the current weights. */
  evaluate(): { train: Evaluation; test?: Evaluation } {
    const train = evaluateTensors(this.model, this.train.x, this.train.y, this.loss, this.lossOptions);
    return this.test === null ? { train } : { train, test: evaluateTensors(this.model, this.test.x, this.test.y, this.loss, this.lossOptions) };
  }

  /** Copies of every layer's parameters and last gradients, with the counters. */
  snapshot(): SessionSnapshot {
    const copy = (data: FloatArray | undefined): Float64Array | undefined => (data === undefined ? undefined : Float64Array.from(data));
    const layers = this.model.layers.map((layer): LayerSnapshot => {
      if (layer instanceof Dense) {
        const s: LayerSnapshot = { name: layer.name, kind: 'dense', inputs: layer.inputSize, units: layer.outputSize, activation: layer.activation, weight: copy(layer.weight.data)! };
        const weightGrad = copy(layer.weight.grad?.data);
        if (weightGrad !== undefined) s.weightGrad = weightGrad;
        if (layer.bias !== null) {
          s.bias = copy(layer.bias.data)!;
          const biasGrad = copy(layer.bias.grad?.data);
          if (biasGrad !== undefined) s.biasGrad = biasGrad;
        }
        return s;
      }
      return { name: layer.name, kind: 'dropout', inputs: layer.inputSize, units: layer.outputSize };
    });
    return { epoch: this.history.length, steps: this.stepCount, lastLoss: this.lastLoss, lr: this.optimizer.lr, layers };
  }

  private finishEpoch(): EpochInfo {
    const info = epochInfo(this.cursor.epoch, this.stepCount, this.cursor, this.optimizer.lr);
    if (this.test !== null) scoreHeldOut(info, this.model, this.test, this.loss, this.lossOptions);
    info.seconds = (performance.now() - this.started) / 1000;
    this.history.push(info);
    return info;
  }
}

/** A session and the network it trains, built from one recipe (see {@link networkFrom}). */
export function createSession(spec: NetworkSpec, data: SessionData, options: SessionOptions = {}): TrainingSession {
  return new TrainingSession(networkFrom(spec), data, options);
}
