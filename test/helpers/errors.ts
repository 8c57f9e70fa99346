import { expect } from 'vitest';
import { GlassnetError } from '../../src/index.js';

/**
 * Runs `fn`, expecting it to throw a GlassnetError, and returns that error
 * so a test can check its fields (code, argument, expected, found), not
 * only its message.
 */
export function thrown(fn: () => unknown): GlassnetError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(GlassnetError);
    return error as GlassnetError;
  }
  throw new Error('expected a GlassnetError, nothing was thrown');
}

/** {@link thrown}, also checking the error's code and argument. */
export function rejection(fn: () => unknown, code: string, argument: string): GlassnetError {
  const error = thrown(fn);
  expect({ code: error.code, argument: error.argument }, error.message).toEqual({ code, argument });
  return error;
}
