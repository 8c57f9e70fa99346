import { GlassnetError } from '../errors.js';
import type { FloatArray } from '../backend/index.js';

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
 * The class each row stands for: the index of the largest value, or, for a
 * single column (one sigmoid output), 1 when the value is at least 0.5.
 */
export function classIndices(values: FloatArray, rows: number, cols: number): Int32Array {
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) out[r] = classOf(values, r * cols, cols);
  return out;
}

/**
 * The class of the row of `cols` values starting at `offset` (see
 * {@link classIndices}); a single column is class 1 from `threshold` on
 * (0.5 for a probability, 0 for a logit, whose sigmoid is then 0.5).
 */
export function classOf(values: FloatArray, offset: number, cols: number, threshold = 0.5): number {
  if (cols === 1) return values[offset]! >= threshold ? 1 : 0;
  let best = 0;
  for (let c = 1; c < cols; c++) if (values[offset + c]! > values[offset + best]!) best = c;
  return best;
}

/**
 * Accuracy, confusion matrix and per-class precision/recall of
 * `predictions` against `targets` (both `rows × cols`: one-hot or
 * probability rows, or a single 0/1 column).
 */
export function classificationReport(predictions: FloatArray, targets: FloatArray, rows: number, cols: number): ClassificationReport {
  if (rows === 0) {
    throw new GlassnetError({ code: 'empty', argument: 'targets', expected: 'at least one sample', found: 'none' });
  }
  const classes = Math.max(cols, 2);
  const predicted = classIndices(predictions, rows, cols);
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
