import { GlassnetError, describeValue } from '../errors.js';
import { checkFinite, checkOneOf } from '../util/checks.js';

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
    return this.map(x, (v, j) => (v - this.offset[j]!) / this.scale[j]!);
  }

  /**
   * {@link transform} in place: rows are overwritten rather than copied,
   * which halves the memory of a large data set that is not needed
   * unscaled. @throws GlassnetError `shape` (before changing anything) for a row of the wrong length.
   */
  transformInPlace(x: number[][]): void {
    if (this.stats.kind === 'none') return;
    const width = this.offset.length;
    x.forEach((row, i) => {
      if (row.length !== width) throw new GlassnetError({ code: 'shape', argument: `x[${i}]`, expected: `${width} features (as in the training data)`, found: `${row.length}` });
    });
    for (const row of x) for (let j = 0; j < width; j++) row[j] = (row[j]! - this.offset[j]!) / this.scale[j]!;
  }

  /** Undoes {@link transform}, e.g. to read scaled regression outputs in the original units. */
  inverse(x: Rows): number[][] {
    return this.map(x, (v, j) => v * this.scale[j]! + this.offset[j]!);
  }

  /** The statistics as data; {@link scalerFromJSON} restores an equal scaler. */
  toJSON(): ScalerJSON {
    return structuredClone(this.stats);
  }

  private map(x: Rows, f: (v: number, column: number) => number): number[][] {
    if (this.stats.kind === 'none') return x.map((row) => row.slice());
    const width = this.offset.length;
    return x.map((row, i) => {
      if (row.length !== width) {
        throw new GlassnetError({ code: 'shape', argument: `x[${i}]`, expected: `${width} features (as in the training data)`, found: `${row.length}` });
      }
      return row.map(f);
    });
  }
}

/**
 * Fits a scaler to training data (never to test data, whose statistics the
 * model must not see).
 *
 * @throws GlassnetError `empty` for no rows, `shape` for ragged rows,
 * `not-finite` for NaN or infinite values, `unknown-name` for another kind.
 */
export function fitScaler(kind: ScalerKind, x: Rows): Scaler {
  checkOneOf(SCALER_KINDS, kind, 'kind');
  if (x.length === 0) throw new GlassnetError({ code: 'empty', argument: 'x', expected: 'at least one row', found: 'none' });
  const width = x[0]!.length;
  x.forEach((row, i) => {
    if (row.length !== width) throw new GlassnetError({ code: 'shape', argument: `x[${i}]`, expected: `${width} values (as x[0])`, found: `${row.length}` });
    checkFinite(row, `x[${i}]`);
  });
  const columns = Array.from({ length: width }, (_, j) => x.map((row) => row[j]!));
  switch (kind) {
    case 'standard': {
      const mean = columns.map((c) => c.reduce((s, v) => s + v, 0) / c.length);
      const std = columns.map((c, j) => Math.sqrt(c.reduce((s, v) => s + (v - mean[j]!) ** 2, 0) / c.length));
      // Values near the float64 limit overflow the sums; such statistics could not be saved or undone.
      const bad = std.findIndex((v, j) => !Number.isFinite(v) || !Number.isFinite(mean[j]!));
      if (bad >= 0) {
        throw new GlassnetError({ code: 'not-finite', argument: `x[*][${bad}]`, expected: 'values whose mean and standard deviation are finite', found: `mean ${mean[bad]}, std ${std[bad]}` });
      }
      return new Scaler({ kind, mean, std });
    }
    case 'minmax': {
      const min = columns.map((c) => c.reduce((a, b) => Math.min(a, b)));
      const max = columns.map((c) => c.reduce((a, b) => Math.max(a, b)));
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
