import { GlassnetError, describeValue } from '../errors.js';
import { parseNumber } from './encode.js';
import { delimiterEndsDecimals, parseNumberAt, readDecimal } from './number.js';

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
 * One record of CSV text, as the offsets of its fields in the text it was
 * read from: a large file's cells are read where they lie (a number
 * straight from the characters) instead of each becoming a string first.
 * A {@link CsvRecordReader} passes on the same object for every record,
 * filled anew, so it is valid only during the call.
 */
export class CsvRecord {
  /** The text the offsets point into. */
  text = '';
  /** Fields in the record. */
  count = 0;
  /** 1-based line on which the record starts. */
  line = 0;
  /** Field `j` is `text.slice(starts[j], ends[j])`; a quoted field, whose quotes are undone, has start -1 and its value in `unquoted[j]`. */
  starts = new Int32Array(16);
  ends = new Int32Array(16);
  /** The number field `j` holds when the reader could read it on the way (a plain decimal), else NaN: not known yet. */
  values = new Float64Array(16);
  unquoted: string[] = [];

  /** The text of field `j`. */
  cell(j: number): string {
    const start = this.starts[j]!;
    return start < 0 ? this.unquoted[j]! : this.text.slice(start, this.ends[j]!);
  }

  /** The number field `j` holds, by {@link parseNumber}'s rule, or NaN for none; without making a string of the field. */
  number(j: number): number {
    const value = this.values[j]!;
    if (!Number.isNaN(value)) return value;
    const start = this.starts[j]!;
    if (start >= 0) return parseNumberAt(this.text, start, this.ends[j]!);
    const cell = this.unquoted[j]!;
    return parseNumberAt(cell, 0, cell.length);
  }

  /** The fields as strings. */
  cells(): string[] {
    const cells = new Array<string>(this.count);
    for (let j = 0; j < this.count; j++) cells[j] = this.cell(j);
    return cells;
  }

  /** Field `count` spans `start` to `end` of the text (a quoted field: start -1 and `unquoted` set), holding `value` if known, else NaN. */
  add(start: number, end: number, value: number): void {
    if (this.count === this.starts.length) {
      const grow = <T extends Int32Array | Float64Array>(from: T, to: T): T => {
        to.set(from);
        return to;
      };
      this.starts = grow(this.starts, new Int32Array(this.count * 2));
      this.ends = grow(this.ends, new Int32Array(this.count * 2));
      this.values = grow(this.values, new Float64Array(this.count * 2));
    }
    this.starts[this.count] = start;
    this.ends[this.count] = end;
    this.values[this.count++] = value;
  }

  /** Fills the record from cells held as strings (the first rows, kept until the header is settled). */
  fill(cells: readonly string[], line: number): this {
    this.text = cells.join('');
    this.count = 0;
    this.line = line;
    let at = 0;
    for (const cell of cells) {
      this.add(at, at + cell.length, NaN);
      at += cell.length;
    }
    return this;
  }
}

/**
 * An incremental CSV reader (RFC 4180, as {@link parseCsv}): push chunks of
 * text as they arrive (a file read piece by piece) and it calls `onRecord`
 * with each data record, holding only the unfinished last record in
 * between. The header and delimiter are known once the first rows are
 * read: `columns` is set before the first `onRecord`.
 */
export class CsvRecordReader {
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
  private first: HeldRecord | null = null;
  private width = 0;
  private firstLine = 1;
  /** The record being scanned, and one for the records held until the header is settled. */
  private readonly current = new CsvRecord();
  private readonly held = new CsvRecord();
  /** Where the scan has {@link readDecimal} put a field's number. */
  private readonly value = new Float64Array(1);

  constructor(private readonly options: CsvOptions, private readonly onRecord: (record: CsvRecord) => void) {
    this.file = options.file ?? '<csv>';
    const given = options.delimiter;
    this.delimiter = given === undefined || given === 'auto' ? null : checkDelimiter(given);
  }

  /** Reads a chunk of text; complete records are passed on, an unfinished one waits for the next chunk. */
  push(chunk: string): void {
    // Joined, not added: `+` makes a rope whose every character read goes through an indirection, while
    // join copies into one flat string, which the scan reads at full speed.
    this.buffer = this.buffer === '' ? chunk : [this.buffer, chunk].join('');
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

  private record(record: CsvRecord): void {
    if (this.columns === null && this.first === null) {
      this.first = { cells: record.cells(), line: record.line };
      this.width = record.count;
      if (this.options.header === true || this.options.header === false) this.decideHeader(null);
      return;
    }
    if (record.count !== this.width) {
      throw new GlassnetError({
        code: 'shape', argument: `${this.file}:${record.line}`, expected: `${this.width} fields (as on line ${this.firstLine})`, found: `${record.count} fields`,
      });
    }
    if (this.columns === null) this.decideHeader({ cells: record.cells(), line: record.line });
    else this.emit(record);
  }

  /** Settles the header from the first record and the second (null when there is none), and passes on the data rows held. */
  private decideHeader(second: HeldRecord | null): void {
    const first = this.first!;
    this.first = null;
    this.firstLine = first.line;
    const option = this.options.header;
    this.header = option === true || option === false ? option : looksLikeHeader(first.cells, second?.cells);
    this.columns = this.header ? first.cells.map((c) => c.trim()) : Array.from({ length: this.width }, (_, i) => `col${i + 1}`);
    if (!this.header) this.emit(this.held.fill(first.cells, first.line));
    if (second !== null) this.emit(this.held.fill(second.cells, second.line));
  }

  private emit(record: CsvRecord): void {
    this.rows++;
    this.onRecord(record);
  }

  /** Passes on every complete record of the buffer; without `final`, keeps an unfinished last one. */
  private scan(final: boolean): void {
    const text = this.buffer;
    const delimiter = this.delimiter!;
    // Compared as char codes: reading text[i] as a one-character string costs more per character.
    const separatorCode = delimiter.charCodeAt(0);
    const length = text.length;
    const decimals = delimiterEndsDecimals(delimiter);
    const value = this.value;
    const record = this.current;
    record.text = text;
    record.count = 0;
    let i = 0;
    let line = this.line;
    let recordStart = 0;
    let recordLine = line;
    let incomplete = false;
    scan: while (i < length) {
      const quoted = text.charCodeAt(i) === 34;
      // The character after the field: the delimiter, a line break, or -1 at the end of the text.
      let separator: number;
      if (quoted) {
        let cell = '';
        for (let from = i + 1; ;) {
          const close = text.indexOf('"', from);
          // A quote at the very end may be the first of a doubled one: wait for more text.
          if (!final && (close < 0 || close + 1 >= length)) {
            incomplete = true;
            break scan;
          }
          if (close < 0) throw new GlassnetError({ code: 'type', argument: `${this.file}:${line}:${record.count + 1}`, expected: 'a closing quote', found: 'the end of the file' });
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
            code: 'type', argument: `${this.file}:${line}:${record.count + 1}`, expected: 'a delimiter or line end after a closing quote', found: describeValue(next),
          });
        }
        record.unquoted[record.count] = cell;
        record.add(-1, -1, NaN);
        separator = i < length ? text.charCodeAt(i) : -1;
      } else {
        // The number a field holds is read on the way to its end, when it is a plain decimal.
        let end = decimals ? readDecimal(text, i, length, value, 0) : i;
        // -1 past the end of the text.
        separator = end < length ? text.charCodeAt(end) : -1;
        let number = decimals ? value[0]! : NaN;
        if (separator !== separatorCode && separator !== 10 && separator !== 13 && separator !== -1) {
          // Not a plain decimal: the field goes on to the delimiter, and its number (if any) is read when asked for.
          number = NaN;
          do separator = ++end < length ? text.charCodeAt(end) : -1;
          while (separator !== separatorCode && separator !== 10 && separator !== 13 && separator !== -1);
        }
        if (separator === -1 && !final) {
          incomplete = true;
          break;
        }
        record.add(i, end, number);
        i = end;
      }
      if (separator === separatorCode) {
        i++;
        continue;
      }
      if (separator === 13 && i + 1 >= length && !final) {
        incomplete = true;
        break;
      }
      // A record that is one empty unquoted field is a blank line, which is skipped.
      if (record.count > 1 || quoted || record.ends[0]! > record.starts[0]!) {
        record.line = recordLine;
        this.record(record);
      }
      record.count = 0;
      if (separator !== -1) {
        i += separator === 13 && text.charCodeAt(i + 1) === 10 ? 2 : 1;
        line++;
      }
      recordStart = i;
      recordLine = line;
    }
    if (incomplete || (!final && record.count > 0)) {
      this.buffer = text.slice(recordStart);
      this.line = recordLine;
      record.count = 0;
      return;
    }
    // A delimiter just before the end of the text opens one more, empty, field.
    if (record.count > 0) {
      record.add(length, length, NaN);
      record.line = recordLine;
      this.record(record);
      record.count = 0;
    }
    this.buffer = '';
    this.line = line;
  }
}

/**
 * {@link CsvRecordReader} passing each data row on as strings: `onRow`
 * receives its cells and the line it starts on.
 */
export class CsvReader extends CsvRecordReader {
  constructor(options: CsvOptions, onRow: (cells: string[], line: number) => void) {
    super(options, (record) => onRow(record.cells(), record.line));
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

/** A record kept as strings while the header is not settled (the text under a {@link CsvRecord} moves on). */
interface HeldRecord {
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
