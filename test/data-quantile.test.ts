// The one quantile rule (src/util/quantile.ts) shared by the median fill of
// missing CSV cells and the report's weight spreads.
import { describe, expect, it } from 'vitest';
import { quantile } from '../src/util/quantile.js';

describe('quantile', () => {
  it('interpolates linearly between the order statistics around q·(n − 1)', () => {
    const sorted = [0, 10, 20, 40];
    expect([0, 1 / 3, 0.5, 2 / 3, 0.75, 1].map((q) => quantile(sorted, q))).toEqual([0, 10, 15, 20, 25, 40]);
    expect(quantile([7], 0.3)).toBe(7);
  });

  it('gives the median of an even count as exactly the mean of the middle two, of an odd count as the middle one', () => {
    // (a + b) / 2 and a + (b − a) / 2 differ in the last bit here; the mean is the first.
    const a = 0.1;
    const b = 0.7;
    expect(quantile([a, b], 0.5)).toBe((a + b) / 2);
    expect(quantile([-3, 1e300, 1e300], 0.5)).toBe(1e300);
    // A whole position is its value, even beside an infinity.
    expect(quantile([1, Infinity], 0)).toBe(1);
  });

  it('gives two equal neighbours as themselves, never a rounding outside the data', () => {
    // (1 − 0.2)·0.1 + 0.2·0.1 is 0.10000000000000002 in float64: above every value.
    expect(quantile([0.1, 0.1], 0.2)).toBe(0.1);
    expect(quantile([5e-324, 5e-324], 0.5)).toBe(5e-324);
  });

  it('refuses an empty list and a q outside [0, 1], naming them', () => {
    expect(() => quantile([], 0.5)).toThrow(/^sorted: expected at least one number, found none$/);
    expect(() => quantile([1, 2], 1.5)).toThrow(/^q: expected a number in \[0, 1\]/);
    expect(() => quantile([1, 2], Number.NaN)).toThrow(/^q: /);
  });
});
