/**
 * Reading a number out of CSV text where it lies, between two offsets, so a
 * large file's cells are never copied into strings of their own. The rule is
 * one: a cell is a number when, trimmed, it is a plain decimal
 * (`[+-]digits[.digits][e[+-]digits]`), and its value is what `Number()`
 * gives for it, to the last bit.
 */

/** The plain decimal numbers a cell may hold, after trimming. */
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Integers below this are exact in float64, and so is every partial sum of their digits. */
const EXACT_INTEGER = 2 ** 53;

/** 10^0 .. 10^22, each exact in float64. */
const POWERS_OF_TEN = Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));

/** Where {@link parseNumberAt} has {@link readDecimal} put its value. */
const scratch = new Float64Array(1);

/**
 * The fast path of reading a number: reads `[+-]digits[.digits]` from
 * `start`, stopping at the first other character or at `end`, and returns
 * where it stopped. `out[at]` receives the value read, or NaN when there
 * were no digits or they are too many to be sure of the last bit (the
 * caller then parses the cell with {@link parseNumberAt}, which falls back
 * to the general parse). A CSV reader calls it while looking for the end of
 * a field, so each character is read once.
 */
export function readDecimal(text: string, start: number, end: number, out: Float64Array, at: number): number {
  // The digits form an integer m below 2^53 and the point stands p <= 22 places from the end, so m and
  // 10^p are exact doubles and the one division rounds the exact value once, correctly: Number()'s double.
  let i = start;
  let c = i < end ? text.charCodeAt(i) : -1;
  const negative = c === 45;
  if (negative || c === 43) c = ++i < end ? text.charCodeAt(i) : -1;
  let mantissa = 0;
  let digits = 0;
  let fraction = 0;
  // 1 once the point is read: the digits after it count towards `fraction`.
  let point = 0;
  for (;;) {
    const digit = c - 48;
    if (digit >= 0 && digit <= 9) {
      mantissa = mantissa * 10 + digit;
      digits++;
      fraction += point;
    } else if (c === 46 && point === 0) {
      point = 1;
    } else {
      break;
    }
    c = ++i < end ? text.charCodeAt(i) : -1;
  }
  out[at] = digits > 0 && mantissa < EXACT_INTEGER && fraction <= 22 ? (negative ? -(mantissa / POWERS_OF_TEN[fraction]!) : mantissa / POWERS_OF_TEN[fraction]!) : NaN;
  return i;
}

/**
 * The number `text.slice(start, end)` holds, or NaN when it holds none
 * (NaN itself is never a cell's value: the token `NaN` is not a number
 * here). Equal, bit for bit, to `Number(cell.trim())` for a cell that is a
 * plain decimal once trimmed.
 */
export function parseNumberAt(text: string, start: number, end: number): number {
  if (readDecimal(text, start, end, scratch, 0) === end && !Number.isNaN(scratch[0]!)) return scratch[0]!;
  // Every other cell: spaces around it, an exponent, a long mantissa, or not a number at all.
  const cell = text.slice(start, end).trim();
  return NUMBER.test(cell) ? Number(cell) : NaN;
}

/** Whether {@link readDecimal} may run over a field ending at `delimiter`: it must not read the delimiter as part of a number. */
export function delimiterEndsDecimals(delimiter: string): boolean {
  return !/[\d.+-]/.test(delimiter);
}
