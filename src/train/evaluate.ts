import { noGrad } from '../tensor/autograd.js';
import { sigmoid, type LossOptions } from '../tensor/ops.js';
import { LOSS_RECORDS } from '../primitives/losses.js';
import type { NestedNumbers, Tensor } from '../tensor/tensor.js';
import { checkLoss, getLoss, type LossName } from '../nn/losses.js';
import type { Sequential } from '../nn/model.js';
import { GlassnetError } from '../errors.js';
import { classificationReport, type ClassificationReport } from './metrics.js';

/** Losses whose targets are classes, so accuracy and a confusion matrix mean something. */
export function isClassificationLoss(loss: LossName): boolean {
  return LOSS_RECORDS[loss].task !== 'regression';
}

/** How well a model does on labelled data. */
export interface Evaluation {
  loss: number;
  /** For classification losses: accuracy, confusion matrix, per-class precision and recall. */
  classification?: ClassificationReport;
}

/**
 * Loss (and, for classification losses, accuracy and a confusion matrix)
 * of `model` on inputs `x` and targets `y`, computed without recording.
 */
export function evaluate(
  model: Sequential, x: NestedNumbers | Tensor, y: NestedNumbers | Tensor, options: { loss?: LossName; lossOptions?: LossOptions } = {},
): Evaluation {
  const data = toSamples(model, x, y);
  const lossName = checkLoss(options.loss ?? 'squaredError', 'options.loss');
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
 */
export function toSamples(model: Sequential, x: NestedNumbers | Tensor, y: NestedNumbers | Tensor, where = ''): Samples {
  const inputs = model.toInput(x, `${where}x`);
  const targets = model.toInput(y, `${where}y`, model.outputSize);
  if (targets.rows !== inputs.rows) {
    throw new GlassnetError({ code: 'shape', argument: `${where}y`, expected: `${inputs.rows} rows (one per row of ${where}x)`, found: `${targets.rows} rows` });
  }
  return { x: inputs, y: targets };
}

/** {@link evaluate} on tensors already checked and shaped. */
export function evaluateTensors(model: Sequential, inputs: Tensor, targets: Tensor, loss: LossName, lossOptions: LossOptions = {}): Evaluation {
  return noGrad(() => {
    const outputs = model.forward(inputs);
    const value = getLoss(loss, lossOptions)(outputs, targets).item();
    if (!isClassificationLoss(loss)) return { loss: value };
    // One logit per row is a class by its sigmoid (≥ 0.5), as a probability output is.
    const scores = LOSS_RECORDS[loss].probabilities === 'sigmoid' ? sigmoid(outputs) : outputs;
    return { loss: value, classification: classificationReport(scores.data, targets.data, inputs.rows, model.outputSize) };
  });
}
