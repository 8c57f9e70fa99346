import { GlassnetError, describeValue } from '../errors.js';
import { checkFinite, checkOneOf } from '../util/checks.js';
import { matrixFromRows, type Matrix } from './matrix.js';

/** The scaler kinds {@link fitScaler} takes. */
export const SCALER_KINDS = ['standard', 'minmax', 'none'] as const;
/** How features are rescaled before training and prediction. */
export type ScalerKind = (typeof SCALER_KINDS)[number];

/** A scaler's statistics as plain data, to be saved with a model. */
export type ScalerJSON =
  | { kind: 'standard'; mean: number[]; std: number[] }
  | { kind: 'minmax'; min: number[]; max: number[] }
  | { kind: 'none' };

type Rows = readonly (readonly number[])[];
/** Which way a transform maps values: scaling them, or undoing the scaling. */
type Direction = 'forward' | 'inverse';

/**
 * Per-column affine rescaling `x' = (x - offset) / scale`, fitted on
 * training data and applied unchanged to anything predicted later.
 * `standard`: offset = mean, scale = population standard deviation;
 * `minmax`: offset = min, scale = max - min, mapping the training range to
 * [0, 1]; `none`: the identity. A column that is constant in the training
 * data gets scale 1 (scikit-learn does the same), so it becomes 0 rather
 * than a division by zero.
 */
export class Scaler {
  /** Subtracted from each column. */
  readonly offset: readonly number[];
  /** Each column is divided by this after the offset. */
  readonly scale: readonly number[];

  /** Trusts `stats`; build from data with {@link fitScaler} or {@link scalerFromJSON}, which validate. */
  constructor(private readonly stats: ScalerJSON) {
    const [offset, spread] = stats.kind === 'standard' ? [stats.mean, stats.std]
      : stats.kind === 'minmax' ? [stats.min, stats.max.map((m, i) => m - stats.min[i]!)]
      : [[], []];
    this.offset = offset;
    this.scale = spread.map((s) => (s > 0 ? s : 1));
  }

  get kind(): ScalerKind {
    return this.stats.kind;
  }

  /** Rescaled copies of the rows. @throws GlassnetError `shape` for a row of the wrong length. */
  transform(x: Rows): number[][] {
    return this.copyRows(x, 'forward');
  }

  /**
   * {@link transform} in place: rows are overwritten rather than copied,
   * which halves the memory of a large data set that is not needed
   * unscaled. @throws GlassnetError `shape` (before changing anything) for a row of the wrong length.
   */
  transformInPlace(x: number[][] | Matrix): void {
    this.inPlace(x, 'forward');
  }

  /** Undoes {@link transform}, e.g. to read scaled regression outputs in the original units. */
  inverse(x: Rows): number[][];
  /** Undoes {@link transform} on a matrix, into a new one. */
  inverse(x: Matrix): Matrix;
  inverse(x: Rows | Matrix): number[][] | Matrix {
    if (Array.isArray(x)) return this.copyRows(x as Rows, 'inverse');
    const m = x as Matrix;
    const copy = { rows: m.rows, cols: m.cols, data: Float64Array.from(m.data) };
    this.inPlace(copy, 'inverse');
    return copy;
  }

  /** Copies of the rows, mapped in place: the copies are what the caller gets, so only they are written. */
  private copyRows(x: Rows, direction: Direction): number[][] {
    const copy = x.map((row) => row.slice());
    this.inPlace(copy, direction);
    return copy;
  }

  /**
   * The one loop every transform runs: each value `v` of column `j` becomes
   * `(v - offset[j]) / scale[j]` forward or `v * scale[j] + offset[j]`
   * back, written over the values. Every row's width is checked before the
   * first is written, so a bad row changes nothing. `none` maps nothing
   * and takes any width.
   */
  private inPlace(x: number[][] | Matrix, direction: Direction): void {
    if (this.stats.kind === 'none') return;
    const { offset, scale } = this;
    const width = offset.length;
    // A matrix is one run of rows; an array of rows, one run per row.
    const runs: (number[] | Float64Array)[] = Array.isArray(x) ? x : [x.data];
    if (Array.isArray(x)) {
      x.forEach((row, i) => {
        if (row.length !== width) throw this.widthError(`x[${i}]`, row.length);
      });
    } else if (x.cols !== width) throw this.widthError('x[0]', x.cols);
    for (const values of runs) {
      if (direction === 'forward') for (let i = 0; i < values.length; i += width) for (let j = 0; j < width; j++) values[i + j] = (values[i + j]! - offset[j]!) / scale[j]!;
      else for (let i = 0; i < values.length; i += width) for (let j = 0; j < width; j++) values[i + j] = values[i + j]! * scale[j]! + offset[j]!;
    }
  }

  private widthError(argument: string, found: number): GlassnetError {
    return new GlassnetError({ code: 'shape', argument, expected: `${this.offset.length} features (as in the training data)`, found: `${found}` });
  }

  /** The statistics as data; {@link scalerFromJSON} restores an equal scaler. */
  toJSON(): ScalerJSON {
    return structuredClone(this.stats);
  }
}

/**
 * Fits a scaler to training data (never to test data, whose statistics the
 * model must not see).
 *
 * @throws GlassnetError `empty` for no rows, `shape` for ragged rows,
 * `not-finite` for NaN or infinite values, `unknown-name` for another kind.
 */
export function fitScaler(kind: ScalerKind, x: Rows | Matrix): Scaler {
  checkOneOf(SCALER_KINDS, kind, 'kind');
  const m = Array.isArray(x) ? matrixFromRows(x as Rows) : x as Matrix;
  if (m.rows === 0) throw new GlassnetError({ code: 'empty', argument: 'x', expected: 'at least one row', found: 'none' });
  const { rows, cols: width, data } = m;
  checkFinite(data, 'x', { at: (k) => `[${Math.floor(k / width)}][${k % width}]` });
  // Each column summed in row order, so the statistics do not depend on the layout the rows came in.
  const column = (j: number, f: (acc: number, v: number) => number, initial: number): number => {
    let acc = initial;
    for (let i = j; i < data.length; i += width) acc = f(acc, data[i]!);
    return acc;
  };
  const columns = Array.from({ length: width }, (_, j) => j);
  switch (kind) {
    case 'standard': {
      const mean = columns.map((j) => column(j, (s, v) => s + v, 0) / rows);
      const std = columns.map((j) => Math.sqrt(column(j, (s, v) => s + (v - mean[j]!) ** 2, 0) / rows));
      // Values near the float64 limit overflow the sums; such statistics could not be saved or undone.
      const bad = std.findIndex((v, j) => !Number.isFinite(v) || !Number.isFinite(mean[j]!));
      if (bad >= 0) {
        throw new GlassnetError({ code: 'not-finite', argument: `x[*][${bad}]`, expected: 'values whose mean and standard deviation are finite', found: `mean ${mean[bad]}, std ${std[bad]}` });
      }
      return new Scaler({ kind, mean, std });
    }
    case 'minmax': {
      const min = columns.map((j) => column(j, Math.min, Infinity));
      const max = columns.map((j) => column(j, Math.max, -Infinity));
      const bad = max.findIndex((v, j) => !Number.isFinite(v - min[j]!));
      if (bad >= 0) {
        throw new GlassnetError({ code: 'not-finite', argument: `x[*][${bad}]`, expected: 'a range max - min that is finite', found: `${min[bad]} to ${max[bad]}` });
      }
      return new Scaler({ kind, min, max });
    }
    case 'none':
      return new Scaler({ kind });
    default:
      return kind satisfies never;
  }
}

/**
 * Restores a scaler from {@link Scaler.toJSON} output, e.g. read from a
 * model file.
 *
 * @param argument names the value in error messages (default `scaler`).
 * @throws GlassnetError `unknown-name` for an unknown kind, `type` for a
 * missing or non-array field, `shape` for arrays of different lengths,
 * `not-finite` for a non-finite entry, `range` for std < 0 or max < min.
 */
export function scalerFromJSON(json: unknown, argument = 'scaler'): Scaler {
  const data = (typeof json === 'object' && json !== null ? json : {}) as Record<string, unknown>;
  const field = (name: string): number[] => {
    const value = data[name];
    if (!Array.isArray(value)) throw new GlassnetError({ code: 'type', argument: `${argument}.${name}`, expected: 'an array of numbers', found: describeValue(value) });
    checkFinite(value, `${argument}.${name}`);
    return value.slice();
  };
  const pair = (low: string, high: string, check: (lo: number, hi: number) => boolean, rule: string): [number[], number[]] => {
    const a = field(low);
    const b = field(high);
    if (a.length !== b.length) throw new GlassnetError({ code: 'shape', argument: `${argument}.${high}`, expected: `${a.length} entries (as ${low})`, found: `${b.length}` });
    b.forEach((v, j) => {
      if (!check(a[j]!, v)) throw new GlassnetError({ code: 'range', argument: `${argument}.${high}[${j}]`, expected: rule, found: describeValue(v) });
    });
    return [a, b];
  };
  switch (checkOneOf(SCALER_KINDS, data['kind'], `${argument}.kind`)) {
    case 'standard': {
      const [mean, std] = pair('mean', 'std', (_, s) => s >= 0, 'a standard deviation >= 0');
      return new Scaler({ kind: 'standard', mean, std });
    }
    case 'minmax': {
      const [min, max] = pair('min', 'max', (lo, hi) => hi >= lo, 'a maximum >= the minimum');
      return new Scaler({ kind: 'minmax', min, max });
    }
    case 'none':
      return new Scaler({ kind: 'none' });
  }
}
