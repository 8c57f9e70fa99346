/**
 * Machine-readable reason codes carried by every {@link GlassnetError}.
 * Tests and callers match on these rather than on message text.
 */
export type ErrorCode =
  | 'shape'
  | 'not-finite'
  | 'empty'
  | 'range'
  | 'unknown-name'
  | 'type'
  | 'dtype'
  | 'state'
  /** A file-system call failed; the message names the path and the operation. */
  | 'io';

/** The fields that describe what went wrong, as data. */
export interface ErrorDetails {
  /** Which reason this is. */
  code: ErrorCode;
  /** The argument (or path into it, e.g. `x[3][1]`) that was wrong. */
  argument: string;
  /** What was expected, in words a user can act on. */
  expected: string;
  /** What was actually found. */
  found: string;
  /** The underlying error, if this one wraps another. */
  cause?: unknown;
}

/**
 * The one error class glassnet throws for bad input. Its message names the
 * argument, the expectation and what was found; the same facts are fields.
 * A call that throws it has changed no state.
 */
export class GlassnetError extends Error {
  readonly code: ErrorCode;
  readonly argument: string;
  readonly expected: string;
  readonly found: string;

  constructor(details: ErrorDetails) {
    super(
      `${details.argument}: expected ${details.expected}, found ${details.found}`,
      details.cause === undefined ? undefined : { cause: details.cause },
    );
    this.name = 'GlassnetError';
    this.code = details.code;
    this.argument = details.argument;
    this.expected = details.expected;
    this.found = details.found;
  }
}

/**
 * A value as an error's `found` shows it: numbers and short strings as
 * written, anything else by its kind and size ("an array of length 3").
 */
export function describeValue(value: unknown): string {
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : String(value);
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name}`;
  return typeof value === 'object' ? `an object (${value.constructor?.name ?? 'Object'})` : typeof value;
}
