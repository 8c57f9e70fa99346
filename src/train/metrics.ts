import { GlassnetError } from '../errors.js';
import type { FloatArray } from '../backend/index.js';
import { classOfRow, type OutputReading } from '../primitives/losses.js';

/** Per-class precision and recall, with the counts behind them. */
export interface ClassReport {
  /** True positives / predicted positives (NaN when nothing was predicted as this class). */
  precision: number;
  /** True positives / actual positives (NaN when the class never occurs). */
  recall: number;
  /** How many samples truly belong to the class. */
  support: number;
}

/** Classification quality over a set of samples. */
export interface ClassificationReport {
  accuracy: number;
  /** `confusion[actual][predicted]` counts. */
  confusion: number[][];
  perClass: ClassReport[];
}

/**
 * The class each row stands for, by {@link classOfRow}: the index of the
 * largest value, or, for a single column, 1 from probability ½ on. `reading`
 * says how the values are probabilities (a loss record's `probabilities`;
 * default `'outputs'`: they are, as targets and `predictProba` rows are).
 */
export function classIndices(values: FloatArray, rows: number, cols: number, reading: OutputReading = 'outputs'): Int32Array {
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) out[r] = classOfRow(reading, values, r * cols, cols);
  return out;
}

/**
 * Accuracy, confusion matrix and per-class precision/recall of
 * `predictions` against `targets` (both `rows × cols`: one-hot or
 * probability rows, or a single 0/1 column). `reading` says how the
 * predictions are probabilities (default: they are); pass the loss's
 * (`LOSS_RECORDS[loss].probabilities`) to score raw outputs.
 */
export function classificationReport(predictions: FloatArray, targets: FloatArray, rows: number, cols: number, reading: OutputReading = 'outputs'): ClassificationReport {
  if (rows === 0) {
    throw new GlassnetError({ code: 'empty', argument: 'targets', expected: 'at least one sample', found: 'none' });
  }
  const classes = Math.max(cols, 2);
  const predicted = classIndices(predictions, rows, cols, reading);
  const actual = classIndices(targets, rows, cols);
  const confusion = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  let correct = 0;
  for (let r = 0; r < rows; r++) {
    confusion[actual[r]!]![predicted[r]!]!++;
    if (actual[r] === predicted[r]) correct++;
  }
  const perClass = confusion.map((row, c) => {
    const truePositives = row[c]!;
    const support = row.reduce((a, b) => a + b, 0);
    const predictedCount = confusion.reduce((sum, other) => sum + other[c]!, 0);
    return { precision: truePositives / predictedCount, recall: truePositives / support, support };
  });
  return { accuracy: correct / rows, confusion, perClass };
}

/** Regression quality over a set of samples, in the units of the targets given. */
export interface RegressionReport {
  /**
   * Coefficient of determination, 1 − Σ(t − p)² / Σ(t − t̄)² per target
   * column, averaged over the columns (scikit-learn's `r2_score`). A
   * constant column counts 1 when predicted exactly, else 0.
   */
  r2: number;
  /** Root of the mean squared error over every entry. */
  rmse: number;
  /** Mean absolute error over every entry. */
  mae: number;
  /** The same figures for predicting `baselineMean` (by default the targets' own mean) for every row. */
  baseline: { r2: number; rmse: number; mae: number };
  /** Whether the model's squared error is larger than the baseline's: it does worse than predicting the mean. */
  worseThanBaseline: boolean;
}

/**
 * R², RMSE and MAE of `predictions` against `targets` (both `rows × cols`),
 * beside the same figures for the mean-prediction baseline. Pass the
 * training targets' mean as `baselineMean` to measure held-out data against
 * what a model that learned nothing would predict; without it the baseline
 * is the evaluated targets' own mean, whose R² is 0.
 *
 * @throws GlassnetError `empty` for no rows, `shape` for a `baselineMean` of another width.
 */
export function regressionReport(
  predictions: ArrayLike<number>, targets: ArrayLike<number>, rows: number, cols: number, baselineMean?: readonly number[],
): RegressionReport {
  if (rows === 0) throw new GlassnetError({ code: 'empty', argument: 'targets', expected: 'at least one sample', found: 'none' });
  const mean = new Float64Array(cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) mean[c]! += targets[r * cols + c]!;
  for (let c = 0; c < cols; c++) mean[c]! /= rows;
  if (baselineMean !== undefined && baselineMean.length !== cols) {
    throw new GlassnetError({ code: 'shape', argument: 'baselineMean', expected: `${cols} values (one per target column)`, found: `${baselineMean.length}` });
  }
  const constant = baselineMean ?? Array.from(mean);
  const model = errors(rows, cols, mean, (r, c) => predictions[r * cols + c]!, targets);
  const base = errors(rows, cols, mean, (_, c) => constant[c]!, targets);
  return { ...model, baseline: base, worseThanBaseline: model.rmse > base.rmse };
}

function errors(rows: number, cols: number, mean: Float64Array, predict: (r: number, c: number) => number, targets: ArrayLike<number>): { r2: number; rmse: number; mae: number } {
  let squared = 0;
  let absolute = 0;
  let r2Sum = 0;
  for (let c = 0; c < cols; c++) {
    let residual = 0;
    let total = 0;
    for (let r = 0; r < rows; r++) {
      const t = targets[r * cols + c]!;
      const e = t - predict(r, c);
      residual += e * e;
      absolute += Math.abs(e);
      total += (t - mean[c]!) ** 2;
    }
    squared += residual;
    r2Sum += total > 0 ? 1 - residual / total : residual === 0 ? 1 : 0;
  }
  const n = rows * cols;
  return { r2: r2Sum / cols, rmse: Math.sqrt(squared / n), mae: absolute / n };
}
