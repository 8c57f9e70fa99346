import { noGrad } from '../tensor/autograd.js';
import type { NestedNumbers, Tensor } from '../tensor/tensor.js';
import { checkLoss, getLoss, type LossName } from '../nn/losses.js';
import type { Sequential } from '../nn/model.js';
import { GlassnetError } from '../errors.js';
import { classificationReport, type ClassificationReport } from './metrics.js';

/** Losses whose targets are classes, so accuracy and a confusion matrix mean something. */
export function isClassificationLoss(loss: LossName): boolean {
  return loss === 'softmaxCrossEntropy' || loss === 'binaryCrossEntropy';
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
export function evaluate(model: Sequential, x: NestedNumbers | Tensor, y: NestedNumbers | Tensor, options: { loss?: LossName } = {}): Evaluation {
  const inputs = model.toInput(x, 'x');
  const targets = model.toInput(y, 'y', model.outputSize);
  if (targets.rows !== inputs.rows) {
    throw new GlassnetError({ code: 'shape', argument: 'y', expected: `${inputs.rows} rows (one per row of x)`, found: `${targets.rows} rows` });
  }
  const lossName = checkLoss(options.loss ?? 'squaredError', 'options.loss');
  return evaluateTensors(model, inputs, targets, lossName);
}

/** {@link evaluate} on tensors already checked and shaped. */
export function evaluateTensors(model: Sequential, inputs: Tensor, targets: Tensor, loss: LossName): Evaluation {
  return noGrad(() => {
    const outputs = model.forward(inputs);
    const value = getLoss(loss)(outputs, targets).item();
    if (!isClassificationLoss(loss)) return { loss: value };
    return { loss: value, classification: classificationReport(outputs.data, targets.data, inputs.rows, model.outputSize) };
  });
}
