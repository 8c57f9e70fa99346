import { GlassnetError, describe } from '../errors.js';

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
    throw new GlassnetError({ code: 'range', argument: 'n', expected: 'an integer >= 2', found: describe(n) });
  }
  const x = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
  return { x, y: x.map((row) => row.slice()) };
}
