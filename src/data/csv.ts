import { GlassnetError, describe } from '../errors.js';
import { parseNumber } from './encode.js';

/** Options for {@link parseCsv}. */
export interface CsvOptions {
  /** Name used in error messages (`iris.csv:14:3`); default `<csv>`. */
  file?: string;
  /** Whether the first row names the columns; `'auto'` (default) guesses, see {@link parseCsv}. */
  header?: 'auto' | boolean;
  /** Field separator, one character, or `'auto'` (default): comma, semicolon or tab, whichever splits the first lines evenly, see {@link detectDelimiter}. */
  delimiter?: string;
}

/** A CSV file as text cells, before any conversion. */
export interface CsvTable {
  /** Column names: the header row, or `col1`, `col2`, ... when there is none. */
  columns: string[];
  /** Whether `columns` came from the file. */
  header: boolean;
  /** Data rows (header excluded), all of `columns.length` cells. */
  rows: string[][];
  /** 1-based line on which each data row starts (a quoted field may span lines). */
  lines: number[];
  /** The field separator used (detected or given). */
  delimiter: string;
}

/** The delimiters {@link detectDelimiter} chooses from, in order of preference on a tie. */
export const DELIMITERS: readonly string[] = [',', ';', '\t'];

/** Lines {@link detectDelimiter} looks at. */
const SNIFF_LINES = 20;

/**
 * The delimiter of CSV text: among comma, semicolon and tab, the one that
 * occurs (outside quotes) the same number of times on each of the first
 * lines, the most often; failing that, the most frequent on the first line;
 * a comma when none occurs (a one-column file).
 */
export function detectDelimiter(text: string): string {
  const lines: string[] = [];
  let quoted = false;
  let current = '';
  for (let i = 0; i < text.length && lines.length < SNIFF_LINES; i++) {
    const ch = text[i]!;
    if (ch === '"') quoted = !quoted;
    if (!quoted && (ch === '\n' || ch === '\r')) {
      if (current.trim() !== '') lines.push(current);
      current = '';
    } else if (!quoted || ch === '"') {
      current += ch;
    }
  }
  if (current.trim() !== '' && lines.length < SNIFF_LINES) lines.push(current);
  const counts = DELIMITERS.map((d) => lines.map((line) => line.split(d).length - 1));
  let best = -1;
  DELIMITERS.forEach((_, k) => {
    const row = counts[k]!;
    if (row.length > 0 && row[0]! > 0 && row.every((n) => n === row[0]) && (best < 0 || row[0]! > counts[best]![0]!)) best = k;
  });
  if (best < 0) {
    DELIMITERS.forEach((_, k) => {
      if ((counts[k]![0] ?? 0) > (best < 0 ? 0 : counts[best]![0]!)) best = k;
    });
  }
  return best < 0 ? ',' : DELIMITERS[best]!;
}

/**
 * Parses CSV text (RFC 4180: quoted fields, `""` for a quote inside one,
 * LF or CRLF line ends). A leading byte-order mark is dropped and blank
 * lines are skipped wherever they are. Every row must have as many fields
 * as the first.
 *
 * With `header: 'auto'` the first row is a header when some column holds
 * a non-number in the first row and a number in the second; a file of one
 * row is a header only when none of its cells is a number. Pass
 * `header: true` for a header of numeric names.
 *
 * @throws GlassnetError `empty` for a file with no rows, `shape` for a row
 * with the wrong number of fields, `type` for a malformed quoted field; the
 * `argument` is `file:line` or `file:line:column`.
 */
export function parseCsv(text: string, options: CsvOptions = {}): CsvTable {
  const file = options.file ?? '<csv>';
  const delimiter = options.delimiter === undefined || options.delimiter === 'auto' ? detectDelimiter(text) : options.delimiter;
  if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
    throw new GlassnetError({ code: 'range', argument: 'delimiter', expected: 'one character other than a quote or line break', found: describe(delimiter) });
  }
  const records = tokenize(text.startsWith('\uFEFF') ? text.slice(1) : text, delimiter, file);
  if (records.length === 0) {
    throw new GlassnetError({ code: 'empty', argument: file, expected: 'at least one row', found: 'an empty file' });
  }
  const width = records[0]!.cells.length;
  for (const { cells, line } of records) {
    if (cells.length !== width) {
      throw new GlassnetError({
        code: 'shape', argument: `${file}:${line}`,
        expected: `${width} fields (as on line ${records[0]!.line})`, found: `${cells.length} fields`,
      });
    }
  }
  const header = options.header === undefined || options.header === 'auto' ? looksLikeHeader(records) : options.header;
  const data = header ? records.slice(1) : records;
  return {
    columns: header ? records[0]!.cells.map((c) => c.trim()) : Array.from({ length: width }, (_, i) => `col${i + 1}`),
    header,
    rows: data.map((r) => r.cells),
    lines: data.map((r) => r.line),
    delimiter,
  };
}

interface CsvRecord {
  cells: string[];
  line: number;
}

/** Splits text into records: one field per turn, then the separator after it. */
function tokenize(text: string, delimiter: string, file: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let cells: string[] = [];
  let line = 1;
  let recordLine = 1;
  let i = 0;
  let pending = false; // a delimiter was read, so one more field follows
  while (i < text.length || pending) {
    let cell: string;
    const quoted = text[i] === '"';
    if (quoted) {
      const start = `${file}:${line}:${cells.length + 1}`;
      cell = '';
      for (let from = i + 1; ;) {
        const close = text.indexOf('"', from);
        if (close < 0) throw new GlassnetError({ code: 'type', argument: start, expected: 'a closing quote', found: 'the end of the file' });
        cell += text.slice(from, close);
        if (text[close + 1] !== '"') {
          i = close + 1;
          break;
        }
        cell += '"';
        from = close + 2;
      }
      for (let k = cell.indexOf('\n'); k >= 0; k = cell.indexOf('\n', k + 1)) line++;
      const next = text[i];
      if (next !== undefined && next !== delimiter && next !== '\n' && next !== '\r') {
        throw new GlassnetError({
          code: 'type', argument: `${file}:${line}:${cells.length + 1}`,
          expected: 'a delimiter or line end after a closing quote', found: describe(next),
        });
      }
    } else {
      let end = i;
      while (end < text.length && text[end] !== delimiter && text[end] !== '\n' && text[end] !== '\r') end++;
      cell = text.slice(i, end);
      i = end;
    }
    cells.push(cell);
    const separator = text[i];
    pending = separator === delimiter;
    if (pending) {
      i++;
      continue;
    }
    // A record that is one empty unquoted field is a blank line, which is skipped.
    if (cells.length > 1 || cell !== '' || quoted) records.push({ cells, line: recordLine });
    cells = [];
    if (separator !== undefined) {
      i += separator === '\r' && text[i + 1] === '\n' ? 2 : 1;
      line++;
      recordLine = line;
    }
  }
  return records;
}

function looksLikeHeader(records: readonly CsvRecord[]): boolean {
  const first = records[0]!.cells;
  const second = records[1]?.cells;
  if (second === undefined) return first.every((c) => parseNumber(c) === null);
  return first.some((c, j) => parseNumber(c) === null && parseNumber(second[j]!) !== null);
}
