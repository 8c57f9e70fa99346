import { GlassnetError } from '../errors.js';
import { heldOutCount, splitIndices } from '../util/split.js';
import type { Dataset } from './datasets.js';
import { matrixFromRows, permuteRows, rowRange, type Flat, type Matrix } from './matrix.js';

/** Options for {@link trainTestSplit}. */
export interface SplitOptions {
  /** Share of the rows for the test set, in (0, 1); the count is rounded to the nearest integer. */
  testFraction: number;
  /** Seed of the shuffle (default 0): one seed, one split. */
  seed?: number;
  /** Keep each class's share equal in both sets (targets must be one-hot). Default false. */
  stratify?: boolean;
}

/**
 * Splits rows into a training and a test set at random, deterministically
 * from the seed. Other fields of `data` (feature names, classes) are copied
 * to both halves. With `stratify`, each class gives the test set its share
 * of the test rows, rounded by largest remainder so the total is exact.
 *
 * @throws GlassnetError `range` when the fraction leaves either set empty,
 * `shape` when x and y differ in length or stratified targets are not one
 * row per class.
 */
export function trainTestSplit<T extends Dataset>(data: T, options: SplitOptions): { train: T; test: T } {
  const n = data.x.length;
  if (data.y.length !== n) {
    throw new GlassnetError({ code: 'shape', argument: 'data.y', expected: `${n} rows (as data.x)`, found: `${data.y.length}` });
  }
  const { train, test } = splitRows(n, options, () => classIndicesOf(matrixFromRows(data.y, data.y[0]!.length, 'data.y')));
  const pick = (rows: readonly number[]): T => ({ ...data, x: rows.map((i) => data.x[i]!), y: rows.map((i) => data.y[i]!) });
  return { train: pick(train), test: pick(test) };
}

/**
 * {@link trainTestSplit} on flat matrices: the same rows, in the same
 * order, for the same seed. The rows are rearranged in place (training rows
 * first) and both sets are views of `data`'s memory, so a large data set is
 * split without a copy; `data` itself is not to be used after.
 *
 * @param data flat features and targets with one target row per feature row; other fields are copied to both sets.
 * @param options the test fraction, seed and stratification, as {@link trainTestSplit}'s.
 * @throws GlassnetError as {@link trainTestSplit}: `range` when the fraction
 * leaves either set empty, `shape` when x and y differ in rows or
 * stratified targets are not one-hot rows; nothing is rearranged then.
 */
export function splitMatrices<T extends Flat<Dataset>>(data: T, options: SplitOptions): { train: T; test: T } {
  const n = data.x.rows;
  if (data.y.rows !== n) {
    throw new GlassnetError({ code: 'shape', argument: 'data.y', expected: `${n} rows (as data.x)`, found: `${data.y.rows}` });
  }
  const { train, test } = splitRows(n, options, () => classIndicesOf(data.y));
  const order = [...train, ...test];
  permuteRows(data.x, order);
  permuteRows(data.y, order);
  const part = (from: number, to: number): T => ({ ...data, x: rowRange(data.x, from, to), y: rowRange(data.y, from, to) });
  return { train: part(0, train.length), test: part(train.length, n) };
}

/** Which of `n` rows go where: the fraction checked, then the seeded (stratified) split. */
function splitRows(n: number, options: SplitOptions, classes: () => Int32Array): { train: number[]; test: number[] } {
  const { testFraction } = options;
  const testCount = heldOutCount(testFraction, n, 'testFraction');
  return splitIndices(n, testCount, options.seed ?? 0, options.stratify === true ? classes() : null);
}

/** The class of each one-hot row; anything else cannot be stratified. */
function classIndicesOf(y: Matrix): Int32Array {
  const { rows, cols, data } = y;
  const classes = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    const row = data.subarray(i * cols, (i + 1) * cols);
    const hot = row.indexOf(1);
    if (cols < 2 || hot < 0 || row.some((v, j) => v !== (j === hot ? 1 : 0))) {
      throw new GlassnetError({ code: 'shape', argument: `data.y[${i}]`, expected: 'a one-hot row (stratify needs class targets)', found: JSON.stringify(Array.from(row)) });
    }
    classes[i] = hot;
  }
  return classes;
}
