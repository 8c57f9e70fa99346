import { GlassnetError, describeValue } from '../errors.js';
import { FRACTION, intervalWords } from './checks.js';
import { Random } from './random.js';

/**
 * How many of `n` rows a held-out share `fraction` takes: round(n·fraction),
 * which must leave at least one row on each side.
 * @throws GlassnetError naming `argument` otherwise.
 */
export function heldOutCount(fraction: unknown, n: number, argument: string): number {
  const count = typeof fraction === 'number' ? Math.round(n * fraction) : NaN;
  if (typeof fraction !== 'number' || !(fraction > 0 && fraction < 1) || !(count >= 1 && count <= n - 1)) {
    throw new GlassnetError({
      code: 'range', argument, expected: `${intervalWords(FRACTION)} that leaves at least one of the ${n} rows in each set`, found: describeValue(fraction),
    });
  }
  return count;
}

/**
 * Which rows go to the test (or validation) set: `testCount` of `n`,
 * shuffled by `Random(seed)`. With `classes` (each row's class index),
 * each class gives the test set its proportional share, rounded by largest
 * remainder (lower class first on ties) so the total is exact, and both
 * sets are interleaved. The one splitter behind `trainTestSplit` and
 * `fit`'s `validationSplit`, so the library and the CLI hold out the same rows.
 */
export function splitIndices(n: number, testCount: number, seed: number, classes: Int32Array | null): { train: number[]; test: number[] } {
  const random = new Random(seed);
  if (classes === null) {
    const order = random.shuffle(Array.from({ length: n }, (_, i) => i)) as number[];
    return { test: order.slice(0, testCount), train: order.slice(testCount) };
  }
  const width = classes.reduce((m, c) => Math.max(m, c + 1), 0);
  const byClass: number[][] = Array.from({ length: width }, () => []);
  classes.forEach((c, i) => byClass[c]!.push(i));
  const quotas = byClass.map((rows) => (rows.length * testCount) / n);
  const counts = quotas.map(Math.floor);
  const leftover = testCount - counts.reduce((s, c) => s + c, 0);
  const byRemainder = quotas.map((q, c) => ({ c, r: q - Math.floor(q) })).sort((a, b) => b.r - a.r || a.c - b.c);
  for (let k = 0; k < leftover; k++) counts[byRemainder[k]!.c]!++;
  const train: number[] = [];
  const test: number[] = [];
  byClass.forEach((rows, c) => {
    random.shuffle(rows);
    test.push(...rows.slice(0, counts[c]));
    train.push(...rows.slice(counts[c]));
  });
  // Interleave the classes, so a caller that does not shuffle still sees them mixed.
  return { train: random.shuffle(train) as number[], test: random.shuffle(test) as number[] };
}
