import { checkInteger, checkOneOf } from '../util/checks.js';
import { LOSSES, LOSS_RECORDS, type LossName } from '../primitives/losses.js';
import { applyLoss, type LossOptions } from '../tensor/ops.js';
import type { Tensor } from '../tensor/tensor.js';

export { LOSSES, LOSS_RECORDS, classOfRow, type LossName, type OutputReading } from '../primitives/losses.js';

/** A loss maps (network output, target) to a scalar tensor. */
export type LossFunction = (output: Tensor, target: Tensor) => Tensor;

/** Checks that `name` is a known loss; `argument` names it in the error. */
export function checkLoss(name: unknown, argument = 'loss'): LossName {
  return checkOneOf(LOSSES, name, argument);
}

/** The loss function with this name, with its options (checked on each call against the loss's record). */
export function getLoss(name: LossName, options: LossOptions = {}): LossFunction {
  const checked = checkLoss(name);
  return (output, target) => applyLoss(checked, output, target, options);
}

/**
 * The loss a classifier or regressor trains with unless told otherwise:
 * binary cross-entropy on one logit for two classes (PyTorch's
 * `BCEWithLogitsLoss`), softmax cross-entropy for more, mse for a
 * regression target. `glassnet train` and the playground both take it.
 * @param classes the number of classes; 0 for a regression target.
 * @throws GlassnetError when `classes` is not an integer >= 0.
 */
export function defaultLoss(classes: number): LossName {
  checkInteger(classes, 0, 'classes');
  return classes === 0 ? 'mse' : classes === 2 ? 'binaryCrossEntropyWithLogits' : 'softmaxCrossEntropy';
}

/**
 * How many outputs a network has under `loss` for one-hot targets of
 * `columns` columns: a binary loss on two classes has one output (the
 * second class's logit or probability), every other case one per column.
 * @throws GlassnetError for an unknown loss or `columns` not an integer >= 1.
 */
export function outputColumns(loss: LossName, columns: number): number {
  checkInteger(columns, 1, 'columns');
  return LOSS_RECORDS[checkLoss(loss)].task === 'binary' && columns === 2 ? 1 : columns;
}
