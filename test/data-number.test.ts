// Numbers read out of CSV text where they lie (src/data/number.ts), and by the
// reader on its way through a field (CsvRecord.number): each must be Number()'s
// double to the last bit (Object.is, so -0 counts), and a cell that is not a
// plain decimal must stay not a number, whatever its neighbours in the text.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CsvRecordReader, type CsvRecord } from '../src/data/csv.js';
import { parseNumber } from '../src/data/encode.js';
import { parseNumberAt } from '../src/data/number.js';
import { MISSING_TOKENS } from '../src/data/table.js';

const settings = { numRuns: 2000, seed: 20261203 };

const digits = (max: number): fc.Arbitrary<string> => fc.array(fc.constantFrom(...'0123456789'), { maxLength: max }).map((d) => d.join(''));

/** Plain decimals as people and programs write them: signs, leading zeros, long mantissas, points at either end, exponents. */
const decimal: fc.Arbitrary<string> = fc.record({
  sign: fc.constantFrom('', '', '-', '+'),
  whole: fc.oneof(digits(6), digits(30)),
  point: fc.boolean(),
  fraction: fc.oneof(digits(8), digits(30)),
  exponent: fc.option(fc.tuple(fc.constantFrom('e', 'E'), fc.constantFrom('', '-', '+'), fc.integer({ min: 0, max: 400 })), { freq: 3 }),
}).map(({ sign, whole, point, fraction, exponent }) => {
  const body = point ? `${whole}.${fraction}` : `${whole}${fraction}`;
  const exp = exponent === null ? '' : `${exponent[0]}${exponent[1]}${exponent[2]}`;
  return `${sign}${body === '' || body === '.' ? '0' : body}${exp}`;
});

/** Integers at the edge of exactness (2^53), with the point put anywhere. */
const nearExact: fc.Arbitrary<string> = fc.tuple(fc.integer({ min: -3, max: 3 }), fc.nat(17), fc.constantFrom('', '-')).map(([delta, at, sign]) => {
  const d = String(BigInt(2 ** 53) + BigInt(delta));
  const cut = Math.min(at, d.length);
  return `${sign}${d.slice(0, cut)}.${d.slice(cut)}`;
});

/** Cells that are not plain decimals: the missing tokens, words, hex, half numbers. */
const notNumber: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...MISSING_TOKENS, 'Infinity', '-Infinity', '0x1F', '1e', '1e+', '--1', '+-1', '.', '-.', '1.2.3', '1,5', '١٢', '1_000', 'e5', '.e5'),
  fc.string({ maxLength: 8 }),
);

const spaced = (cell: fc.Arbitrary<string>): fc.Arbitrary<string> => fc.tuple(fc.constantFrom('', ' ', '  ', '\u00a0'), cell, fc.constantFrom('', ' ', '\u2003')).map(([a, c, b]) => `${a}${c}${b}`);

/** What a cell holds by the documented rule: Number() of the trimmed cell when it is a plain decimal. */
function expected(cell: string): number | null {
  const text = cell.trim();
  return /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text) ? Number(text) : null;
}

const same = (a: number | null, b: number | null): boolean => (a === null || b === null ? a === b : Object.is(a, b));

describe('reading numbers where they lie', () => {
  it('gives Number()\'s double, bit for bit, for every plain decimal', () => {
    fc.assert(fc.property(fc.oneof(decimal, nearExact), (cell) => {
      expect(Object.is(parseNumber(cell), Number(cell)), cell).toBe(true);
    }), settings);
  });

  it('reads only between its offsets, whatever surrounds the cell', () => {
    fc.assert(fc.property(fc.oneof(decimal, nearExact, spaced(decimal), notNumber), digits(3), fc.constantFrom('', '.', 'e5', '1', '-', ' '), (cell, before, after) => {
      const text = `${before}${cell}${after}${'7'}`;
      const value = parseNumberAt(text, before.length, before.length + cell.length);
      expect(same(Number.isNaN(value) ? null : value, expected(cell)), JSON.stringify(cell)).toBe(true);
    }), settings);
  });

  it('refuses what is not a plain decimal, the missing tokens among them', () => {
    for (const token of MISSING_TOKENS) expect(parseNumber(token)).toBeNull();
    fc.assert(fc.property(fc.oneof(spaced(notNumber), spaced(decimal)), (cell) => {
      expect(same(parseNumber(cell), expected(cell)), JSON.stringify(cell)).toBe(true);
    }), settings);
  });

  it('keeps the sign of zero and the edges of the fast path exact', () => {
    const cells = ['-0', '-0.000', '+0', '0e5', '-0e-5', '9007199254740991', '9007199254740992', '9007199254740993', '0.9007199254740993', '-90071992547409.93',
      `1${'0'.repeat(22)}`, `0.${'0'.repeat(21)}1`, `0.${'0'.repeat(22)}1`, '1e22', '1e23', '1.5e-22', '123456789012345678901234567890', '00000000000000000000001.5', '3.', '.5'];
    for (const cell of cells) expect(Object.is(parseNumber(cell), Number(cell)), cell).toBe(true);
  });
});

describe('the CSV reader reading numbers on its way', () => {
  /** Each record's numbers, as the reader gives them, for text pushed in pieces of `size`. */
  function numbers(text: string, delimiter: string, size: number): (number | null)[][] {
    const rows: (number | null)[][] = [];
    const reader = new CsvRecordReader({ delimiter, header: false }, (record: CsvRecord) => {
      rows.push(Array.from({ length: record.count }, (_, j) => {
        const value = record.number(j);
        return Number.isNaN(value) ? null : value;
      }));
    });
    for (let i = 0; i < text.length; i += size) reader.push(text.slice(i, i + size));
    reader.end();
    return rows;
  }

  it('agrees with the rule on every cell, whatever the delimiter, quoting, line ends and chunking', () => {
    const cell = fc.oneof(decimal, nearExact, spaced(decimal), notNumber.map((c) => c.replace(/[,;\t\r\n".]/g, '')));
    fc.assert(fc.property(
      fc.array(fc.array(fc.tuple(cell, fc.boolean()), { minLength: 3, maxLength: 3 }), { minLength: 1, maxLength: 4 }),
      fc.constantFrom(',', ';', '\t', '.'), fc.constantFrom('\n', '\r\n'), fc.integer({ min: 1, max: 9 }),
      (rows, delimiter, newline, size) => {
        // A cell holding the delimiter is quoted, as a writer would; so are some others.
        const field = ([c, quote]: [string, boolean]): string => (quote || c.includes(delimiter) || c.trim() === '' ? `"${c}"` : c);
        const text = rows.map((row) => row.map(field).join(delimiter)).join(newline);
        expect(numbers(text, delimiter, size)).toEqual(rows.map((row) => row.map(([c]) => expected(c))));
      },
    ), { ...settings, numRuns: 500 });
  });
});
