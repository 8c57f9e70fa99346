/**
 * A trained model as predict and evaluate use it: the library's
 * TrainedModel read from a model file, which `glassnet train` or the
 * library's `saveTrained` writes.
 */
import type { Matrix, TrainedModel } from 'glassnet';

export { loadTrained } from 'glassnet/node';

/**
 * Targets in the shape the network's outputs have: one-hot rows, except
 * for a two-class problem with one output (binary cross-entropy), where
 * the target is the probability of the second class.
 */
export function targetRows(y: readonly (readonly number[])[], outputSize: number): number[][] {
  return y.map((row) => (outputSize === 1 && row.length === 2 ? [row[1]!] : row.slice()));
}

/** {@link targetRows} on a matrix: the same matrix, or the second class's column for one output. */
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

/** Scales `x` as in training and runs the model. */
export function predictRows(trained: TrainedModel, x: number[][]): Predictions {
  if (trained.classes === undefined) return { outputs: trained.predict(x) };
  return { outputs: [], labels: trained.classify(x), probabilities: trained.predictProba(x) };
}
