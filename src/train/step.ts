import type { FloatArray } from '../backend/index.js';
import { getBackend } from '../backend/index.js';
import { GlassnetError, describe } from '../errors.js';
import { backward } from '../tensor/autograd.js';
import { Tensor, allocate } from '../tensor/tensor.js';
import type { LossFunction, LossName } from '../nn/losses.js';
import type { Sequential } from '../nn/model.js';
import type { Optimizer } from '../optim/optimizer.js';
import { applySchedule, type LRSchedule } from '../optim/schedules.js';
import { clipGradNorm } from '../optim/clip.js';
import { TrainingPlan } from './plan.js';

/**
 * One training step on one batch: forward, loss, zeroGrad, backward,
 * update. Returns the batch loss measured before the update.
 * @throws GlassnetError, with the parameters untouched, when the loss is NaN or infinite.
 */
export function trainStep(model: Sequential, lossFn: LossFunction, optimizer: Optimizer, x: Tensor, y: Tensor): number {
  const loss = recordedStep(model, lossFn, () => optimizer.step(), x, y).loss;
  if (!Number.isFinite(loss)) throw nonFiniteLoss(loss);
  return loss;
}

/** The error for a loss that became NaN or infinite; `where` says when (e.g. " at epoch 3, batch 7"). */
export function nonFiniteLoss(loss: number, where = ''): GlassnetError {
  return new GlassnetError({ code: 'not-finite', argument: `loss${where}`, expected: 'a finite loss (try a smaller learning rate)', found: describe(loss) });
}

/** Applies the gradients now in `.grad`: L2 penalty, clipping, this step's rate, the update. */
export type Update = () => void;

/** What to do with gradients before the optimizer sees them. */
export interface UpdateOptions {
  /** L2 penalty λ: adds λ·w to the gradient of every weight (not biases). */
  l2?: number;
  clipNorm?: number;
  schedule?: LRSchedule;
}

export function updater(model: Sequential, optimizer: Optimizer, options: UpdateOptions): Update {
  const { l2, clipNorm, schedule } = options;
  const penalized = l2 === undefined || l2 === 0 ? [] : model.weights().filter((w) => w.requiresGrad);
  const backend = getBackend();
  return () => {
    for (const w of penalized) backend.axpy(w.grad!.data, w.data, l2!, w.size);
    if (clipNorm !== undefined) clipGradNorm(optimizer.params, clipNorm);
    if (schedule !== undefined) applySchedule(optimizer, schedule);
    optimizer.step();
  };
}

/** The loss of one step (non-finite: nothing was updated) and the batch's outputs. */
export interface StepResult {
  loss: number;
  /** `rows × outputs` network outputs of the batch, valid until the next step. */
  outputs: FloatArray;
}

/** Runs one step on rows `order[start .. start+rows)` of the training data. */
export type Stepper = (order: Int32Array, start: number, rows: number) => StepResult;

/**
 * The fastest correct way to step this model: a {@link TrainingPlan} (no
 * allocation, bit-identical to autograd) when the model allows one, the
 * recorded path otherwise. Batches are gathered into buffers allocated
 * once; a full, unshuffled batch is the data itself.
 */
export function stepper(
  model: Sequential, lossName: LossName, lossFn: LossFunction, update: Update,
  inputs: Tensor, targets: Tensor, batchSize: number, shuffle: boolean,
): Stepper {
  const whole = batchSize === inputs.rows && !shuffle;
  const xBatch = whole ? inputs.data : allocate(inputs.dtype, batchSize * inputs.cols);
  const yBatch = whole ? targets.data : allocate(targets.dtype, batchSize * targets.cols);
  const gather = (order: Int32Array, start: number, rows: number): void => {
    if (whole) return;
    gatherRows(xBatch, inputs, order, start, rows);
    gatherRows(yBatch, targets, order, start, rows);
  };
  const plan = TrainingPlan.for(model, lossName, batchSize);
  if (plan !== null) {
    const result: StepResult = { loss: 0, outputs: plan.outputs };
    return (order, start, rows) => {
      gather(order, start, rows);
      result.loss = plan.gradients(xBatch, yBatch, rows);
      if (Number.isFinite(result.loss)) update();
      return result;
    };
  }
  return (order, start, rows) => {
    gather(order, start, rows);
    const x = new Tensor(xBatch.subarray(0, rows * inputs.cols), [rows, inputs.cols]);
    const y = new Tensor(yBatch.subarray(0, rows * targets.cols), [rows, targets.cols]);
    return recordedStep(model, lossFn, update, x, y);
  };
}

/** The recorded (autograd) step; a non-finite loss returns before anything changes. */
function recordedStep(model: Sequential, lossFn: LossFunction, update: Update, x: Tensor, y: Tensor): StepResult {
  const outputs = model.forward(x, true);
  const loss = lossFn(outputs, y);
  if (!Number.isFinite(loss.item())) return { loss: loss.item(), outputs: outputs.data };
  for (const p of model.parameters()) p.grad?.data.fill(0);
  backward(loss);
  update();
  return { loss: loss.item(), outputs: outputs.data };
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
