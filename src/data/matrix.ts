/**
 * A table of numbers stored flat, row after row, in one Float64Array: the
 * layout large data sets are read into. A `number[][]` costs an array
 * object and a header per row (about 1.3x the numbers themselves at 20
 * columns, more at fewer) and must be flattened again before it reaches a
 * tensor; a matrix is the numbers only, and a tensor or a worker thread
 * takes its buffer as it is.
 */
import { GlassnetError } from '../errors.js';
import { checkInteger } from '../util/checks.js';
import type { Dataset } from './datasets.js';
import { outputColumns, type LossName } from '../nn/losses.js';

/** `rows` × `cols` numbers, row `i` at `data[i * cols, (i + 1) * cols)`. */
export interface Matrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;
}

/** A data set's shape with flat inputs and targets in place of rows. */
export type Flat<T extends Dataset> = Omit<T, 'x' | 'y'> & { x: Matrix; y: Matrix };

/**
 * Copies rows of numbers into one flat matrix, row after row, so that code
 * taking arrays of rows (the array API, small files, JSON) reaches the
 * flat layout training, scaling and splitting read. The values are copied
 * as they are; what reads them checks their finiteness where it matters
 * (`fitScaler` refuses NaN).
 * @param rows the rows, each of `cols` numbers.
 * @param cols the width (default: the first row's length; 0 for no rows).
 * @param argument names the rows in errors (default `x`), e.g. `data.y`.
 * @throws GlassnetError `shape` naming `argument[i]` for a row of another length.
 */
export function matrixFromRows(rows: readonly (readonly number[])[], cols = rows[0]?.length ?? 0, argument = 'x'): Matrix {
  const data = new Float64Array(rows.length * cols);
  rows.forEach((row, i) => {
    if (row.length !== cols) throw new GlassnetError({ code: 'shape', argument: `${argument}[${i}]`, expected: `${cols} values (as ${argument}[0])`, found: `${row.length}` });
    for (let j = 0; j < cols; j++) data[i * cols + j] = row[j]!;
  });
  return { rows: rows.length, cols, data };
}

/** The matrix as rows of plain numbers (copies). */
export function matrixToRows(m: Matrix): number[][] {
  return Array.from({ length: m.rows }, (_, i) => Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols)));
}

/** The given rows of `m`, in that order, as a new matrix. */
export function pickRows(m: Matrix, indices: readonly number[]): Matrix {
  const { cols } = m;
  const data = new Float64Array(indices.length * cols);
  indices.forEach((r, i) => data.set(m.data.subarray(r * cols, (r + 1) * cols), i * cols));
  return { rows: indices.length, cols, data };
}

/**
 * Rearranges the rows of `m` in place so that row `i` becomes the old row
 * `order[i]` (`order` a permutation of 0..rows-1), following each cycle of
 * the permutation with one row of scratch: a large matrix is reordered
 * without a second copy of it.
 */
export function permuteRows(m: Matrix, order: ArrayLike<number>): void {
  const { rows, cols, data } = m;
  const done = new Uint8Array(rows);
  const held = new Float64Array(cols);
  for (let start = 0; start < rows; start++) {
    if (done[start] === 1) continue;
    held.set(data.subarray(start * cols, (start + 1) * cols));
    let at = start;
    for (;;) {
      done[at] = 1;
      const from = order[at]!;
      if (from === start) break;
      data.copyWithin(at * cols, from * cols, (from + 1) * cols);
      at = from;
    }
    data.set(held, at * cols);
  }
}

/**
 * Rows `from` (included) to `to` (excluded) of `m` as a matrix that shares
 * its memory: batches and the parts of a split read a large data set
 * without copying it, so a write through either shows in both.
 * @throws GlassnetError `range` naming `from` or `to` unless 0 <= from <= to <= m.rows, integers
 * (a typed array's subarray would clamp them silently, leaving rows that disagree with the data).
 */
export function rowRange(m: Matrix, from: number, to: number): Matrix {
  checkInteger(from, 0, 'from', m.rows);
  checkInteger(to, from, 'to', m.rows);
  return { rows: to - from, cols: m.cols, data: m.data.subarray(from * m.cols, to * m.cols) };
}

/** A data set with rows in place of matrices, for the array-of-rows API. */
export function toRows<T extends Dataset>(flat: Flat<T>): T {
  return { ...flat, x: matrixToRows(flat.x), y: matrixToRows(flat.y) } as unknown as T;
}

/** A data set with matrices in place of rows. @throws GlassnetError `shape` for ragged rows. */
export function toFlat<T extends Dataset>(data: T): Flat<T> {
  return { ...data, x: matrixFromRows(data.x, data.x[0]?.length ?? 0, 'x'), y: matrixFromRows(data.y, data.y[0]?.length ?? 0, 'y') };
}

/**
 * Targets in the shape a network trained with `loss` outputs: unchanged,
 * except one-hot rows of two classes under a binary loss, which become the
 * second class's column (the 0/1 its one logit or probability predicts;
 * see `outputColumns`). `glassnet train`, `glassnet evaluate` and the
 * playground all shape targets with it.
 */
export function targetsForLoss(loss: LossName, y: Matrix): Matrix {
  if (outputColumns(loss, y.cols) === y.cols) return y;
  return { rows: y.rows, cols: 1, data: Float64Array.from({ length: y.rows }, (_, i) => y.data[i * y.cols + 1]!) };
}
