import { checkOneOf } from '../util/checks.js';
import { LOSSES, type LossName } from '../primitives/losses.js';
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
