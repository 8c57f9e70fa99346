import { GlassnetError } from '../errors.js';
import { heldOutCount, splitIndices } from '../util/split.js';
import type { Dataset } from './datasets.js';

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
  const { testFraction } = options;
  const testCount = heldOutCount(testFraction, n, 'testFraction');
  const classes = options.stratify === true ? classIndicesOf(data.y) : null;
  const { train, test } = splitIndices(n, testCount, options.seed ?? 0, classes);
  const pick = (rows: readonly number[]): T => ({ ...data, x: rows.map((i) => data.x[i]!), y: rows.map((i) => data.y[i]!) });
  return { train: pick(train), test: pick(test) };
}

/** The class of each one-hot row; anything else cannot be stratified. */
function classIndicesOf(y: readonly (readonly number[])[]): Int32Array {
  const width = y[0]!.length;
  return Int32Array.from(y, (row, i) => {
    const hot = row.indexOf(1);
    if (row.length !== width || width < 2 || hot < 0 || row.some((v, j) => v !== (j === hot ? 1 : 0))) {
      throw new GlassnetError({ code: 'shape', argument: `data.y[${i}]`, expected: 'a one-hot row (stratify needs class targets)', found: JSON.stringify(row) });
    }
    return hot;
  });
}
