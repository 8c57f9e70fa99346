import { GlassnetError } from '../errors.js';
import { UNIT, checkNumber } from './checks.js';

/**
 * The `q`-quantile (0 ≤ q ≤ 1) of numbers sorted ascending: the value at
 * position q·(n − 1), interpolated linearly between the two order
 * statistics around it (NumPy's default). Interpolated as (1 − t)·a + t·b,
 * so the median of an even count is the mean of the middle two rounded
 * once; a whole position, or two equal neighbours, give the value itself
 * (never a rounding of it outside the data).
 * @throws GlassnetError for an empty list or `q` outside [0, 1].
 */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  checkNumber(q, UNIT, 'q');
  if (sorted.length === 0) throw new GlassnetError({ code: 'empty', argument: 'sorted', expected: 'at least one number', found: 'none' });
  const at = q * (sorted.length - 1);
  const below = Math.floor(at);
  const t = at - below;
  const a = sorted[below]!;
  if (t === 0) return a;
  const b = sorted[below + 1]!;
  return a === b ? a : (1 - t) * a + t * b;
}
