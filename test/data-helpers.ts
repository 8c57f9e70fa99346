// Shared by the test/data-*.test.ts files.
import { expect } from 'vitest';
import { GlassnetError } from '../src/errors.js';

/** Runs `f`, expecting it to throw a GlassnetError, and returns that error for its fields to be checked. */
export function failure(f: () => unknown): GlassnetError {
  try {
    f();
  } catch (error) {
    expect(error).toBeInstanceOf(GlassnetError);
    return error as GlassnetError;
  }
  throw new Error('expected a GlassnetError, but the call returned');
}

/** As {@link failure}, for a promise. */
export async function rejection(p: Promise<unknown>): Promise<GlassnetError> {
  try {
    await p;
  } catch (error) {
    expect(error).toBeInstanceOf(GlassnetError);
    return error as GlassnetError;
  }
  throw new Error('expected a GlassnetError, but the promise resolved');
}
