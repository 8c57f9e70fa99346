// Shared by the test/data-*.test.ts files; the synchronous twin of `rejection` is test/helpers/errors.ts.
import { expect } from 'vitest';
import { GlassnetError } from '../src/errors.js';

/** As `thrown` (test/helpers/errors.ts), for a promise. */
export async function rejection(p: Promise<unknown>): Promise<GlassnetError> {
  try {
    await p;
  } catch (error) {
    expect(error).toBeInstanceOf(GlassnetError);
    return error as GlassnetError;
  }
  throw new Error('expected a GlassnetError, but the promise resolved');
}
