/**
 * Parsing of command-line flag values. Every failure is a {@link UsageError}
 * whose argument is the flag as the user typed it, so the one-line error
 * says which flag to fix and the command exits with status 2.
 */
import type { Command } from 'commander';
import { DELIMITER_WORDS, GlassnetError, POSITIVE, checkDelimiter, checkInteger, checkNumber, checkOneOf, type ErrorDetails, type Interval } from 'glassnet';

/**
 * A command line the command cannot accept: a malformed, out-of-range,
 * repeated or conflicting flag. main.ts exits with {@link EXIT.usage} for
 * it; every other error (data, files, training) exits with {@link EXIT.failure}.
 */
export class UsageError extends GlassnetError {
  constructor(details: ErrorDetails) {
    super(details);
    this.name = 'UsageError';
  }
}

/** The exit statuses of every command, one place (docs/cli.md lists them). */
export const EXIT = { ok: 0, failure: 1, usage: 2, interrupted: 130 } as const;

/**
 * Plain decimal numbers only: `12`, `-0.5`, `.5`, `1e-3`. `Number()` would
 * also take `0x10`, `0b11`, `0o7`, `Infinity` and surrounding spaces, none
 * of which anyone means on a command line.
 */
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A finite number written in plain decimal. */
export function numberFlag(flag: string, text: string): number {
  const value = DECIMAL.test(text) ? Number(text) : NaN;
  if (!Number.isFinite(value)) throw new UsageError({ code: 'type', argument: flag, expected: 'a finite decimal number', found: JSON.stringify(text) });
  return value;
}

/**
 * A decimal number in `interval`. The range check is the library's, so a
 * flag says "a number in [0, 1)" in the same words as the option it sets;
 * the flag adds only its name.
 */
export function intervalFlag(flag: string, text: string, interval: Interval): number {
  const value = numberFlag(flag, text);
  return asUsage(text, () => checkNumber(value, interval, flag));
}

/** A number > 0. */
export function positiveFlag(flag: string, text: string): number {
  return intervalFlag(flag, text, POSITIVE);
}

/** An integer in [`min`, `max`]. */
export function integerFlag(flag: string, text: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const value = numberFlag(flag, text);
  return asUsage(text, () => checkInteger(value, min, flag, max));
}

/** One of a closed list of names. */
export function choiceFlag<T extends string>(flag: string, text: string, allowed: readonly T[]): T {
  return asUsage(text, () => checkOneOf(allowed, text, flag));
}

/** A library check's verdict on a flag, as a {@link UsageError} quoting what the user typed. */
function asUsage<T>(text: string, check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (!(error instanceof GlassnetError)) throw error;
    throw new UsageError({ code: error.code, argument: error.argument, expected: error.expected, found: JSON.stringify(text) });
  }
}

/** `auto` or a thread count from 1 up (fit's `threads` option). */
export function threadsFlag(flag: string, text: string): number | 'auto' {
  return text === 'auto' ? 'auto' : integerFlag(flag, text, 1);
}

/** A comma-separated list of non-empty items. */
export function listFlag(flag: string, text: string): string[] {
  const items = text.split(',').map((s) => s.trim());
  if (items.some((s) => s === '')) {
    throw new UsageError({ code: 'type', argument: flag, expected: 'a comma-separated list without empty items', found: JSON.stringify(text) });
  }
  return items;
}

/** A comma-separated list of layer sizes, each an integer in [1, `max`]. */
export function sizesFlag(flag: string, text: string, max = Number.MAX_SAFE_INTEGER): number[] {
  return listFlag(flag, text).map((size) => integerFlag(flag, size, 1, max));
}

/**
 * Memory the CLI lets one network take: 2^24 parameters. Training holds
 * each parameter several times over (weights, gradient, optimizer moments,
 * the copy sent to the training thread, about 25 bytes of checkpoint text),
 * so this is about 1.5 GB at most: sizes past it fail here, with an error,
 * instead of in an allocation that aborts the process.
 */
export const MAX_PARAMETERS = 2 ** 24;

/** The parameters (weights and biases) of Dense layers of these sizes. */
export function parameterCount(sizes: readonly number[]): number {
  let total = 0;
  for (let i = 0; i + 1 < sizes.length; i++) total += sizes[i]! * sizes[i + 1]! + sizes[i + 1]!;
  return total;
}

/**
 * Checks a network's size against a budget before anything is allocated.
 * @param what says what is counted, e.g. "parameters" or "numbers explained".
 */
export function checkBudget(flag: string, count: number, budget: number, what: string): void {
  if (count > budget) {
    throw new UsageError({ code: 'range', argument: flag, expected: `at most ${budget} ${what}, the memory budget`, found: `${count}` });
  }
}

/**
 * Makes every flag of `command` and its subcommands an error when given
 * twice (commander would silently keep the last value). Commander emits
 * `option:NAME` once per occurrence, so a count per parse finds repeats.
 */
export function forbidRepeatedFlags(command: Command): void {
  const seen = new Set<string>();
  for (const option of command.options) {
    const name = option.name();
    command.on(`option:${name}`, () => {
      if (seen.has(name)) throw new UsageError({ code: 'state', argument: option.long ?? name, expected: 'each flag at most once', found: 'it twice' });
      seen.add(name);
    });
  }
  for (const sub of command.commands) forbidRepeatedFlags(sub);
}

/** Names a user may type for a delimiter that is awkward on a command line. */
const DELIMITER_NAMES: Record<string, string> = { comma: ',', semicolon: ';', tab: '\t', '\\t': '\t' };

/** A CSV field separator: `auto`, one character, or `comma`, `semicolon`, `tab` (or `\t`). */
export function delimiterFlag(flag: string, text: string): string {
  const value = DELIMITER_NAMES[text] ?? text;
  if (value === 'auto') return value;
  try {
    return checkDelimiter(value, flag);
  } catch (error) {
    if (!(error instanceof GlassnetError)) throw error;
    throw new UsageError({ code: error.code, argument: flag, expected: `auto, comma, semicolon, tab or ${DELIMITER_WORDS}`, found: JSON.stringify(text) });
  }
}
