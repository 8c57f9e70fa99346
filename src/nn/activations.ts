import { checkOneOf } from '../util/checks.js';
import { ACTIVATIONS, isElementwise, type ActivationName } from '../primitives/activations.js';
import { elementwiseOp, softmax } from '../tensor/ops.js';
import type { Tensor } from '../tensor/tensor.js';

export { ACTIVATIONS, type ActivationName } from '../primitives/activations.js';

/** Checks that `name` is a known activation; `argument` names it in the error. */
export function checkActivation(name: unknown, argument = 'activation'): ActivationName {
  return checkOneOf(ACTIVATIONS, name, argument);
}

/**
 * Applies the named activation (differentiably) with its option `alpha`
 * (already checked: see `activationParameter`). Linear adds no node: OUT is
 * NET itself, and its derivative is 1.
 */
export function activate(name: ActivationName, net: Tensor, alpha: number): Tensor {
  if (isElementwise(name)) return elementwiseOp(name, net, alpha);
  return name === 'softmax' ? softmax(net) : net;
}
