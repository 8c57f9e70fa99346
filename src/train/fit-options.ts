import { defaultWasmThreads, THREADED_MATMUL_WORK } from '../backend/index.js';
import { GlassnetError, describeValue } from '../errors.js';
import { Tensor, zeros, type NestedNumbers } from '../tensor/tensor.js';
import { checkLoss, type LossName } from '../nn/losses.js';
import type { Sequential } from '../nn/model.js';
import { checkLearningRate } from '../optim/optimizer.js';
import { NON_NEGATIVE, POSITIVE, checkInteger, checkNumber, checkOptions, optionNames } from '../util/checks.js';
import { heldOutCount, splitIndices } from '../util/split.js';
import { toSamples, type Samples } from './evaluate.js';
import type { FitOptions, FitState } from './fit-types.js';
import { batching } from './session.js';
import { checkLossOptions, checkUpdateOptions } from './trainer.js';

/** Every option {@link fit} reads; any other (a typo such as `epoch`) is refused. */
const FIT_OPTIONS = optionNames<FitOptions>({
  loss: true, lossOptions: true, lr: true, optimizer: true, epochs: true, maxSteps: true, batchSize: true, shuffle: true, seed: true, errorThreshold: true,
  timeLimit: true, validationSplit: true, validationData: true, earlyStopping: true, l2: true, schedule: true, clipNorm: true, resume: true,
  onCheckpoint: true, checkpointEvery: true, onBatchEnd: true, onEpochEnd: true, threads: true,
});

/** Every option checked and every input converted, before anything changes. */
export function checkFitOptions(model: Sequential, x: NestedNumbers | Tensor, y: NestedNumbers | Tensor, options: FitOptions) {
  checkOptions(options, FIT_OPTIONS);
  const lossName = checkLoss(options.loss ?? 'squaredError', 'options.loss');
  const { x: inputs, y: targets } = toSamples(model, x, y, '', lossName);
  checkLossOptions(model, lossName, options.lossOptions);
  if (options.optimizer === undefined) checkLearningRate(options.lr ?? 0.1, 'options.lr');
  checkUpdateOptions(options);
  const epochs = checkInteger(options.epochs ?? 1000, 1, 'options.epochs');
  const maxSteps = options.maxSteps === undefined ? Infinity : checkInteger(options.maxSteps, 1, 'options.maxSteps');
  const threshold = options.errorThreshold === undefined ? undefined : checkNumber(options.errorThreshold, NON_NEGATIVE, 'options.errorThreshold');
  const timeLimit = options.timeLimit === undefined ? undefined : checkNumber(options.timeLimit, POSITIVE, 'options.timeLimit');
  if (options.earlyStopping !== undefined) {
    checkInteger(options.earlyStopping.patience, 1, 'options.earlyStopping.patience');
    if (options.earlyStopping.minDelta !== undefined) checkNumber(options.earlyStopping.minDelta, NON_NEGATIVE, 'options.earlyStopping.minDelta');
  }
  const { train, validation } = splitValidation(model, inputs, targets, options, lossName);
  if (options.earlyStopping?.monitor === 'valLoss' && validation === null) {
    throw new GlassnetError({
      code: 'state', argument: 'options.earlyStopping.monitor', expected: '"loss", or validation data to monitor "valLoss"', found: '"valLoss" without validation data',
    });
  }
  const { batchSize, shuffle } = batching(options, train.x.rows);
  const checkpointEvery = checkInteger(options.checkpointEvery ?? 1, 1, 'options.checkpointEvery');
  if (options.resume !== undefined) checkResume(options.resume);
  const threads = options.threads === undefined || options.threads === 'auto' ? autoThreads(model, batchSize) : checkInteger(options.threads, 1, 'options.threads');
  return { train, validation, lossName, batchSize, shuffle, epochs, maxSteps, threshold, timeLimit, checkpointEvery, threads };
}

/**
 * `threads: 'auto'`: every core when a batch's products are large enough
 * to be split (the batch times the largest parameter, the largest
 * product's multiply-adds for a Dense network), else null (leave the
 * active backend as it is).
 */
function autoThreads(model: Sequential, batchSize: number): number | null {
  const largest = Math.max(0, ...model.parameters().map((p) => p.size));
  return batchSize * largest >= THREADED_MATMUL_WORK ? defaultWasmThreads() : null;
}

function checkResume(state: FitState): void {
  const integer = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 0;
  const ok = integer(state.epoch) && integer(state.steps) && Array.isArray(state.history) && state.history.length === state.epoch
    && Array.isArray(state.random) && state.random.length === 4 && state.random.every((v) => integer(v) && v <= 0xffffffff);
  if (!ok) {
    throw new GlassnetError({
      code: 'type', argument: 'options.resume', expected: 'a FitState from onCheckpoint (epoch, steps, history of epoch entries, 4 uint32 random words)', found: describeValue(state),
    });
  }
}

function splitValidation(model: Sequential, inputs: Tensor, targets: Tensor, options: FitOptions, lossName: LossName): { train: Samples; validation: Samples | null } {
  if (options.validationData !== undefined) {
    return { train: { x: inputs, y: targets }, validation: toSamples(model, options.validationData.x, options.validationData.y, 'options.validationData.', lossName) };
  }
  if (options.validationSplit === undefined) return { train: { x: inputs, y: targets }, validation: null };
  const fraction = options.validationSplit;
  const n = inputs.rows;
  const held = heldOutCount(fraction, n, 'options.validationSplit');
  const { train, test } = splitIndices(n, held, options.seed ?? 0, stratifiable(targets));
  return { train: { x: rowsOf(inputs, train), y: rowsOf(targets, train) }, validation: { x: rowsOf(inputs, test), y: rowsOf(targets, test) } };
}

/**
 * Each sample's class when the targets are classes (one-hot rows, or a
 * single 0/1 column), so the validation set keeps the class shares; null
 * for other targets, which are split at random.
 */
function stratifiable(targets: Tensor): Int32Array | null {
  const { data, rows, cols } = targets;
  const classes = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    if (cols === 1) {
      const v = data[r]!;
      if (v !== 0 && v !== 1) return null;
      classes[r] = v;
      continue;
    }
    let hot = -1;
    for (let c = 0; c < cols; c++) {
      const v = data[r * cols + c]!;
      if (v === 1 && hot < 0) hot = c;
      else if (v !== 0) return null;
    }
    if (hot < 0) return null;
    classes[r] = hot;
  }
  return classes;
}

/** The given rows of `t`, in that order. */
function rowsOf(t: Tensor, rows: readonly number[]): Tensor {
  const out = zeros([rows.length, t.cols], t.dtype);
  rows.forEach((r, i) => out.data.set(t.data.subarray(r * t.cols, (r + 1) * t.cols), i * t.cols));
  return out;
}
