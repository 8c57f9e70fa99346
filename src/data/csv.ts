import { GlassnetError, describe } from '../errors.js';
import type { Dataset } from './datasets.js';
import { encodeLabels, parseNumber } from './encode.js';

/** Options for {@link parseCsv}. */
export interface CsvOptions {
  /** Name used in error messages (`iris.csv:14:3`); default `<csv>`. */
  file?: string;
  /** Whether the first row names the columns; `'auto'` (default) guesses, see {@link parseCsv}. */
  header?: 'auto' | boolean;
  /** Field separator, one character; default `,`. */
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
}

/** What the target column holds. */
export type Task = 'classification' | 'regression';

/** Numeric features and targets, with the names needed to read them back. */
export interface Table extends Dataset {
  featureNames: string[];
  targetName: string;
  task: Task;
  /** For classification: the class of each one-hot position. */
  classes?: string[];
}

/** A column chosen by name or by 0-based index. */
export type ColumnRef = string | number;

/** Options for {@link loadFeatures}. */
export interface FeatureOptions extends CsvOptions {
  /** Feature columns; default every column (every column except the target in {@link loadTable}). */
  features?: ColumnRef[];
}

/** Options for {@link loadTable}. */
export interface TableOptions extends FeatureOptions {
  /** Target column; default the last column. */
  target?: ColumnRef;
  /** `'auto'` (default): classification if any target cell is not a number, or all are integers with at most {@link MAX_AUTO_CLASSES} distinct values. */
  task?: 'auto' | Task;
  /** Classes fixed at training time: at prediction time, a label outside them is an error. */
  classes?: readonly string[];
}

/** Integer targets with at most this many distinct values count as class labels under `task: 'auto'`. */
export const MAX_AUTO_CLASSES = 10;

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
  const delimiter = options.delimiter ?? ',';
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

/** Where a cell is, as error messages give it: `file:line:column (name)`, columns 1-based. */
function cellAt(file: string, table: CsvTable, row: number, column: number): string {
  const where = `${file}:${table.lines[row]}:${column + 1}`;
  return table.header ? `${where} (${table.columns[column]})` : where;
}

function resolveColumn(table: CsvTable, ref: ColumnRef, argument: string): number {
  const available = `one of the columns ${table.columns.map((c) => JSON.stringify(c)).join(', ')} or an index 0..${table.columns.length - 1}`;
  if (typeof ref === 'number') {
    if (Number.isInteger(ref) && ref >= 0 && ref < table.columns.length) return ref;
    throw new GlassnetError({ code: 'unknown-name', argument, expected: available, found: describe(ref) });
  }
  const index = table.columns.indexOf(ref);
  if (index < 0) throw new GlassnetError({ code: 'unknown-name', argument, expected: available, found: describe(ref) });
  if (table.columns.indexOf(ref, index + 1) >= 0) {
    throw new GlassnetError({ code: 'unknown-name', argument, expected: 'a column name that appears once in the header (or an index)', found: `${describe(ref)} more than once` });
  }
  return index;
}

function numericCell(file: string, table: CsvTable, row: number, column: number): number {
  const cell = table.rows[row]![column]!;
  const value = parseNumber(cell);
  if (value === null) {
    throw new GlassnetError({ code: 'type', argument: cellAt(file, table, row, column), expected: 'a number', found: describe(cell) });
  }
  if (!Number.isFinite(value)) {
    throw new GlassnetError({ code: 'not-finite', argument: cellAt(file, table, row, column), expected: 'a finite number', found: describe(cell) });
  }
  return value;
}

function requireRows(table: CsvTable, file: string): void {
  if (table.rows.length === 0) {
    throw new GlassnetError({ code: 'empty', argument: file, expected: 'at least one data row', found: 'only a header' });
  }
}

function featureMatrix(table: CsvTable, file: string, columns: readonly number[]): number[][] {
  return table.rows.map((_, r) => columns.map((c) => numericCell(file, table, r, c)));
}

/**
 * Reads numeric feature columns only, for prediction on files without a
 * target.
 *
 * @throws GlassnetError as {@link parseCsv}, plus `unknown-name` for a
 * column not in the file and `type`/`not-finite` for a cell that is not a
 * finite number (argument `file:line:column (name)`).
 */
export function loadFeatures(text: string, options: FeatureOptions = {}): { x: number[][]; featureNames: string[] } {
  const file = options.file ?? '<csv>';
  const table = parseCsv(text, options);
  requireRows(table, file);
  const columns = (options.features ?? table.columns.map((_, i) => i)).map((ref, i) => resolveColumn(table, ref, `features[${i}]`));
  return { x: featureMatrix(table, file, columns), featureNames: columns.map((c) => table.columns[c]!) };
}

/**
 * Reads a CSV file into numeric features and targets. The target is the
 * last column unless named; features are every other column unless listed.
 * Class labels become one-hot rows in the order of `classes`, which is the
 * given list or else the labels sorted (numerically when all are numbers,
 * so `"2"` comes before `"10"`; numeric labels are normalised, so `1` and
 * `1.0` are one class).
 *
 * @throws GlassnetError as {@link loadFeatures}, plus `unknown-name` for an
 * unknown target column or a label outside `options.classes`, `empty` for a
 * blank target cell, and `range` when the target is also listed as a feature.
 */
export function loadTable(text: string, options: TableOptions = {}): Table {
  const file = options.file ?? '<csv>';
  const table = parseCsv(text, options);
  requireRows(table, file);
  const target = resolveColumn(table, options.target ?? table.columns.length - 1, 'target');
  const features = options.features === undefined
    ? table.columns.map((_, i) => i).filter((i) => i !== target)
    : options.features.map((ref, i) => resolveColumn(table, ref, `features[${i}]`));
  if (features.includes(target)) {
    throw new GlassnetError({ code: 'range', argument: 'features', expected: `columns other than the target ${JSON.stringify(table.columns[target])}`, found: 'the target among them' });
  }
  const x = featureMatrix(table, file, features);
  const cells = table.rows.map((row, r) => {
    const cell = row[target]!.trim();
    // A blank target is missing data; as a label it would become a class of its own.
    if (cell === '') throw new GlassnetError({ code: 'empty', argument: cellAt(file, table, r, target), expected: 'a target value', found: 'an empty cell' });
    return cell;
  });
  const task = options.task === undefined || options.task === 'auto' ? detectTask(cells) : options.task;
  const base = { x, featureNames: features.map((c) => table.columns[c]!), targetName: table.columns[target]!, task };
  if (task === 'regression') {
    return { ...base, y: table.rows.map((_, r) => [numericCell(file, table, r, target)]) };
  }
  const labels = cells.map((c) => canonicalLabel(c));
  const encoded = encodeLabels(labels, options.classes, (r) => cellAt(file, table, r, target));
  return { ...base, y: encoded.y, classes: encoded.classes };
}

function detectTask(cells: readonly string[]): Task {
  const values = cells.map(parseNumber);
  if (values.some((v) => v === null)) return 'classification';
  const integers = values.every((v) => Number.isInteger(v));
  return integers && new Set(values).size <= MAX_AUTO_CLASSES ? 'classification' : 'regression';
}

/** Numeric labels in one spelling, so `1`, `1.0` and `+1` name one class. */
function canonicalLabel(cell: string): string {
  const value = parseNumber(cell);
  return value === null ? cell : String(value);
}
