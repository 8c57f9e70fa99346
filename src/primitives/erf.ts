/**
 * The error function, which JavaScript's Math lacks. Two forms, each used
 * where it keeps its digits (7e-16 relative at worst over [−7, 7] against
 * an exact decimal evaluation; test/primitives.test.ts holds it to
 * PyTorch's):
 *
 * - |x| < 1.5: erf(x) = 2/√π · e^(−x²) · Σₙ 2ⁿ x^(2n+1) / (1·3·…·(2n+1)).
 *   Every term is positive, so the sum cannot cancel (the alternating
 *   Taylor series loses digits as |x| grows). x² is split exactly into
 *   hi + lo (Dekker's product), so squaring's rounding does not reach the
 *   result.
 * - |x| ≥ 1.5: erf(x) = 1 − erfc(x), with erfc from its continued
 *   fraction; erfc(1.5) ≈ 0.03, so erfc's own rounding is diluted 30-fold
 *   in erf. (The series, used up to 3, lost 12 ulps near 2.3.) Past
 *   |x| = 6, erf rounds to ±1.
 */

const TWO_OVER_SQRT_PI = 1.1283791670955126;
const ONE_OVER_SQRT_PI = 0.5641895835477563;
/** 2^27 + 1: splits a double into two halves whose products are exact. */
const SPLITTER = 134217729;
/** Where the continued fraction takes over from the series. */
const CF_FROM = 1.5;

/** erf(x) for every double x; NaN gives NaN. */
export function erf(x: number): number {
  if (Number.isNaN(x)) return x;
  const a = Math.abs(x);
  if (a >= 6) return x > 0 ? 1 : -1;
  if (a >= CF_FROM) return (x > 0 ? 1 : -1) * (1 - erfcTail(a));
  return seriesErf(x);
}

/** x² as hi + lo exactly (Dekker's product): hi is the rounded square, lo what rounding dropped. */
function exactSquare(x: number): [number, number] {
  const hi = x * x;
  const t = SPLITTER * x;
  const xh = t - (t - x);
  const xl = x - xh;
  return [hi, xh * xh - hi + 2 * xh * xl + xl * xl];
}

/** e^(−x²) without the square's rounding error: e^(−hi)·e^(−lo) with e^(−lo) = 1 − lo (lo is below hi's last digit). */
function expMinusSquare(x: number): number {
  const [hi, lo] = exactSquare(x);
  return Math.exp(-hi) * (1 - lo);
}

/**
 * The positive series. Terms are built from the rounded square hi; term n
 * then lacks a factor (1 + lo/hi)ⁿ ≈ 1 + n·lo/hi, which would cost n
 * half-ulps in the largest terms, so Σ n·termₙ is kept beside the sum and
 * the correction added at the end.
 */
function seriesErf(x: number): number {
  const [hi, lo] = exactSquare(x);
  let term = x;
  let sum = x;
  let weighted = 0;
  for (let n = 1; n < 200; n++) {
    term *= (2 * hi) / (2 * n + 1);
    const next = sum + term;
    if (next === sum) break;
    sum = next;
    weighted += n * term;
  }
  const corrected = hi === 0 ? sum : sum + (lo / hi) * weighted;
  return TWO_OVER_SQRT_PI * Math.exp(-hi) * (1 - lo) * corrected;
}

/**
 * erfc(a) for a ≥ 1.5: e^(−a²)/√π · 1/(a + (1/2)/(a + 1/(a + (3/2)/(a + …)))),
 * evaluated bottom-up from a fixed depth: 200 levels settle it to the last
 * digit at a = 1.5, 60 past 2.5.
 */
function erfcTail(a: number): number {
  let f = a;
  for (let k = a < 2.5 ? 200 : 60; k >= 1; k--) f = a + k / 2 / f;
  return (ONE_OVER_SQRT_PI * expMinusSquare(a)) / f;
}
