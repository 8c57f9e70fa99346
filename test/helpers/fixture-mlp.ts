import { readFileSync } from 'node:fs';
import { Dense, Sequential, type ActivationName, type LossName } from '../../src/index.js';

/** One network of test/fixtures/mlp-grads.json, written by scripts/make-fixtures.py with PyTorch in float64. */
export interface MlpCase {
  name: string;
  sizes: number[];
  activations: string[];
  loss: string;
  weights: number[][][];
  biases: number[][];
  x: number[][];
  t: number[][];
  loss_value: number;
  outputs: number[][];
  grad_weights: number[][][];
  grad_biases: number[][];
  grad_x: number[][];
}

export const mlpCases: MlpCase[] = JSON.parse(readFileSync(new URL('../fixtures/mlp-grads.json', import.meta.url), 'utf8')).cases;

const ACTIVATION: Record<string, ActivationName> = {
  sigmoid: 'sigmoid', tanh: 'tanh', relu: 'relu', leaky_relu: 'leakyRelu', linear: 'linear', softmax: 'softmax',
};
const LOSS: Record<string, LossName> = {
  squared_error: 'squaredError', mse: 'mse', bce: 'binaryCrossEntropy', softmax_cross_entropy: 'softmaxCrossEntropy',
};

export function lossOf(c: MlpCase): LossName {
  return LOSS[c.loss]!;
}

/** The case's network with its exact weights, in float64. */
export function modelOf(c: MlpCase): Sequential {
  return new Sequential(c.weights.map((weights, i) => new Dense(c.sizes[i]!, c.sizes[i + 1]!, {
    activation: ACTIVATION[c.activations[i]!]!, weights, bias: c.biases[i]!, dtype: 'float64',
  })));
}
