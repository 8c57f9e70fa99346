/**
 * From CSV cells to numbers: which columns are features and targets, which
 * feature columns are categories (one-hot encoded), what to do with missing
 * cells, and whether the target is a class or a quantity. The choices made
 * on training data are returned as a {@link FeatureEncoding}, to be stored
 * with the model and applied unchanged to the data it predicts.
 */
import { GlassnetError, checkOneOf, describe } from '../errors.js';
import type { Dataset } from './datasets.js';
import { parseCsv, type CsvOptions, type CsvTable } from './csv.js';
import { encodeLabels, oneHot, parseNumber, sortedClasses } from './encode.js';

/** What the target column holds. */
export type Task = 'classification' | 'regression';

/** A column chosen by name or by 0-based index. */
export type ColumnRef = string | number;

/** What {@link loadTable} does with missing cells. */
export const MISSING_POLICIES = ['error', 'drop', 'mean', 'median'] as const;
/** `error`: refuse the file; `drop`: leave out rows with a missing cell; `mean`/`median`: fill numeric cells with the column's mean or median (categories with the most frequent one). */
export type MissingPolicy = (typeof MISSING_POLICIES)[number];

/** Cells that mean "no value" (compared after trimming spaces). */
export const MISSING_TOKENS: readonly string[] = ['', 'NA', 'NaN', '?'];

/** Integer targets with at most this many distinct values count as class labels under `task: 'auto'`. */
export const MAX_AUTO_CLASSES = 10;

/**
 * How CSV feature columns become model inputs, fixed on the training data
 * and saved with the model: each column is numeric (one input) or
 * categorical (one input per category, one-hot).
 */
export interface FeatureEncoding {
  /** The CSV feature columns, in input order. */
  columns: string[];
  /** Per column: its categories in one-hot order, or null for a numeric column. */
  categories: (string[] | null)[];
  /** Per column: the value that replaces a missing cell (`missing: 'mean' | 'median'`), or null. */
  fill: (number | string | null)[];
}

/** Options for {@link loadFeatures}. */
export interface FeatureOptions extends CsvOptions {
  /** Feature columns; default every column (every column except the targets in {@link loadTable}). */
  features?: ColumnRef[];
  /** Missing cells: `error` (default), `drop`, `mean` or `median`; with `encoding`, `mean`/`median` use its fill values. */
  missing?: MissingPolicy;
  /** The encoding saved at training time: the same columns, categories and fill values are used, and an unseen category is an error. */
  encoding?: FeatureEncoding;
}

/** Options for {@link loadTable}. */
export interface TableOptions extends FeatureOptions {
  /** Target column, or several for multi-target regression; default the last column. */
  target?: ColumnRef | readonly ColumnRef[];
  /** `'auto'` (default): see {@link loadTable}. */
  task?: 'auto' | Task;
  /** Classes fixed at training time: at prediction time, a label outside them is an error. */
  classes?: readonly string[];
}

/** Numeric features and targets, with the names needed to read them back (built-in sets and CSV files). */
export interface Table extends Dataset {
  /** One name per model input: a numeric column's name, or `column=category` for each category. */
  featureNames: string[];
  /** The target column (the first one, with several). */
  targetName: string;
  /** Every target column, one per output, when there are several. */
  targetNames?: string[];
  task: Task;
  /** Why the task is what it is, in words (`target "price" holds 214 distinct numbers`). */
  taskReason?: string;
  /** For classification: the class of each one-hot position. */
  classes?: string[];
  /** How CSV feature columns were encoded; store it with the model. */
  encoding?: FeatureEncoding;
}

/** A table read from CSV by {@link loadTable}: with its encoding and what was done about missing cells. */
export interface CsvData extends Table {
  targetNames: string[];
  taskReason: string;
  encoding: FeatureEncoding;
  /** Rows left out for missing cells. */
  droppedRows: number;
  /** Missing cells filled in. */
  filledCells: number;
}

/** Features only, as {@link loadFeatures} returns them. */
export interface Features {
  x: number[][];
  featureNames: string[];
  encoding: FeatureEncoding;
  filledCells: number;
}

/** Whether a cell means "no value" ({@link MISSING_TOKENS}). */
export function isMissing(cell: string): boolean {
  return MISSING_TOKENS.includes(cell.trim());
}

/** Input names of an encoding: a numeric column's name, `column=category` for each category. */
export function encodedNames(encoding: FeatureEncoding): string[] {
  return encoding.columns.flatMap((name, i) => encoding.categories[i]?.map((c) => `${name}=${c}`) ?? [name]);
}

/**
 * Reads feature columns only, for prediction on files without a target.
 * Every row is kept: with `missing: 'drop'` a missing cell is an error.
 *
 * @throws GlassnetError as {@link loadTable}.
 */
export function loadFeatures(text: string, options: FeatureOptions = {}): Features {
  const file = options.file ?? '<csv>';
  const table = parseCsv(text, options);
  requireRows(table, file);
  // A file without a header is read by position, so its columns must be the model's.
  const refs = options.features ?? (table.header ? options.encoding?.columns : undefined) ?? table.columns.map((_, i) => i);
  const columns = refs.map((ref, i) => resolveColumn(table, ref, `features[${i}]`));
  const expected = options.encoding?.columns.length;
  if (expected !== undefined && columns.length !== expected) {
    throw new GlassnetError({ code: 'shape', argument: file, expected: `${expected} feature columns (as the model was trained on)`, found: `${columns.length}` });
  }
  const missing = options.missing === 'drop' ? 'error' : checkOneOf(MISSING_POLICIES, options.missing ?? 'error', 'options.missing');
  const rows = table.rows.map((_, r) => r);
  const reader = new Reader(file, table);
  reader.checkMissing(rows, columns, missing);
  const encoding = options.encoding ?? reader.encoding(rows, columns, missing);
  const { x, filled } = reader.features(rows, columns, encoding);
  return { x, featureNames: encodedNames(encoding), encoding, filledCells: filled };
}

/**
 * Reads a CSV file into numeric features and targets. The target is the
 * last column unless named; features are every other column unless listed.
 *
 * - A feature column whose cells are mostly numbers is numeric, and a
 *   non-number in it is an error at its cell; any other column is
 *   categorical and becomes one input per category (sorted), one-hot.
 * - Missing cells ({@link MISSING_TOKENS}) follow `options.missing`: the
 *   default `error` counts them and names the first; `drop` leaves out
 *   their rows; `mean`/`median` fill numeric features with the column's
 *   statistic over the rows read, categories with the most frequent one,
 *   and leave out rows whose target is missing.
 * - `task: 'auto'` (default): a target of text labels, or of whole numbers
 *   with at most {@link MAX_AUTO_CLASSES} distinct values, is a
 *   classification; other numbers are a regression; several targets are
 *   always a regression. `taskReason` says which rule applied.
 * - Class labels become one-hot rows in the order of `classes`: the given
 *   list, or else the labels sorted (numerically when all are numbers;
 *   `1` and `1.0` are one class).
 *
 * @throws GlassnetError as {@link parseCsv}, plus `unknown-name` for an
 * unknown column, an unseen category or a label outside `options.classes`;
 * `empty` for a missing cell under `missing: 'error'` or no rows left;
 * `type`/`not-finite` for a cell that is not a finite number in a numeric
 * column; `range` when a target is also a feature or several targets are
 * asked to be classes. Arguments are `file:line:column (name)`.
 */
export function loadTable(text: string, options: TableOptions = {}): CsvData {
  const file = options.file ?? '<csv>';
  const table = parseCsv(text, options);
  requireRows(table, file);
  const targetRefs: readonly ColumnRef[] = options.target === undefined ? [table.columns.length - 1]
    : Array.isArray(options.target) ? options.target : [options.target as ColumnRef];
  const targets = targetRefs.map((ref, i) => resolveColumn(table, ref, targetRefs.length === 1 ? 'target' : `target[${i}]`));
  const featureRefs = options.features ?? options.encoding?.columns;
  const features = featureRefs === undefined
    ? table.columns.map((_, i) => i).filter((i) => !targets.includes(i))
    : featureRefs.map((ref, i) => resolveColumn(table, ref, `features[${i}]`));
  if (features.some((c) => targets.includes(c))) {
    throw new GlassnetError({ code: 'range', argument: 'features', expected: `columns other than the target ${targets.map((t) => JSON.stringify(table.columns[t])).join(', ')}`, found: 'a target among them' });
  }
  const requested = options.task ?? 'auto';
  if (requested === 'classification' && targets.length > 1) {
    throw new GlassnetError({ code: 'range', argument: 'target', expected: 'one target column for classification (several are a regression)', found: `${targets.length} columns` });
  }
  const missing = checkOneOf(MISSING_POLICIES, options.missing ?? 'error', 'options.missing');
  const reader = new Reader(file, table);
  const all = table.rows.map((_, r) => r);
  reader.checkMissing(all, [...features, ...targets], missing);
  // Rows whose target is missing cannot be filled in; under `drop` any missing cell drops its row.
  const dropColumns = missing === 'drop' ? [...features, ...targets] : targets;
  const rows = all.filter((r) => dropColumns.every((c) => !isMissing(table.rows[r]![c]!)));
  if (rows.length === 0) {
    throw new GlassnetError({ code: 'empty', argument: file, expected: 'at least one row without missing cells', found: `${all.length} rows, each with a missing cell` });
  }
  const encoding = options.encoding ?? reader.encoding(rows, features, missing);
  const { x, filled } = reader.features(rows, features, encoding);
  const { task, reason } = requested === 'auto' ? reader.detectTask(rows, targets) : { task: requested, reason: 'set by the task option' };
  const base = {
    x, featureNames: encodedNames(encoding), targetName: table.columns[targets[0]!]!, targetNames: targets.map((t) => table.columns[t]!),
    task, taskReason: reason, encoding, droppedRows: all.length - rows.length, filledCells: filled,
  };
  if (task === 'regression') return { ...base, y: rows.map((r) => targets.map((t) => reader.number(r, t))) };
  const target = targets[0]!;
  const labels = rows.map((r) => canonicalLabel(table.rows[r]![target]!.trim()));
  const encoded = encodeLabels(labels, options.classes, (i) => reader.at(rows[i]!, target));
  return { ...base, y: encoded.y, classes: encoded.classes };
}

function requireRows(table: CsvTable, file: string): void {
  if (table.rows.length === 0) {
    throw new GlassnetError({ code: 'empty', argument: file, expected: 'at least one data row', found: 'only a header' });
  }
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

/** Numeric labels in one spelling, so `1`, `1.0` and `+1` name one class. */
function canonicalLabel(cell: string): string {
  const value = parseNumber(cell);
  return value === null ? cell : String(value);
}

/** Cell access with error locations, over one parsed file. */
class Reader {
  constructor(private readonly file: string, private readonly table: CsvTable) {}

  /** Where a cell is: `file:line:column (name)`, columns 1-based. */
  at(row: number, column: number): string {
    const where = `${this.file}:${this.table.lines[row]}:${column + 1}`;
    return this.table.header ? `${where} (${this.table.columns[column]})` : where;
  }

  cell(row: number, column: number): string {
    return this.table.rows[row]![column]!;
  }

  /** A cell that must be a finite number. */
  number(row: number, column: number): number {
    const cell = this.cell(row, column);
    const value = parseNumber(cell);
    if (value === null) throw new GlassnetError({ code: 'type', argument: this.at(row, column), expected: 'a number', found: describe(cell) });
    if (!Number.isFinite(value)) throw new GlassnetError({ code: 'not-finite', argument: this.at(row, column), expected: 'a finite number', found: describe(cell) });
    return value;
  }

  /** Under `error`, refuses any missing cell, counting them all and naming the first. */
  checkMissing(rows: readonly number[], columns: readonly number[], policy: MissingPolicy): void {
    if (policy !== 'error') return;
    let count = 0;
    let first: [number, number] | null = null;
    for (const r of rows) {
      for (const c of columns) {
        if (!isMissing(this.cell(r, c))) continue;
        count++;
        if (first === null || this.table.lines[r]! < this.table.lines[first[0]]! || (r === first[0] && c < first[1])) first = [r, c];
      }
    }
    if (first === null) return;
    const [r, c] = first;
    throw new GlassnetError({
      code: 'empty', argument: this.at(r, c),
      expected: `a value (${count} missing ${count === 1 ? 'cell' : 'cells'} in the file; choose what to do with them with missing: drop, mean or median, --missing on the command line)`,
      found: describe(this.cell(r, c)),
    });
  }

  /** Column kinds, categories and fill values from the training rows. */
  encoding(rows: readonly number[], columns: readonly number[], policy: MissingPolicy): FeatureEncoding {
    const categories: (string[] | null)[] = [];
    const fill: (number | string | null)[] = [];
    for (const c of columns) {
      const present = rows.filter((r) => !isMissing(this.cell(r, c)));
      if (present.length === 0) {
        throw new GlassnetError({ code: 'empty', argument: this.at(rows[0]!, c), expected: 'a column with at least one value', found: 'only missing cells' });
      }
      if (this.mostlyNumbers(present, c)) {
        const values = present.map((r) => this.number(r, c));
        categories.push(null);
        fill.push(policy === 'mean' ? meanOf(values) : policy === 'median' ? medianOf(values) : null);
      } else {
        const labels = present.map((r) => this.cell(r, c).trim());
        categories.push(sortedClasses(labels));
        fill.push(policy === 'mean' || policy === 'median' ? mostFrequent(labels) : null);
      }
    }
    return { columns: columns.map((c) => this.table.columns[c]!), categories, fill };
  }

  /** The model inputs of each row: numbers as they are, categories one-hot, missing cells filled. */
  features(rows: readonly number[], columns: readonly number[], encoding: FeatureEncoding): { x: number[][]; filled: number } {
    let filled = 0;
    const x = rows.map((r) => {
      const inputs: number[] = [];
      columns.forEach((c, j) => {
        const cell = this.cell(r, c);
        const missing = isMissing(cell);
        const fillValue = encoding.fill[j] ?? null;
        if (missing && fillValue === null) {
          throw new GlassnetError({ code: 'empty', argument: this.at(r, c), expected: 'a value (the model has no fill value for this column)', found: describe(cell) });
        }
        if (missing) filled++;
        const categories = encoding.categories[j] ?? null;
        if (categories === null) {
          inputs.push(missing ? (fillValue as number) : this.number(r, c));
          return;
        }
        const label = missing ? String(fillValue) : cell.trim();
        const index = categories.indexOf(label);
        if (index < 0) {
          throw new GlassnetError({
            code: 'unknown-name', argument: this.at(r, c),
            expected: `one of the categories seen in training: ${categories.map((k) => JSON.stringify(k)).join(', ')}`, found: describe(label),
          });
        }
        inputs.push(...oneHot(index, categories.length));
      });
      return inputs;
    });
    return { x, filled };
  }

  /** The task the target cells suggest, and why. */
  detectTask(rows: readonly number[], targets: readonly number[]): { task: Task; reason: string } {
    if (targets.length > 1) return { task: 'regression', reason: `${targets.length} target columns (several targets are a regression)` };
    const c = targets[0]!;
    const name = JSON.stringify(this.table.columns[c]);
    if (!this.mostlyNumbers(rows, c)) return { task: 'classification', reason: `target ${name} holds text labels` };
    const values = rows.map((r) => this.number(r, c));
    const distinct = new Set(values).size;
    if (values.every(Number.isInteger) && distinct <= MAX_AUTO_CLASSES) {
      return { task: 'classification', reason: `target ${name} holds ${distinct} distinct whole numbers (at most ${MAX_AUTO_CLASSES} count as classes)` };
    }
    return { task: 'regression', reason: `target ${name} holds numbers (${distinct} distinct values)` };
  }

  /** More than half of the cells are numbers: the column is numeric, and a non-number in it is a mistake, not a category. */
  private mostlyNumbers(rows: readonly number[], column: number): boolean {
    let numbers = 0;
    for (const r of rows) if (parseNumber(this.cell(r, column)) !== null) numbers++;
    return numbers * 2 > rows.length;
  }
}

function meanOf(values: readonly number[]): number {
  return values.reduce((s, v) => s + v, 0) / values.length;
}

function medianOf(values: readonly number[]): number {
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The most frequent label; on a tie, the first in sorted order. */
function mostFrequent(labels: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const l of labels) counts.set(l, (counts.get(l) ?? 0) + 1);
  let best = '';
  let bestCount = 0;
  for (const label of sortedClasses(labels)) {
    const n = counts.get(label)!;
    if (n > bestCount) [best, bestCount] = [label, n];
  }
  return best;
}

/**
 * Restores a {@link FeatureEncoding} read from a model file, checking it.
 * @param argument names the value in errors (default `encoding`).
 * @throws GlassnetError `type` for a field of the wrong kind, `shape` for lists of different lengths.
 */
export function encodingFromJSON(json: unknown, argument = 'encoding'): FeatureEncoding {
  const data = (typeof json === 'object' && json !== null && !Array.isArray(json) ? json : null) as Record<string, unknown> | null;
  if (data === null) throw new GlassnetError({ code: 'type', argument, expected: 'an object with columns, categories and fill', found: describe(json) });
  const list = (name: string, length?: number): unknown[] => {
    const value = data[name];
    if (!Array.isArray(value)) throw new GlassnetError({ code: 'type', argument: `${argument}.${name}`, expected: 'an array', found: describe(value) });
    if (length !== undefined && value.length !== length) {
      throw new GlassnetError({ code: 'shape', argument: `${argument}.${name}`, expected: `${length} entries (one per column)`, found: `${value.length}` });
    }
    return value;
  };
  const bad = (path: string, expected: string, found: unknown): never => {
    throw new GlassnetError({ code: 'type', argument: `${argument}.${path}`, expected, found: describe(found) });
  };
  const columns = list('columns').map((c, i) => (typeof c === 'string' ? c : bad(`columns[${i}]`, 'a column name', c)));
  const categories = list('categories', columns.length).map((c, i) => {
    if (c === null) return null;
    if (!Array.isArray(c) || c.length === 0 || c.some((k) => typeof k !== 'string') || new Set(c).size !== c.length) {
      return bad(`categories[${i}]`, 'null or a non-empty list of distinct category names', c);
    }
    return [...(c as string[])];
  });
  const fill = list('fill', columns.length).map((f, i) => {
    const numeric = categories[i] === null;
    if (f === null || (numeric && typeof f === 'number' && Number.isFinite(f)) || (!numeric && typeof f === 'string' && categories[i]!.includes(f))) return f as number | string | null;
    return bad(`fill[${i}]`, numeric ? 'null or a finite number' : 'null or one of the column\'s categories', f);
  });
  return { columns, categories, fill };
}
