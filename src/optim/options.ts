import { GlassnetError, checkOneOf, describeValue } from '../errors.js';

/**
 * Checks for the option objects optimizers and schedules take. Every
 * reader names the option as `options.<key>` so an error points at the
 * field the user wrote; a typo'd key is an error rather than a silently
 * ignored setting.
 */

/** A plain object of options; unknown keys are refused (listing the valid ones). */
export function readOptions(options: unknown, allowed: readonly string[], argument = 'options'): Record<string, unknown> {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new GlassnetError({ code: 'type', argument, expected: 'an object of options', found: describeValue(options) });
  }
  for (const key of Object.keys(options)) checkOneOf(allowed, key, `${argument}.${key}`);
  return options as Record<string, unknown>;
}

/** An interval of allowed values, open or closed at each end. */
export interface Interval {
  min: number;
  max?: number;
  /** Exclude `min` itself (default: included). */
  minOpen?: boolean;
  /** Exclude `max` itself (default: included). */
  maxOpen?: boolean;
}

/** Nonnegative reals, the range of most decay and epsilon settings. */
export const NON_NEGATIVE: Interval = { min: 0 };
/** Strictly positive reals. */
export const POSITIVE: Interval = { min: 0, minOpen: true };
/** [0, 1], the range of averaging coefficients. */
export const UNIT: Interval = { min: 0, max: 1 };

/** `value` when it is a finite number in `interval`, else a GlassnetError naming `argument`. */
export function checkNumber(value: unknown, interval: Interval, argument: string): number {
  const { min, max = Infinity, minOpen = false, maxOpen = false } = interval;
  const inside = typeof value === 'number' && Number.isFinite(value)
    && (minOpen ? value > min : value >= min) && (maxOpen ? value < max : value <= max);
  if (!inside) throw new GlassnetError({ code: 'range', argument, expected: describeInterval(interval), found: describeValue(value) });
  return value as number;
}

/** Option `key` checked against `interval`, or `fallback` when absent or undefined. */
export function numberOption(options: Record<string, unknown>, key: string, fallback: number, interval: Interval, argument = 'options'): number {
  const value = options[key];
  return value === undefined ? fallback : checkNumber(value, interval, `${argument}.${key}`);
}

/** Option `key` as a boolean, or `fallback` when absent or undefined. */
export function booleanOption(options: Record<string, unknown>, key: string, fallback: boolean, argument = 'options'): boolean {
  const value = options[key];
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new GlassnetError({ code: 'type', argument: `${argument}.${key}`, expected: 'true or false', found: describeValue(value) });
  return value;
}

/** `value` when it is an integer ≥ `min`, else a GlassnetError naming `argument`. */
export function checkInteger(value: unknown, min: number, argument: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new GlassnetError({ code: 'range', argument, expected: `an integer ≥ ${min}`, found: describeValue(value) });
  }
  return value;
}

function describeInterval({ min, max = Infinity, minOpen = false, maxOpen = false }: Interval): string {
  if (max === Infinity) return `a finite number ${minOpen ? '>' : '≥'} ${min}`;
  return `a number in ${minOpen ? '(' : '['}${min}, ${max}${maxOpen ? ')' : ']'}`;
}
