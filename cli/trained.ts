/**
 * A trained model as predict and evaluate use it: the library's
 * TrainedModel read from a model file, which `glassnet train` or the
 * library's `saveTrained` writes.
 */
import type { Matrix, Tensor, TrainedModel } from 'glassnet';

export { loadTrained } from 'glassnet/node';

/**
 * Targets in the shape the network's outputs have: the one-hot matrix,
 * except for a two-class problem with one output (binary cross-entropy),
 * where the target is the second class's column (its probability).
 */
export function targetMatrix(y: Matrix, outputSize: number): Matrix {
  if (outputSize !== 1 || y.cols !== 2) return y;
  return { rows: y.rows, cols: 1, data: Float64Array.from({ length: y.rows }, (_, i) => y.data[i * 2 + 1]!) };
}

/** What the model says about each row. */
export interface Predictions {
  /** Regression outputs in target units. */
  outputs: number[][];
  /** Classifiers: the predicted label of each row. */
  labels?: string[];
  /** Classifiers: one probability per class (see TrainedModel.predictProba). */
  probabilities?: number[][];
}

/** Scales `x` as in training and runs the model once. */
export function predictRows(trained: TrainedModel, x: readonly (readonly number[])[] | Tensor): Predictions {
  const predictions = trained.predictAll(x as number[][] | Tensor);
  return 'outputs' in predictions ? predictions : { outputs: [], ...predictions };
}
