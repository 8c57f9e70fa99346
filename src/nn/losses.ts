import { checkOneOf } from '../errors.js';
import { binaryCrossEntropy, mse, softmaxCrossEntropy, squaredError } from '../tensor/ops.js';
import type { Tensor } from '../tensor/tensor.js';

/** Loss functions by name. */
export const LOSSES = ['squaredError', 'mse', 'binaryCrossEntropy', 'softmaxCrossEntropy'] as const;
export type LossName = (typeof LOSSES)[number];

/** A loss maps (network output, target) to a scalar tensor. */
export type LossFunction = (output: Tensor, target: Tensor) => Tensor;

const losses: Record<LossName, LossFunction> = { squaredError, mse, binaryCrossEntropy, softmaxCrossEntropy };

/** Checks that `name` is a known loss; `argument` names it in the error. */
export function checkLoss(name: unknown, argument = 'loss'): LossName {
  return checkOneOf(LOSSES, name, argument);
}

/** The loss function with this name. */
export function getLoss(name: LossName): LossFunction {
  return losses[checkLoss(name)];
}
