import { checkOneOf } from '../errors.js';
import { leakyRelu, relu, sigmoid, softmax, tanh } from '../tensor/ops.js';
import type { Tensor } from '../tensor/tensor.js';

/** Activation functions a layer can apply to its NET values. */
export const ACTIVATIONS = ['sigmoid', 'tanh', 'relu', 'leakyRelu', 'linear', 'softmax'] as const;
export type ActivationName = (typeof ACTIVATIONS)[number];

const apply: Record<ActivationName, (net: Tensor) => Tensor> = {
  sigmoid,
  tanh,
  relu,
  leakyRelu: (net) => leakyRelu(net),
  // Linear adds no node: OUT is NET itself, and its derivative is 1.
  linear: (net) => net,
  softmax,
};

/** Checks that `name` is a known activation; `argument` names it in the error. */
export function checkActivation(name: unknown, argument = 'activation'): ActivationName {
  return checkOneOf(ACTIVATIONS, name, argument);
}

/** Applies the named activation (differentiably). */
export function activate(name: ActivationName, net: Tensor): Tensor {
  return apply[name](net);
}
