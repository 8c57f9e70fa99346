// Feature scaling: statistics against hand-computed values, constant
// columns, the JSON round trip a model file relies on, and bad input.
import { describe, expect, it } from 'vitest';
import { thrown as failure } from './helpers/errors.js';
import { Scaler, fitScaler, scalerFromJSON } from '../src/data/scaling.js';

// Column 0: mean 12/4 = 3, squared deviations 4+1+0+9 = 14, population variance 3.5.
// Column 1: constant 10. Column 2: mean 1, squared deviations 9+1+1+9 = 20, variance 5.
const X = [[1, 10, -2], [2, 10, 0], [3, 10, 2], [6, 10, 4]];

/** Equal within a few float64 rounding steps of the larger magnitude. */
function expectRowsClose(actual: number[][], expected: number[][]): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((row, i) => row.forEach((v, j) => {
    const want = expected[i]![j]!;
    expect(Math.abs(v - want), `[${i}][${j}] ${v} vs ${want}`).toBeLessThanOrEqual(4 * Number.EPSILON * Math.max(1, Math.abs(want)));
  }));
}

describe('scaling', () => {
  it('standard: population mean and standard deviation per column', () => {
    const scaler = fitScaler('standard', X);
    expect(scaler.toJSON()).toEqual({ kind: 'standard', mean: [3, 10, 1], std: [Math.sqrt(3.5), 0, Math.sqrt(5)] });
    const s0 = Math.sqrt(3.5);
    const s2 = Math.sqrt(5);
    expectRowsClose(scaler.transform(X), [[-2 / s0, 0, -3 / s2], [-1 / s0, 0, -1 / s2], [0, 0, 1 / s2], [3 / s0, 0, 3 / s2]]);
  });

  it('minmax: maps the training range of each column to [0, 1]', () => {
    const scaler = fitScaler('minmax', X);
    expect(scaler.toJSON()).toEqual({ kind: 'minmax', min: [1, 10, -2], max: [6, 10, 4] });
    expectRowsClose(scaler.transform(X), [[0, 0, 0], [0.2, 0, 1 / 3], [0.4, 0, 2 / 3], [1, 0, 1]]);
  });

  it('a constant column gets scale 1: it is shifted, never divided by zero', () => {
    for (const kind of ['standard', 'minmax'] as const) {
      const scaler = fitScaler(kind, X);
      expect(scaler.scale[1]).toBe(1);
      expect(scaler.transform([[3, 12, 1]])[0]![1]).toBe(2);
    }
  });

  it('applies training statistics unchanged to new rows, and inverse undoes them', () => {
    const scaler = fitScaler('standard', X);
    const fresh = [[4, 12, 1], [0, 9, -9]];
    expectRowsClose(scaler.transform(fresh), [[1 / Math.sqrt(3.5), 2, 0], [-3 / Math.sqrt(3.5), -1, -10 / Math.sqrt(5)]]);
    expectRowsClose(scaler.inverse(scaler.transform(fresh)), fresh);
  });

  it('none is the identity and copies', () => {
    const scaler = fitScaler('none', X);
    const out = scaler.transform(X);
    expect(out).toEqual(X);
    expect(out[0]).not.toBe(X[0]);
    expect(scaler.toJSON()).toEqual({ kind: 'none' });
  });

  it('round-trips through JSON to an equal scaler', () => {
    for (const kind of ['standard', 'minmax', 'none'] as const) {
      const scaler = fitScaler(kind, X);
      const restored = scalerFromJSON(JSON.parse(JSON.stringify(scaler)));
      expect(restored).toBeInstanceOf(Scaler);
      expect(restored.kind).toBe(kind);
      expect(restored.transform([[4, 12, 1]])).toEqual(scaler.transform([[4, 12, 1]]));
    }
  });

  it('toJSON returns a copy, so the scaler cannot be changed through it', () => {
    const scaler = fitScaler('minmax', X);
    const json = scaler.toJSON() as { min: number[] };
    json.min[0] = 100;
    expect(scaler.transform([[1, 10, -2]])).toEqual([[0, 0, 0]]);
  });

  it('rejects bad training data', () => {
    expect(failure(() => fitScaler('standard', [])).code).toBe('empty');
    expect(failure(() => fitScaler('standard', [[1, 2], [3]])).argument).toBe('x[1]');
    const nan = failure(() => fitScaler('minmax', [[1, 2], [3, Number.NaN]]));
    expect([nan.code, nan.argument]).toEqual(['not-finite', 'x[1][1]']);
    expect(failure(() => fitScaler('zscore' as 'standard', X)).code).toBe('unknown-name');
  });

  it('rejects rows of the wrong width at transform time', () => {
    const error = failure(() => fitScaler('standard', X).transform([[1, 2, 3], [1, 2]]));
    expect([error.code, error.argument, error.found]).toEqual(['shape', 'x[1]', '2']);
  });

  it('validates saved statistics', () => {
    const cases: [unknown, string, string][] = [
      [{ kind: 'robust' }, 'unknown-name', 'scaler.kind'],
      [null, 'unknown-name', 'scaler.kind'],
      [{ kind: 'standard', mean: [0, 1] }, 'type', 'scaler.std'],
      [{ kind: 'standard', mean: [0, 1], std: [1] }, 'shape', 'scaler.std'],
      [{ kind: 'standard', mean: [0, 'x'], std: [1, 1] }, 'type', 'scaler.mean[1]'],
      [{ kind: 'standard', mean: [0, 1], std: [1, -1] }, 'range', 'scaler.std[1]'],
      [{ kind: 'minmax', min: [0, 5], max: [1, 4] }, 'range', 'scaler.max[1]'],
      [{ kind: 'minmax', min: [0, null], max: [1, 4] }, 'type', 'scaler.min[1]'],
    ];
    for (const [json, code, argument] of cases) {
      const error = failure(() => scalerFromJSON(json));
      expect([error.code, error.argument], JSON.stringify(json)).toEqual([code, argument]);
    }
    expect(failure(() => scalerFromJSON({ kind: 'none2' }, 'model.scaler')).argument).toBe('model.scaler.kind');
  });
});
