import { GlassnetError, describeValue } from '../errors.js';
import { oneHot } from './encode.js';

/** Inputs and targets as rows of numbers. */
export interface Dataset {
  x: number[][];
  y: number[][];
}

/**
 * The n one-hot codes of length n, as both inputs and targets: the
 * classic auto-encoder task (8-3-8 forces a 3-bit code in the middle).
 */
export function oneHotCodes(n = 8): Dataset {
  if (!Number.isInteger(n) || n < 2) {
    throw new GlassnetError({ code: 'range', argument: 'n', expected: 'an integer >= 2', found: describeValue(n) });
  }
  const x = Array.from({ length: n }, (_, i) => oneHot(i, n));
  return { x, y: x.map((row) => row.slice()) };
}
