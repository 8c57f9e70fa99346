/**
 * Parsing of command-line flag values. Every failure is a GlassnetError
 * whose argument is the flag as the user typed it, so the one-line error
 * says which flag to fix.
 */
import { GlassnetError } from '../src/index.js';

/** A finite number. */
export function numberFlag(flag: string, text: string): number {
  const value = text.trim() === '' ? NaN : Number(text);
  if (!Number.isFinite(value)) throw new GlassnetError({ code: 'type', argument: flag, expected: 'a finite number', found: JSON.stringify(text) });
  return value;
}

/** A number that passes `test`; `expected` describes the test for the error message. */
export function checkedFlag(flag: string, text: string, test: (value: number) => boolean, expected: string): number {
  const value = numberFlag(flag, text);
  if (!test(value)) throw new GlassnetError({ code: 'range', argument: flag, expected, found: JSON.stringify(text) });
  return value;
}

/** A number > 0. */
export function positiveFlag(flag: string, text: string): number {
  return checkedFlag(flag, text, (v) => v > 0, 'a number > 0');
}

/** An integer >= `min`. */
export function integerFlag(flag: string, text: string, min: number): number {
  return checkedFlag(flag, text, (v) => Number.isSafeInteger(v) && v >= min, `an integer >= ${min}`);
}

/** One of a closed list of names. */
export function choiceFlag<T extends string>(flag: string, text: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(text)) return text as T;
  throw new GlassnetError({ code: 'unknown-name', argument: flag, expected: `one of ${allowed.join(', ')}`, found: JSON.stringify(text) });
}

/** A comma-separated list of non-empty items. */
export function listFlag(flag: string, text: string): string[] {
  const items = text.split(',').map((s) => s.trim());
  if (items.some((s) => s === '')) {
    throw new GlassnetError({ code: 'type', argument: flag, expected: 'a comma-separated list without empty items', found: JSON.stringify(text) });
  }
  return items;
}

/** Names a user may type for a delimiter that is awkward on a command line. */
const DELIMITER_NAMES: Record<string, string> = { comma: ',', semicolon: ';', tab: '\t', '\\t': '\t' };

/** A CSV field separator: `auto`, one character, or `comma`, `semicolon`, `tab` (or `\t`). */
export function delimiterFlag(flag: string, text: string): string {
  const value = DELIMITER_NAMES[text] ?? text;
  if (value === 'auto' || (value.length === 1 && value !== '"' && value !== '\n' && value !== '\r')) return value;
  throw new GlassnetError({ code: 'type', argument: flag, expected: 'auto, comma, semicolon, tab or one character other than a quote', found: JSON.stringify(text) });
}
