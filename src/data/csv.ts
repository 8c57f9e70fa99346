import { GlassnetError, describeValue } from '../errors.js';
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

/** Lines of text {@link CsvReader} waits for before detecting the delimiter. */
const DETECT_AFTER = 64 * 1024;

/**
 * An incremental CSV reader (RFC 4180, as {@link parseCsv}): push chunks of
 * text as they arrive (a file read piece by piece) and it calls `onRow`
 * with each data row and the line it starts on, holding only the
 * unfinished last record in between. The header and delimiter are known
 * once the first rows are read: `columns` is set before the first `onRow`.
 */
export class CsvReader {
  /** Column names, set before the first data row is passed on. */
  columns: string[] | null = null;
  /** Whether the first row was a header. */
  header = false;
  delimiter: string | null;
  /** Data rows passed on so far. */
  rows = 0;
  private readonly file: string;
  private buffer = '';
  private line = 1;
  private started = false;
  private first: CsvRecord | null = null;
  private width = 0;

  constructor(private readonly options: CsvOptions, private readonly onRow: (cells: string[], line: number) => void) {
    this.file = options.file ?? '<csv>';
    const given = options.delimiter;
    this.delimiter = given === undefined || given === 'auto' ? null : checkDelimiter(given);
  }

  /** Reads a chunk of text; complete records are passed on, an unfinished one waits for the next chunk. */
  push(chunk: string): void {
    this.buffer += chunk;
    if (!this.started) {
      if (this.buffer.length === 0) return;
      if (this.buffer.charCodeAt(0) === 0xfeff) this.buffer = this.buffer.slice(1);
      this.started = true;
    }
    if (this.delimiter === null) {
      if (this.buffer.length < DETECT_AFTER) return;
      this.delimiter = detectDelimiter(this.buffer);
    }
    this.scan(false);
  }

  /**
   * Reads what is left: the last record may end without a line break.
   * @throws GlassnetError `empty` when the text held no rows at all.
   */
  end(): void {
    if (this.delimiter === null) this.delimiter = detectDelimiter(this.buffer);
    this.scan(true);
    if (this.first !== null) this.decideHeader(null);
    if (this.columns === null) throw new GlassnetError({ code: 'empty', argument: this.file, expected: 'at least one row', found: 'an empty file' });
  }

  private record(cells: string[], line: number): void {
    if (this.columns === null && this.first === null) {
      this.first = { cells, line };
      this.width = cells.length;
      if (this.options.header === true || this.options.header === false) this.decideHeader(null);
      return;
    }
    if (cells.length !== this.width) {
      throw new GlassnetError({
        code: 'shape', argument: `${this.file}:${line}`, expected: `${this.width} fields (as on line ${this.firstLine})`, found: `${cells.length} fields`,
      });
    }
    if (this.columns === null) this.decideHeader({ cells, line });
    else this.emit(cells, line);
  }

  private firstLine = 1;

  /** Settles the header from the first record and the second (null when there is none), and passes on the data rows held. */
  private decideHeader(second: CsvRecord | null): void {
    const first = this.first!;
    this.first = null;
    this.firstLine = first.line;
    const option = this.options.header;
    this.header = option === true || option === false ? option : looksLikeHeader(first.cells, second?.cells);
    this.columns = this.header ? first.cells.map((c) => c.trim()) : Array.from({ length: this.width }, (_, i) => `col${i + 1}`);
    if (!this.header) this.emit(first.cells, first.line);
    if (second !== null) this.emit(second.cells, second.line);
  }

  private emit(cells: string[], line: number): void {
    this.rows++;
    this.onRow(cells, line);
  }

  /** Passes on every complete record of the buffer; without `final`, keeps an unfinished last one. */
  private scan(final: boolean): void {
    const text = this.buffer;
    const delimiter = this.delimiter!;
    // Compared as char codes: reading text[i] as a one-character string costs more per character.
    const separatorCode = delimiter.charCodeAt(0);
    const length = text.length;
    let i = 0;
    let line = this.line;
    let recordStart = 0;
    let recordLine = line;
    let cells: string[] = [];
    let incomplete = false;
    scan: while (i < length) {
      let cell: string;
      const quoted = text.charCodeAt(i) === 34;
      if (quoted) {
        cell = '';
        for (let from = i + 1; ;) {
          const close = text.indexOf('"', from);
          // A quote at the very end may be the first of a doubled one: wait for more text.
          if (!final && (close < 0 || close + 1 >= length)) {
            incomplete = true;
            break scan;
          }
          if (close < 0) throw new GlassnetError({ code: 'type', argument: `${this.file}:${line}:${cells.length + 1}`, expected: 'a closing quote', found: 'the end of the file' });
          cell += text.slice(from, close);
          if (text.charCodeAt(close + 1) !== 34) {
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
            code: 'type', argument: `${this.file}:${line}:${cells.length + 1}`, expected: 'a delimiter or line end after a closing quote', found: describeValue(next),
          });
        }
      } else {
        let end = i;
        while (end < length) {
          const code = text.charCodeAt(end);
          if (code === separatorCode || code === 10 || code === 13) break;
          end++;
        }
        if (end === length && !final) {
          incomplete = true;
          break;
        }
        cell = text.slice(i, end);
        i = end;
      }
      cells.push(cell);
      // -1 past the end of the text.
      const separator = i < length ? text.charCodeAt(i) : -1;
      if (separator === separatorCode) {
        i++;
        continue;
      }
      if (separator === 13 && i + 1 >= length && !final) {
        incomplete = true;
        break;
      }
      // A record that is one empty unquoted field is a blank line, which is skipped.
      if (cells.length > 1 || cell !== '' || quoted) this.record(cells, recordLine);
      cells = [];
      if (separator !== -1) {
        i += separator === 13 && text.charCodeAt(i + 1) === 10 ? 2 : 1;
        line++;
      }
      recordStart = i;
      recordLine = line;
    }
    if (incomplete || (!final && cells.length > 0)) {
      this.buffer = text.slice(recordStart);
      this.line = recordLine;
      return;
    }
    // A delimiter just before the end of the text opens one more, empty, field.
    if (cells.length > 0) this.record([...cells, ''], recordLine);
    this.buffer = '';
    this.line = line;
  }
}

/** The words of a valid delimiter, for this check and the CLI's `--delimiter`. */
export const DELIMITER_WORDS = 'one character other than a quote or line break';

/** `delimiter` when it can separate fields: one character, not a quote or line break. */
export function checkDelimiter(delimiter: string, argument = 'delimiter'): string {
  if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
    throw new GlassnetError({ code: 'range', argument, expected: DELIMITER_WORDS, found: describeValue(delimiter) });
  }
  return delimiter;
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
  const rows: string[][] = [];
  const lines: number[] = [];
  const reader = new CsvReader(options, (cells, line) => {
    rows.push(cells);
    lines.push(line);
  });
  reader.push(text);
  reader.end();
  return { columns: reader.columns!, header: reader.header, rows, lines, delimiter: reader.delimiter! };
}

interface CsvRecord {
  cells: string[];
  line: number;
}

function looksLikeHeader(first: readonly string[], second: readonly string[] | undefined): boolean {
  if (second === undefined) return first.every((c) => parseNumber(c) === null);
  return first.some((c, j) => parseNumber(c) === null && parseNumber(second[j]!) !== null);
}

/** One CSV line (with its line break): cells holding the delimiter, a quote or a line break are quoted, quotes doubled (RFC 4180). */
export function formatCsvRow(cells: readonly string[], delimiter = ','): string {
  const special = (cell: string): boolean => cell.includes(delimiter) || cell.includes('"') || cell.includes('\n') || cell.includes('\r');
  return `${cells.map((cell) => (special(cell) ? `"${cell.replace(/"/g, '""')}"` : cell)).join(delimiter)}\n`;
}
