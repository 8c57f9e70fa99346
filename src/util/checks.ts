/**
 * The argument checks of the library, its file loaders and the CLI's flag
 * parsers. Each kind of expectation has one wording, written here only:
 * "a finite number", "a finite number >= 0", "a number in (0, 1)",
 * "an integer >= 1", "an integer from 0 to 17", "one of ...". A check
 * returns the value it accepted, typed, or throws the {@link GlassnetError}
 * that names the argument, the expectation and the value found.
 */
import { GlassnetError, describeValue } from '../errors.js';

// ----------------------------------------------------------------- numbers

/** An interval of allowed values, open or closed at each end. */
export interface Interval {
  min: number;
  max?: number;
  /** Exclude `min` itself (default: included). */
  minOpen?: boolean;
  /** Exclude `max` itself (default: included). */
  maxOpen?: boolean;
}

/** Every finite number. */
export const FINITE: Interval = { min: -Infinity };
/** Nonnegative reals, the range of most decay and epsilon settings. */
export const NON_NEGATIVE: Interval = { min: 0 };
/** Strictly positive reals. */
export const POSITIVE: Interval = { min: 0, minOpen: true };
/** [0, 1], the range of averaging coefficients. */
export const UNIT: Interval = { min: 0, max: 1 };
/** [0, 1), the range of a dropout rate or an optional held-out share. */
export const RATE: Interval = { min: 0, max: 1, maxOpen: true };
/** (0, 1), a share that leaves something on both sides. */
export const FRACTION: Interval = { min: 0, max: 1, minOpen: true, maxOpen: true };

/** The one wording of an interval: "a finite number", "a finite number > 0", "a number in [0, 1)". */
export function intervalWords({ min, max = Infinity, minOpen = false, maxOpen = false }: Interval): string {
  if (max === Infinity) return min === -Infinity ? 'a finite number' : `a finite number ${minOpen ? '>' : '>='} ${min}`;
  if (min === -Infinity) return `a finite number ${maxOpen ? '<' : '<='} ${max}`;
  return `a number in ${minOpen ? '(' : '['}${min}, ${max}${maxOpen ? ')' : ']'}`;
}

/** Whether `value` is a finite number inside `interval`. */
export function inInterval(value: unknown, { min, max = Infinity, minOpen = false, maxOpen = false }: Interval): value is number {
  return typeof value === 'number' && Number.isFinite(value)
    && (minOpen ? value > min : value >= min) && (maxOpen ? value < max : value <= max);
}

/**
 * `value` when it is a finite number in `interval`, else a `range` error
 * naming `argument`; `context` follows the interval's words in the message
 * (e.g. "for elu").
 */
export function checkNumber(value: unknown, interval: Interval, argument: string, context?: string): number {
  if (!inInterval(value, interval)) {
    const expected = context === undefined ? intervalWords(interval) : `${intervalWords(interval)} ${context}`;
    throw new GlassnetError({ code: 'range', argument, expected, found: describeValue(value) });
  }
  return value;
}


/** The one wording of an integer range: "an integer >= 1", "an integer from 0 to 17". */
export function integerWords(min: number, max = Number.MAX_SAFE_INTEGER): string {
  return max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer from ${min} to ${max}`;
}

/** `value` when it is a safe integer in [`min`, `max`], else a `range` error naming `argument`. */
export function checkInteger(value: unknown, min: number, argument: string, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new GlassnetError({ code: 'range', argument, expected: integerWords(min, max), found: describeValue(value) });
  }
  return value;
}

/**
 * Index of the first value that is not a finite number (NaN, ±Infinity, or
 * not a number at all), or −1. With `float32`, a number that overflows
 * when rounded to float32 (beyond ±3.4e38) counts as not finite too.
 */
export function firstNonFinite(values: ArrayLike<unknown>, float32 = false): number {
  // The length read once: re-reading it each iteration doubled the time of a 6.4M-value check (fit checks its data on every call).
  const n = values.length;
  if (!float32) {
    for (let i = 0; i < n; i++) if (!Number.isFinite(values[i])) return i;
    return -1;
  }
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (typeof v !== 'number' || !Number.isFinite(Math.fround(v))) return i;
  }
  return -1;
}

/** How {@link checkFinite} names an element: `[i]` unless the caller knows the array's shape. */
export type ElementPath = (index: number) => string;

/** Options of {@link checkFinite}. */
export interface FiniteOptions {
  /** Names element `i` after the argument (default `[i]`). */
  at?: ElementPath;
  /** `"float32"`: each value must also be finite once rounded to float32, as a float32 file or model stores it. */
  dtype?: 'float32' | 'float64';
}

/**
 * Asserts that every element of `values` is a finite number; else the
 * error for the first that is not (`not-finite`, or `type` for a
 * non-number), naming `argument` and the element.
 */
export function checkFinite(values: ArrayLike<unknown>, argument: string, options: FiniteOptions = {}): asserts values is ArrayLike<number> {
  const { at = (i: number) => `[${i}]`, dtype = 'float64' } = options;
  const i = firstNonFinite(values, dtype === 'float32');
  if (i >= 0) {
    const value = values[i];
    const expected = dtype === 'float32' ? `${intervalWords(FINITE)} (finite in float32)` : intervalWords(FINITE);
    throw new GlassnetError({ code: typeof value === 'number' ? 'not-finite' : 'type', argument: `${argument}${at(i)}`, expected, found: describeValue(value) });
  }
}

// ----------------------------------------------------------------- names and options

/**
 * `value` when it is one of `names`; otherwise the `unknown-name` error
 * that lists them. The one check behind every option that picks a kind
 * by name (activation, loss, initialiser, scaler).
 */
export function checkOneOf<N extends string>(names: readonly N[], value: unknown, argument: string): N {
  if (typeof value === 'string' && (names as readonly string[]).includes(value)) return value as N;
  throw new GlassnetError({ code: 'unknown-name', argument, expected: oneOfWords(names), found: describeValue(value) });
}

/** The one wording of a closed list: `one of "a", "b", "c"`. */
export function oneOfWords(names: readonly string[]): string {
  return `one of ${names.map((n) => `"${n}"`).join(', ')}`;
}

/**
 * `options` as a plain object whose keys are all in `allowed`: a misspelled
 * option (`activaton`) fails, naming `argument.key` and listing the valid
 * ones, instead of being silently ignored.
 */
export function checkOptions(options: unknown, allowed: readonly string[], argument = 'options'): Record<string, unknown> {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new GlassnetError({ code: 'type', argument, expected: 'an object of options', found: describeValue(options) });
  }
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) throw new GlassnetError({ code: 'unknown-name', argument: `${argument}.${key}`, expected: `an option: ${oneOfWords(allowed)}`, found: JSON.stringify(key) });
  }
  return options as Record<string, unknown>;
}

/**
 * The keys of an options type, listed once: `Record<keyof T, true>` makes
 * the compiler report an option added to `T` but missing here.
 */
export function optionNames<T>(keys: Record<keyof T, true>): (keyof T & string)[] {
  return Object.keys(keys) as (keyof T & string)[];
}

/** `value` when it is a boolean, else a `type` error naming `argument`. */
export function checkBoolean(value: unknown, argument: string): boolean {
  if (typeof value !== 'boolean') throw new GlassnetError({ code: 'type', argument, expected: 'true or false', found: describeValue(value) });
  return value;
}

/** Option `key` of `options` checked against `interval`, or `fallback` when absent or undefined. */
export function numberOption(options: Record<string, unknown>, key: string, fallback: number, interval: Interval, argument = 'options'): number {
  const value = options[key];
  return value === undefined ? fallback : checkNumber(value, interval, `${argument}.${key}`);
}

/** Option `key` of `options` as a boolean, or `fallback` when absent or undefined. */
export function booleanOption(options: Record<string, unknown>, key: string, fallback: boolean, argument = 'options'): boolean {
  const value = options[key];
  return value === undefined ? fallback : checkBoolean(value, `${argument}.${key}`);
}
