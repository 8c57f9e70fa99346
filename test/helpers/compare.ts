import { expect } from 'vitest';

/** The largest absolute difference between two tables of the same shape (the shapes are asserted first). */
export function worst(a: readonly (readonly number[])[], b: readonly (readonly number[])[]): number {
  expect(a.map((r) => r.length)).toEqual(b.map((r) => r.length));
  return Math.max(...a.flatMap((row, r) => row.map((v, c) => Math.abs(v - b[r]![c]!))));
}
