import { GlassnetError, describeValue } from '../errors.js';
import { checkInteger } from '../util/checks.js';
import { parseNumberAt } from './number.js';

/** Labels as one-hot rows, and the class each position stands for. */
export interface EncodedLabels {
  y: number[][];
  classes: string[];
}

/** The number a cell holds, or `null` when it is not a plain decimal number (hex, `NaN`, `Infinity` and blanks are not); spaces around it are ignored. */
export function parseNumber(cell: string): number | null {
  const value = parseNumberAt(cell, 0, cell.length);
  return Number.isNaN(value) ? null : value;
}

/** One-hot row of length `n` with a 1 at `index`. */
export function oneHot(index: number, n: number): number[] {
  checkInteger(n, 1, 'n');
  checkInteger(index, 0, 'index', n - 1);
  const row = new Array<number>(n).fill(0);
  row[index] = 1;
  return row;
}

/**
 * The distinct labels in a fixed order that does not depend on row order:
 * numerically when every label is a number, else by UTF-16 code units
 * (not locale, so every machine agrees).
 */
export function sortedClasses(labels: readonly string[]): string[] {
  const distinct = [...new Set(labels)];
  const numeric = distinct.every((l) => parseNumber(l) !== null);
  return numeric ? distinct.sort((a, b) => parseNumber(a)! - parseNumber(b)!) : distinct.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * One-hot encodes class labels. Without `classes` (training time) the
 * classes are {@link sortedClasses} of the labels. With `classes` (the
 * list saved at training time) a label outside it is an error, since the
 * model has no output for it.
 *
 * @param locate describes where label `i` came from, for error messages
 * (default `labels[i]`).
 * @throws GlassnetError `unknown-name` for an unseen label, `empty` for no
 * labels, `range` for a repeated entry in `classes`.
 */
export function encodeLabels(
  labels: readonly string[],
  classes?: readonly string[],
  locate: (index: number) => string = (i) => `labels[${i}]`,
): EncodedLabels {
  if (labels.length === 0) {
    throw new GlassnetError({ code: 'empty', argument: 'labels', expected: 'at least one label', found: 'none' });
  }
  const known = classes === undefined ? sortedClasses(labels) : [...classes];
  const position = new Map(known.map((c, i) => [c, i]));
  if (position.size !== known.length || known.length === 0) {
    throw new GlassnetError({ code: 'range', argument: 'classes', expected: 'a non-empty list of distinct class names', found: JSON.stringify(known) });
  }
  const y = labels.map((label, i) => {
    const index = position.get(label);
    if (index === undefined) {
      throw new GlassnetError({
        code: 'unknown-name', argument: locate(i),
        expected: `one of the classes seen in training: ${known.map((c) => JSON.stringify(c)).join(', ')}`, found: describeValue(label),
      });
    }
    return oneHot(index, known.length);
  });
  return { y, classes: known };
}

/**
 * The label of each row: the class at its largest entry (the first on a
 * tie), so it reads one-hot targets and predicted probabilities alike.
 *
 * @throws GlassnetError `shape` for a row whose length is not `classes.length`.
 */
export function decodeLabels(y: readonly (readonly number[])[], classes: readonly string[]): string[] {
  return y.map((row, i) => {
    if (row.length !== classes.length) {
      throw new GlassnetError({ code: 'shape', argument: `y[${i}]`, expected: `${classes.length} values (one per class)`, found: `${row.length}` });
    }
    let best = 0;
    for (let j = 1; j < row.length; j++) if (row[j]! > row[best]!) best = j;
    return classes[best]!;
  });
}
