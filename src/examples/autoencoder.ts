import { oneHotCodes } from '../data/datasets.js';
import type { Dense } from '../nn/layers.js';
import { mlp } from '../nn/model.js';
import { noGrad } from '../tensor/autograd.js';
import { fit, type FitResult } from '../train/fit.js';

/**
 * The classic 8-3-8 auto-encoder recipe: sigmoid everywhere, the article's
 * squared error, full-batch gradient descent. With seed 2 the three hidden
 * units settle on a distinct near-binary code for every input; other seeds
 * also reproduce all eight codes but may leave one hidden unit at an
 * intermediate level for some code.
 */
export const AUTOENCODER_8_3_8: AutoencoderRecipe = {
  sizes: [8, 3, 8],
  seed: 2,
  lr: 10,
  maxEpochs: 30000,
  errorThreshold: 1e-3,
};

/** How to build and train an n-k-n auto-encoder on the n one-hot codes. */
export interface AutoencoderRecipe {
  /** [codes, hidden units, codes]. */
  sizes: readonly [number, number, number];
  /** Initialisation seed. */
  seed: number;
  /** SGD learning rate (full batch). */
  lr: number;
  maxEpochs: number;
  /** Stop once the mean squared error ½Σ(t−o)² per code falls below this. */
  errorThreshold: number;
}

/** What {@link trainAutoencoder} learned. */
export interface AutoencoderResult {
  fit: FitResult;
  /** Hidden-unit OUT values for each one-hot input. */
  hidden: number[][];
  /** Network outputs for each one-hot input (they should be that input). */
  outputs: number[][];
}

/** Trains the 8-3-8 auto-encoder: `fit(model, x, x)`, the input as its own target. */
export function trainAutoencoder(recipe: AutoencoderRecipe = AUTOENCODER_8_3_8): AutoencoderResult {
  const { x } = oneHotCodes(recipe.sizes[0]);
  const model = mlp(recipe.sizes, { activation: 'sigmoid', seed: recipe.seed, dtype: 'float64' });
  const result = fit(model, x, x, { lr: recipe.lr, epochs: recipe.maxEpochs, errorThreshold: recipe.errorThreshold });
  const input = model.toInput(x, 'x');
  const rows = (data: Float32Array | Float64Array, width: number): number[][] =>
    x.map((_, i) => Array.from(data.subarray(i * width, (i + 1) * width)));
  const hidden = noGrad(() => (model.layers[0] as Dense).forward(input));
  return { fit: result, hidden: rows(hidden.data, recipe.sizes[1]), outputs: rows(model.predict(input).data, recipe.sizes[2]) };
}
