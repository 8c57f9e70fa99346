/**
 * A loss's forward and backward as a fixed sequence of backend calls over
 * plain arrays. The recorded loss ops (ops.ts) and the planned training
 * step (train/plan.ts) both run these very functions, so the two paths
 * cannot compute a loss differently; the per-element arithmetic itself is
 * in the records of `primitives/losses.ts`.
 */
import type { Backend, FloatArray } from '../backend/index.js';
import { LOSS_RECORDS, type LossName } from '../primitives/losses.js';

/** A loss with its settings resolved: the option's value (0 without one) and the class weights (null without). */
export interface LossSetting {
  readonly name: LossName;
  readonly option: number;
  /** One weight per output column (class), or null. */
  readonly weight: FloatArray | null;
}

/** Scratch arrays of one loss evaluation, sized for `rows × cols` outputs. */
export interface LossBuffers {
  /** Per-element terms (point losses, `rows·cols`) or per-row terms (softmax cross-entropy, `rows`). */
  terms: FloatArray;
  /** Softmax cross-entropy with weights: the weighted targets `t ⊙ w` (`rows·cols`); else unused. */
  weighted: FloatArray;
  /** Softmax cross-entropy: the probabilities of the backward pass (`rows·cols`); else unused. */
  probabilities: FloatArray;
  /**
   * What {@link lossValue} divided the summed terms by (rows, elements, or
   * the weights' sum), for {@link lossGradient}; kept here so that a step
   * allocates no result object.
   */
  divisor: number;
}

/** Buffers for `rows × cols` outputs, allocated with `allocate`. */
export function lossBuffers(setting: LossSetting, rows: number, cols: number, allocate: (size: number) => FloatArray): LossBuffers {
  const rowLoss = LOSS_RECORDS[setting.name].point === null;
  const n = rows * cols;
  return {
    terms: allocate(rowLoss ? rows : n),
    weighted: allocate(rowLoss && setting.weight !== null ? n : 0),
    probabilities: allocate(rowLoss ? n : 0),
    divisor: 1,
  };
}

/**
 * Fills `buffers.terms` and `buffers.divisor` and returns the sum of the
 * terms: the loss is sum/divisor for softmax cross-entropy and
 * sum·(1/divisor) otherwise (see {@link lossValue}; each keeps the rounding
 * it has always had).
 */
function terms(b: Backend, setting: LossSetting, o: FloatArray, t: FloatArray, rows: number, cols: number, buffers: LossBuffers): number {
  const record = LOSS_RECORDS[setting.name];
  const n = rows * cols;
  const { weight } = setting;
  if (record.point === null) {
    // Weighted rows are the same kernel on t ⊙ w; the mean divides by Σ w·t, PyTorch's weight semantics.
    const target = weight === null ? t : buffers.weighted;
    if (weight !== null) b.binary('mul', buffers.weighted, t, weight, n, cols);
    b.softmaxCrossEntropyRows(buffers.terms, o, target, rows, cols);
    buffers.divisor = weight === null ? rows : b.sum(buffers.weighted, n);
    return b.sum(buffers.terms, rows);
  }
  b.pointLoss(record.point, buffers.terms, o, t, n, setting.option);
  if (weight !== null) b.binary('mul', buffers.terms, buffers.terms, weight, n, cols);
  buffers.divisor = record.reduction === 'rows' ? rows : n;
  return b.sum(buffers.terms, n);
}

/**
 * The loss value (in float64; callers round it to their dtype): Σ terms /
 * divisor, with the divisor (rows, elements, or the weights' sum) left in
 * `buffers.divisor` for the gradient and for observers.
 */
export function lossValue(b: Backend, setting: LossSetting, o: FloatArray, t: FloatArray, rows: number, cols: number, buffers: LossBuffers): number {
  const total = terms(b, setting, o, t, rows, cols, buffers);
  return LOSS_RECORDS[setting.name].point === null ? total / buffers.divisor : total * (1 / buffers.divisor);
}

/**
 * `grad = g · ∂loss/∂o`, after {@link lossValue} ran on the same buffers
 * (softmax cross-entropy with weights reads the weighted targets it left).
 * For softmax cross-entropy the probabilities are left in
 * `buffers.probabilities` for observers.
 */
export function lossGradient(
  b: Backend, setting: LossSetting, o: FloatArray, t: FloatArray, rows: number, cols: number, buffers: LossBuffers, g: number, grad: FloatArray,
): void {
  const record = LOSS_RECORDS[setting.name];
  const divisor = buffers.divisor;
  const n = rows * cols;
  const { weight } = setting;
  if (record.point === null) {
    b.softmaxRows(buffers.probabilities, o, rows, cols);
    b.softmaxCrossEntropyGradRows(grad, buffers.probabilities, weight === null ? t : buffers.weighted, rows, cols, g / divisor);
    return;
  }
  b.pointLossGrad(record.point, grad, o, t, n, g * (1 / divisor), setting.option);
  if (weight !== null) b.binary('mul', grad, grad, weight, n, cols);
}
