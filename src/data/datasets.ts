import { checkInteger } from '../util/checks.js';
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
  checkInteger(n, 2, 'n');
  const x = Array.from({ length: n }, (_, i) => oneHot(i, n));
  return { x, y: x.map((row) => row.slice()) };
}
