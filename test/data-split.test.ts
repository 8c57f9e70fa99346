// Seeded train/test splits: determinism, sizes, stratified proportions.
import { describe, expect, it } from 'vitest';
import { thrown as failure } from './helpers/errors.js';
import { trainTestSplit } from '../src/data/split.js';
import { oneHot } from '../src/data/encode.js';

// 100 rows: 60 of class 0, 30 of class 1, 10 of class 2; x[i] = [i] identifies each row.
const labels = Array.from({ length: 100 }, (_, i) => (i < 60 ? 0 : i < 90 ? 1 : 2));
const data = { x: labels.map((_, i) => [i]), y: labels.map((c) => oneHot(c, 3)), classes: ['a', 'b', 'c'] };
const ids = (rows: number[][]): number[] => rows.map((r) => r[0]!);
const countClasses = (y: number[][]): number[] => [0, 1, 2].map((c) => y.filter((r) => r[c] === 1).length);

describe('trainTestSplit', () => {
  it('is a partition of the rows, with rows kept whole and other fields copied', () => {
    const { train, test } = trainTestSplit(data, { testFraction: 0.25, seed: 1 });
    expect(test.x).toHaveLength(25);
    expect(train.x).toHaveLength(75);
    expect([...ids(train.x), ...ids(test.x)].sort((a, b) => a - b)).toEqual(data.x.map((r) => r[0]));
    for (const part of [train, test]) part.x.forEach((row, i) => expect(part.y[i]).toEqual(oneHot(labels[row[0]!]!, 3)));
    expect(test.classes).toEqual(['a', 'b', 'c']);
  });

  it('is deterministic in the seed', () => {
    const a = trainTestSplit(data, { testFraction: 0.2, seed: 7 });
    const b = trainTestSplit(data, { testFraction: 0.2, seed: 7 });
    const c = trainTestSplit(data, { testFraction: 0.2, seed: 8 });
    expect(ids(a.test.x)).toEqual(ids(b.test.x));
    expect(ids(a.test.x)).not.toEqual(ids(c.test.x));
  });

  it('stratified: each class keeps its share in both sets', () => {
    for (const seed of [0, 1, 2]) {
      const { train, test } = trainTestSplit(data, { testFraction: 0.2, seed, stratify: true });
      expect(countClasses(test.y)).toEqual([12, 6, 2]);
      expect(countClasses(train.y)).toEqual([48, 24, 8]);
    }
  });

  it('stratified: rounds by largest remainder to the exact test size', () => {
    // Quotas for 15 test rows: 9, 4.5, 1.5 -> floors 9, 4, 1 and the one
    // leftover row goes to class 1 (remainder 0.5, tied with class 2, lower class first).
    const { test } = trainTestSplit(data, { testFraction: 0.15, seed: 3, stratify: true });
    expect(countClasses(test.y)).toEqual([9, 5, 1]);
  });

  it('rejects fractions that leave a set empty, mismatched lengths, and non-one-hot stratification', () => {
    for (const testFraction of [0, 1, -0.1, 0.001, 0.999, Number.NaN]) {
      const error = failure(() => trainTestSplit(data, { testFraction }));
      expect([error.code, error.argument]).toEqual(['range', 'testFraction']);
    }
    expect(failure(() => trainTestSplit({ x: [[1], [2]], y: [[1]] }, { testFraction: 0.5 })).code).toBe('shape');
    const regression = { x: [[1], [2], [3]], y: [[0.5], [1.5], [2]] };
    expect(failure(() => trainTestSplit(regression, { testFraction: 0.4, stratify: true })).argument).toBe('data.y[0]');
  });
});
