/**
 * A trained model as predict and evaluate use it: the network plus what it
 * was trained with (loss, scaler, classes, column names), read from the
 * model file that `glassnet train` writes.
 */
import {
  GlassnetError, LOSSES, LOSS_RECORDS, classIndices, noGrad, scalerFromJSON, sigmoid, softmax,
  type LossName, type Scaler, type Sequential, type Task,
} from '../src/index.js';
import { loadModel } from '../src/io/node.js';

/** What predict and evaluate need from a model file. */
export interface Trained {
  model: Sequential;
  /** The training loss (default `mse` when the file does not say). */
  loss: LossName;
  scaler: Scaler;
  task: Task;
  /** Class labels in output order, for classifiers. */
  classes?: string[];
  featureNames?: string[];
  targetName?: string;
}

/**
 * Loads and validates a model file.
 * @throws GlassnetError naming the file and the position of a bad field.
 */
export async function loadTrained(path: string): Promise<Trained> {
  const { model, preprocessing = {}, training = {} } = await loadModel(path);
  const loss = (LOSSES as readonly unknown[]).includes(training.loss) ? (training.loss as LossName) : 'mse';
  const classes = preprocessing.classes?.map(String);
  if (classes !== undefined && classes.length !== model.outputSize && !(model.outputSize === 1 && classes.length === 2)) {
    throw new GlassnetError({
      code: 'shape', argument: `${path}: preprocessing.classes`, expected: `one class per output (${model.outputSize})`, found: `${classes.length} classes`,
    });
  }
  const trained: Trained = {
    model,
    loss,
    scaler: scalerFromJSON(preprocessing.scaler ?? { kind: 'none' }, `${path}: preprocessing.scaler`),
    task: preprocessing['task'] === 'regression' || classes === undefined ? 'regression' : 'classification',
  };
  if (classes !== undefined) trained.classes = classes;
  if (preprocessing.featureNames !== undefined) trained.featureNames = [...preprocessing.featureNames];
  if (preprocessing.targetName !== undefined) trained.targetName = preprocessing.targetName;
  return trained;
}

/**
 * Targets in the shape the network's outputs have: one-hot rows, except
 * for a two-class problem with one output (binary cross-entropy), where
 * the target is the probability of the second class.
 */
export function targetRows(y: readonly (readonly number[])[], outputSize: number): number[][] {
  return y.map((row) => (outputSize === 1 && row.length === 2 ? [row[1]!] : row.slice()));
}

/** What the model says about each row. */
export interface Predictions {
  /** Raw network outputs. */
  outputs: number[][];
  /** Classifiers: the predicted label of each row. */
  labels?: string[];
  /**
   * Classifiers: one number per class: softmax of the logits for
   * softmaxCrossEntropy, of the logit for binaryCrossEntropyWithLogits, the
   * sigmoid outputs for binaryCrossEntropy (see each loss's `probabilities`).
   */
  probabilities?: number[][];
}

/** Scales `x` as in training and runs the model. */
export function predictRows(trained: Trained, x: readonly (readonly number[])[]): Predictions {
  const { model, classes } = trained;
  const output = model.predict(trained.scaler.transform(x));
  const outputs = output.toArray() as number[][];
  if (classes === undefined) return { outputs };
  const kind = LOSS_RECORDS[trained.loss].probabilities;
  const scored = kind === 'softmax' ? noGrad(() => softmax(output)) : kind === 'sigmoid' ? noGrad(() => sigmoid(output)) : output;
  const scores = scored.toArray() as number[][];
  const probabilities = scores.map((row) => (row.length === 1 && classes.length === 2 ? [1 - row[0]!, row[0]!] : row));
  // Classes from the scores: one logit is class 1 where its sigmoid is at least 0.5.
  const labels = Array.from(classIndices(scored.data, scored.rows, scored.cols), (c) => classes[c]!);
  return { outputs, labels, probabilities };
}
