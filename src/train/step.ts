import type { FloatArray } from '../backend/index.js';
import { getBackend } from '../backend/index.js';
import { GlassnetError, describeValue } from '../errors.js';
import { backward } from '../tensor/autograd.js';
import type { Tensor } from '../tensor/tensor.js';
import type { LossFunction } from '../nn/losses.js';
import type { Sequential } from '../nn/model.js';
import type { Optimizer } from '../optim/optimizer.js';
import { applySchedule, type LRSchedule } from '../optim/schedules.js';
import { clipGradNorm } from '../optim/clip.js';

/**
 * One training step on one batch: forward, loss, zeroGrad, backward,
 * update. Returns the batch loss measured before the update.
 * @throws GlassnetError, with the parameters untouched, when the loss is NaN or infinite.
 */
export function trainStep(model: Sequential, lossFn: LossFunction, optimizer: Optimizer, x: Tensor, y: Tensor): number {
  const loss = autogradTrainStep(model, lossFn, () => optimizer.step(), x, y).loss;
  if (!Number.isFinite(loss)) throw nonFiniteLoss(loss);
  return loss;
}

/** The error for a loss that became NaN or infinite; `where` says when (e.g. " at epoch 3, batch 7"). */
export function nonFiniteLoss(loss: number, where = ''): GlassnetError {
  return new GlassnetError({ code: 'not-finite', argument: `loss${where}`, expected: 'a finite loss (try a smaller learning rate)', found: describeValue(loss) });
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
    for (let i = 0; i < penalized.length; i++) backend.axpy(penalized[i]!.grad!.data, penalized[i]!.data, l2!, penalized[i]!.size);
    if (clipNorm !== undefined) clipGradNorm(optimizer.params, clipNorm);
    if (schedule !== undefined) applySchedule(optimizer, schedule);
    optimizer.step();
  };
}

/** The loss of one step (non-finite: nothing was updated) and the batch's outputs. */
export interface TrainStepResult {
  loss: number;
  /** `rows × outputs` network outputs of the batch. */
  outputs: FloatArray;
}

/** One training step through the recorded (autograd) ops; a non-finite loss returns before anything changes. */
export function autogradTrainStep(model: Sequential, lossFn: LossFunction, update: Update, x: Tensor, y: Tensor): TrainStepResult {
  const outputs = model.forward(x, true);
  const loss = lossFn(outputs, y);
  const value = loss.item();
  if (Number.isFinite(value)) {
    for (const p of model.parameters()) p.grad?.data.fill(0);
    backward(loss);
    update();
  }
  return { loss: value, outputs: outputs.data };
}
