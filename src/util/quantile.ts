/**
 * The `q`-quantile (0 ≤ q ≤ 1) of numbers sorted ascending: the value at
 * position q·(n − 1), interpolated linearly between the two order
 * statistics around it (NumPy's default). Interpolated as (1 − t)·a + t·b,
 * so the median of an even count is exactly the mean of the middle two, and
 * a whole position returns its value untouched.
 */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  const at = q * (sorted.length - 1);
  const below = Math.floor(at);
  const t = at - below;
  const a = sorted[below]!;
  return t === 0 ? a : (1 - t) * a + t * sorted[below + 1]!;
}
