import { noGrad } from '../tensor/autograd.js';
import type { LossOptions } from '../tensor/ops.js';
import { LOSS_RECORDS } from '../primitives/losses.js';
import { Tensor, allocate, type NestedNumbers } from '../tensor/tensor.js';
import { checkLoss, getLoss, type LossName } from '../nn/losses.js';
import type { Sequential } from '../nn/model.js';
import { GlassnetError, describeValue } from '../errors.js';
import { classificationReport, regressionReport, type ClassificationReport, type RegressionReport } from './metrics.js';

/** Losses whose targets are classes, so accuracy and a confusion matrix mean something. */
export function isClassificationLoss(loss: LossName): boolean {
  return LOSS_RECORDS[loss].task !== 'regression';
}

/** How well a model does on labelled data. */
export interface Evaluation {
  loss: number;
  /** For classification losses: accuracy, confusion matrix, per-class precision and recall. */
  classification?: ClassificationReport;
  /** For other losses: R², RMSE and MAE beside the mean-prediction baseline (the targets' own mean). */
  regression?: RegressionReport;
}

/**
 * Loss (and, for classification losses, accuracy and a confusion matrix)
 * of `model` on inputs `x` and targets `y`, computed without recording.
 */
export function evaluate(
  model: Sequential, x: NestedNumbers | Tensor, y: NestedNumbers | Tensor, options: { loss?: LossName; lossOptions?: LossOptions } = {},
): Evaluation {
  const lossName = checkLoss(options.loss ?? 'squaredError', 'options.loss');
  const data = toSamples(model, x, y, '', lossName);
  return evaluateTensors(model, data.x, data.y, lossName, options.lossOptions ?? {});
}

/** Inputs and targets as tensors of the model's widths. */
export interface Samples {
  x: Tensor;
  y: Tensor;
}

/**
 * `x` and `y` checked against the model and converted, with one target row
 * per input row; errors name them as `${where}x` and `${where}y`.
 *
 * `y` may also be a flat array with one entry per sample: a column of
 * targets for a one-output model, or else class indices `0..outputSize-1`
 * (as PyTorch's cross-entropy takes them), which become one-hot rows.
 * With a classification `loss`, targets are checked as it needs them:
 * values in [0, 1] for binary cross-entropy, rows of non-negative values
 * summing to 1 (one-hot, or class probabilities) for softmax cross-entropy.
 */
export function toSamples(model: Sequential, x: NestedNumbers | Tensor, y: NestedNumbers | Tensor, where = '', loss?: LossName): Samples {
  const inputs = model.toInput(x, `${where}x`);
  const targets = model.toInput(labelRows(y, inputs.rows, model.outputSize, `${where}y`), `${where}y`, model.outputSize);
  if (targets.rows !== inputs.rows) {
    throw new GlassnetError({ code: 'shape', argument: `${where}y`, expected: `${inputs.rows} rows (one per row of ${where}x)`, found: `${targets.rows} rows` });
  }
  if (loss !== undefined) checkTargets(targets, loss, `${where}y`);
  return { x: inputs, y: targets };
}

/** A flat array of one target per sample as rows (see {@link toSamples}); anything else unchanged. */
function labelRows(y: NestedNumbers | Tensor, rows: number, outputs: number, argument: string): NestedNumbers | Tensor {
  if (!Array.isArray(y) || y.length !== rows || y.some((v) => typeof v !== 'number') || (rows === 1 && outputs > 1)) return y;
  const values = y as number[];
  if (outputs === 1) return values.map((v) => [v]);
  return values.map((label, i) => {
    if (!Number.isInteger(label) || label < 0 || label >= outputs) {
      throw new GlassnetError({ code: 'range', argument: `${argument}[${i}]`, expected: `a class index 0..${outputs - 1} (one per output), or one-hot rows`, found: describeValue(label) });
    }
    const row = new Array<number>(outputs).fill(0);
    row[label] = 1;
    return row;
  });
}

/** Probability targets for the classification losses, which are meaningless (and may train silently wrong) on other values. */
function checkTargets(targets: Tensor, loss: LossName, argument: string): void {
  const { data, rows, cols } = targets;
  if (LOSS_RECORDS[loss].task === 'binary') {
    for (let i = 0; i < data.length; i++) {
      const v = data[i]!;
      if (!(v >= 0 && v <= 1)) {
        throw new GlassnetError({ code: 'range', argument: `${argument}[${Math.floor(i / cols)}][${i % cols}]`, expected: `a probability in [0, 1] (${loss} targets)`, found: describeValue(v) });
      }
    }
  } else if (loss === 'softmaxCrossEntropy') {
    for (let r = 0; r < rows; r++) {
      let sum = 0;
      let negative = false;
      for (let c = 0; c < cols; c++) {
        const v = data[r * cols + c]!;
        sum += v;
        negative ||= v < 0;
      }
      // float32 rounding of probabilities that sum to 1 stays well within 1e-5.
      if (negative || Math.abs(sum - 1) > 1e-5) {
        const row = Array.from(data.subarray(r * cols, (r + 1) * cols));
        throw new GlassnetError({
          code: 'range', argument: `${argument}[${r}]`, expected: 'a one-hot row or class probabilities (non-negative, summing to 1) for softmaxCrossEntropy, or class indices', found: JSON.stringify(row),
        });
      }
    }
  }
}

/** {@link evaluate} on tensors already checked and shaped. */
export function evaluateTensors(model: Sequential, inputs: Tensor, targets: Tensor, loss: LossName, lossOptions: LossOptions = {}): Evaluation {
  return evaluateOutputs(forwardRows(model, inputs), targets, loss, lossOptions);
}

/**
 * {@link evaluate}'s figures for outputs already computed, so a caller that
 * needs the outputs too (`glassnet train` reports them, a TrainedModel
 * unscales them) runs the model once. Neither tensor is checked beyond the
 * loss's own checks: they are taken as {@link toSamples} would give them.
 * @param outputs the network's outputs, `[rows, outputs]`.
 * @param targets the targets, of the outputs' shape and dtype.
 * @param loss the loss, which also decides classification or regression figures.
 * @param lossOptions the loss's options (class weights, huber's delta).
 * @throws GlassnetError as the loss checks: `unknown-name` for an unknown
 * loss or an option it does not take, `range` for a bad option value
 * (`options.weight`, `options.delta`), `shape` or `dtype` naming `target`
 * when targets and outputs differ.
 */
export function evaluateOutputs(outputs: Tensor, targets: Tensor, loss: LossName, lossOptions: LossOptions = {}): Evaluation {
  return noGrad(() => {
    const value = getLoss(loss, lossOptions)(outputs, targets).item();
    if (!isClassificationLoss(loss)) return { loss: value, regression: regressionReport(outputs.data, targets.data, outputs.rows, outputs.cols) };
    return { loss: value, classification: classificationReport(outputs.data, targets.data, outputs.rows, outputs.cols, LOSS_RECORDS[loss].probabilities) };
  });
}

/** Rows {@link forwardRows} runs at a time. */
const FORWARD_ROWS = 8192;

/**
 * The model's outputs for every row of `inputs`, computed at most
 * {@link FORWARD_ROWS} rows at a time, so a large data set's hidden
 * activations are never held whole (a backend's memory, once grown to
 * them, would stay grown). Each row's outputs depend on that row alone.
 * Like `model.predict`, it records nothing for backpropagation.
 */
export function forwardRows(model: Sequential, x: NestedNumbers | Tensor): Tensor {
  const inputs = model.toInput(x, 'x');
  const { rows, cols } = inputs;
  return noGrad(() => {
    if (rows <= FORWARD_ROWS) return model.forward(inputs);
    const width = model.outputSize;
    const out = allocate(model.dtype, rows * width);
    for (let r = 0; r < rows; r += FORWARD_ROWS) {
      const n = Math.min(FORWARD_ROWS, rows - r);
      out.set(model.forward(new Tensor(inputs.data.subarray(r * cols, (r + n) * cols), [n, cols])).data, r * width);
    }
    return new Tensor(out, [rows, width]);
  });
}
