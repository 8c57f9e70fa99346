import { GlassnetError } from '../errors.js';
import { backward, noGrad } from '../tensor/autograd.js';
import type { Tensor } from '../tensor/tensor.js';

/** Options of {@link gradCheck}. */
export interface GradCheckOptions {
  /** Finite-difference step h (default 1e-6). */
  epsilon?: number;
  /** Largest acceptable error (default 1e-6); see {@link GradCheckResult.maxError}. */
  tolerance?: number;
}

/** One compared gradient entry. */
export interface GradCheckEntry {
  /** Index of the tensor in `params`. */
  param: number;
  /** Flat index of the element. */
  index: number;
  analytic: number;
  numeric: number;
  /** |analytic − numeric| / max(1, |analytic|, |numeric|). */
  error: number;
}

/** Outcome of {@link gradCheck}. */
export interface GradCheckResult {
  ok: boolean;
  /** Largest entry error: relative for gradients above 1 in size, absolute below. */
  maxError: number;
  /** The entry with the largest error. */
  worst: GradCheckEntry;
  entries: GradCheckEntry[];
}

/**
 * Compares autograd's gradient of the scalar `lossFn()` with respect to
 * every element of `params` against central differences
 * (L(p+h) − L(p−h)) / 2h, in float64. Parameters are restored exactly,
 * values and `requiresGrad` alike, and their `.grad` is left holding the
 * analytic gradient.
 * @throws GlassnetError, changing nothing, if a parameter is not float64 or the loss is not a scalar.
 */
export function gradCheck(lossFn: () => Tensor, params: readonly Tensor[], options: GradCheckOptions = {}): GradCheckResult {
  const epsilon = options.epsilon ?? 1e-6;
  const tolerance = options.tolerance ?? 1e-6;
  if (params.length === 0) {
    throw new GlassnetError({ code: 'empty', argument: 'params', expected: 'at least one tensor to check', found: 'an empty list' });
  }
  params.forEach((p, i) => {
    if (p.dtype !== 'float64') {
      throw new GlassnetError({ code: 'dtype', argument: `params[${i}]`, expected: 'float64 (finite differences need its precision)', found: p.dtype });
    }
  });
  // Every tensor must record for the analytic pass; inputs such as x usually do not.
  const requiredGrad = params.map((p) => p.requiresGrad);
  for (const p of params) p.requiresGrad = true;
  try {
    const loss = lossFn();
    if (loss.size !== 1) {
      throw new GlassnetError({ code: 'shape', argument: 'lossFn()', expected: 'a scalar loss', found: `${loss.size} elements` });
    }
    for (const p of params) p.grad?.data.fill(0);
    backward(loss);
  } finally {
    params.forEach((p, i) => { p.requiresGrad = requiredGrad[i]!; });
  }
  const entries: GradCheckEntry[] = [];
  params.forEach((p, param) => {
    for (let index = 0; index < p.size; index++) {
      const original = p.data[index]!;
      p.data[index] = original + epsilon;
      const plus = noGrad(lossFn).item();
      p.data[index] = original - epsilon;
      const minus = noGrad(lossFn).item();
      p.data[index] = original;
      const numeric = (plus - minus) / (2 * epsilon);
      const analytic = p.grad === null ? 0 : p.grad.data[index]!;
      const error = Math.abs(analytic - numeric) / Math.max(1, Math.abs(analytic), Math.abs(numeric));
      entries.push({ param, index, analytic, numeric, error });
    }
  });
  const worst = entries.reduce((a, b) => (b.error > a.error ? b : a));
  return { ok: worst.error <= tolerance, maxError: worst.error, worst, entries };
}
