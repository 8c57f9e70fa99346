/**
 * A trained model as predict and evaluate use it: the library's
 * TrainedModel read from a model file, which `glassnet train` or the
 * library's `saveTrained` writes.
 */
import type { Tensor, TrainedModel } from 'glassnet';

export { loadTrained } from 'glassnet/node';

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
