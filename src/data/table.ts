/**
 * From CSV cells to numbers: which columns are features and targets, which
 * feature columns are categories (one-hot encoded), what to do with missing
 * cells, and whether the target is a class or a quantity. The choices made
 * on training data are returned as a {@link FeatureEncoding}, to be stored
 * with the model and applied unchanged to the data it predicts.
 */
import { GlassnetError, describeValue } from '../errors.js';
import { FINITE, checkOneOf, intervalWords } from '../util/checks.js';
import { quantile } from '../util/quantile.js';
import type { Dataset } from './datasets.js';
import { CsvRecordReader, type CsvOptions, type CsvRecord } from './csv.js';
import { parseNumber, sortedClasses } from './encode.js';
import { matrixToRows, toRows, type Flat, type Matrix } from './matrix.js';

/** What the target column holds. */
export type Task = 'classification' | 'regression';

/** A column chosen by name or by 0-based index. */
export type ColumnRef = string | number;

/**
 * The index of the column `ref` names in `columns`: a name that appears
 * once in the header, or an index. The one rule by which a table's
 * features and targets (and `glassnet split`'s target) find their column.
 * @throws GlassnetError `unknown-name` (naming `argument`) for a name not in the header, one in it twice, or an index out of range.
 */
export function columnIndex(columns: readonly string[], ref: ColumnRef, argument: string): number {
  const available = `one of the columns ${columns.map((c) => JSON.stringify(c)).join(', ')} or an index 0..${columns.length - 1}`;
  if (typeof ref === 'number') {
    if (Number.isInteger(ref) && ref >= 0 && ref < columns.length) return ref;
    throw new GlassnetError({ code: 'unknown-name', argument, expected: available, found: describeValue(ref) });
  }
  const index = columns.indexOf(ref);
  if (index < 0) throw new GlassnetError({ code: 'unknown-name', argument, expected: available, found: describeValue(ref) });
  if (columns.indexOf(ref, index + 1) >= 0) {
    throw new GlassnetError({ code: 'unknown-name', argument, expected: 'a column name that appears once in the header (or an index)', found: `${describeValue(ref)} more than once` });
  }
  return index;
}

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
  /** {@link loadMatrixStream}: put the numbers on SharedArrayBuffers, which a worker thread reads without a copy. */
  shared?: boolean;
  /**
   * {@link loadMatrixStream} with `missing: 'mean' | 'median'`: leave
   * missing feature cells NaN (a category: NaN in each of its inputs), for
   * {@link fillMissing} to fill with statistics of the training rows once
   * they are split off, so held-out rows do not leak into the fill values
   * (or for {@link applyFill} to fill with a saved encoding's).
   */
  deferFill?: boolean;
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

/** A table read from CSV into flat matrices, as {@link loadMatrixStream} returns it. */
export type CsvMatrices = Flat<CsvData>;

/** Features only, as {@link loadFeatures} returns them. */
export interface Features {
  x: number[][];
  featureNames: string[];
  encoding: FeatureEncoding;
  filledCells: number;
}

/** Whether a cell means "no value" ({@link MISSING_TOKENS}). */
function isMissing(cell: string): boolean {
  return missingIn(cell, 0, cell.length);
}

/** {@link isMissing} for `text.slice(start, end)`, read where it lies: a present cell never becomes a string. */
function missingIn(text: string, start: number, end: number): boolean {
  // The common cell, longer than any token and starting and ending in a printable ASCII character (never space that trim removes), is present.
  if (end - start > 3 && printable(text.charCodeAt(start)) && printable(text.charCodeAt(end - 1))) return false;
  return MISSING_TOKENS.includes(text.slice(start, end).trim());
}

/** {@link isMissing} for field `j` of a record. */
function missingAt(record: CsvRecord, j: number): boolean {
  // A number read is present (no missing token is a number).
  if (!Number.isNaN(record.values[j]!)) return false;
  const start = record.starts[j]!;
  return start >= 0 ? missingIn(record.text, start, record.ends[j]!) : isMissing(record.unquoted[j]!);
}

/** {@link TableBuild.markMissing}'s answer, as bits: a feature cell is missing, a target cell is missing. */
const FEATURE_MISSING = 1;
const TARGET_MISSING = 2;

function printable(code: number): boolean {
  return code > 32 && code < 127;
}

/** Input names of an encoding: a numeric column's name, `column=category` for each category. */
export function encodedNames(encoding: FeatureEncoding): string[] {
  return encoding.columns.flatMap((name, i) => encoding.categories[i]?.map((c) => `${name}=${c}`) ?? [name]);
}

/** Chunks of CSV text, read in order; a function, since loading reads the text twice (once to profile the columns, once to fill the rows). */
export type TextChunks = () => Iterable<string>;
/** Chunks of CSV text arriving asynchronously, e.g. from a file stream. */
export type AsyncTextChunks = () => AsyncIterable<string>;

/**
 * Reads feature columns only, for prediction on files without a target.
 * Every row is kept: with `missing: 'drop'` a missing cell is an error.
 *
 * @throws GlassnetError as {@link loadTable}.
 */
export function loadFeatures(text: string, options: FeatureOptions = {}): Features {
  const build = new TableBuild(options, 'features');
  for (const pass of [1, 2] as const) build.pass(pass, [text]);
  return build.featureResult();
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
 * column; `range` when a target is also a feature, several targets are
 * asked to be classes, or a categorical column has more than
 * {@link MAX_CATEGORIES} categories. Arguments are `file:line:column (name)`.
 */
export function loadTable(text: string, options: TableOptions = {}): CsvData {
  return loadTableChunks(() => [text], options);
}

/** {@link loadTable} on text read in chunks: only the unfinished last record of a chunk is held, besides the numbers. */
export function loadTableChunks(chunks: TextChunks, options: TableOptions = {}): CsvData {
  const build = new TableBuild(options, 'table');
  for (const pass of [1, 2] as const) build.pass(pass, chunks());
  return toRows<CsvData>(build.table());
}

/**
 * {@link loadTable} on text arriving in chunks, such as a file stream
 * (see `readTextChunks` in 'glassnet/node'): memory holds the numbers, not
 * the text. `onProgress` is called after each chunk with the pass (1:
 * profiling the columns, 2: reading the numbers) and the characters read.
 */
export async function loadTableStream(chunks: AsyncTextChunks, options: TableOptions = {}, onProgress?: (pass: 1 | 2, characters: number) => void): Promise<CsvData> {
  return toRows<CsvData>(await loadMatrixStream(chunks, options, onProgress));
}

/**
 * {@link loadTableStream} into flat matrices: the numbers of a large file
 * in two Float64Arrays (features and targets), allocated once at their
 * final size, which a tensor or a worker thread takes without a copy.
 * The text is read twice, so `chunks` is a function that starts it anew.
 *
 * @param chunks the text, from the start each time it is called (e.g. `readTextChunks` of 'glassnet/node').
 * @param options as {@link loadTable}'s, plus `shared` (SharedArrayBuffers) and `deferFill` (missing cells left NaN for {@link fillMissing}).
 * @param onProgress called after each chunk with the pass (1: profiling the columns, 2: reading the numbers) and the characters read so far in it.
 * @throws GlassnetError as {@link loadTable}, naming `file:line:column (name)`.
 */
export async function loadMatrixStream(chunks: AsyncTextChunks, options: TableOptions = {}, onProgress?: (pass: 1 | 2, characters: number) => void): Promise<CsvMatrices> {
  const build = new TableBuild(options, 'table');
  for (const pass of [1, 2] as const) {
    const reader = build.start(pass);
    let characters = 0;
    for await (const chunk of chunks()) {
      reader.push(chunk);
      characters += chunk.length;
      onProgress?.(pass, characters);
    }
    build.finish(pass, reader);
  }
  return build.table();
}

/**
 * Feature rows in batches of `batchSize`, read in one pass with a model's
 * encoding (so the columns' kinds and categories are known up front), for
 * prediction on files of any size.
 * @throws GlassnetError as {@link loadFeatures}; a missing cell without a fill value is an error at its cell.
 */
export async function* featureBatches(chunks: AsyncIterable<string>, options: FeatureOptions & { encoding: FeatureEncoding }, batchSize = 1024): AsyncGenerator<number[][]> {
  const build = new TableBuild(options, 'features');
  build.streaming = true;
  let batch: number[][] = [];
  const reader = build.start(2, (row) => batch.push(row));
  for await (const chunk of chunks) {
    reader.push(chunk);
    while (batch.length >= batchSize) {
      yield batch.slice(0, batchSize);
      batch = batch.slice(batchSize);
    }
  }
  build.finish(2, reader);
  while (batch.length > 0) {
    yield batch.slice(0, batchSize);
    batch = batch.slice(batchSize);
  }
}

/** A categorical column may have at most this many categories: more is usually an identifier, whose one-hot columns would swamp the model. */
export const MAX_CATEGORIES = 1000;

/** Where a cell is and what it held, for an error raised after the pass that saw it. */
interface Spot {
  line: number;
  cell: string;
}

/** What the first pass learns about one column. */
class ColumnProfile {
  present = 0;
  numbers = 0;
  sum = 0;
  /** The first cell that is not a finite number. */
  problem: (Spot & { code: 'type' | 'not-finite' }) | null = null;
  /** Numbers, kept for the median only. */
  values: number[] | null = null;
  /** Trimmed cells and their counts, while few enough to be categories. */
  counts: Map<string, number> | null = new Map();
  integers = true;
  /** Distinct numbers, up to one more than {@link MAX_AUTO_CLASSES}. */
  distinct = new Set<number>();

  /** Counts field `j` of `record`, which is present. */
  add(record: CsvRecord, j: number): void {
    this.present++;
    // NaN: not a number (never a cell's value).
    const value = record.number(j);
    if (!Number.isNaN(value)) this.numbers++;
    if (Number.isFinite(value)) {
      this.sum += value;
      this.values?.push(value);
      if (!Number.isInteger(value)) this.integers = false;
      if (this.distinct.size <= MAX_AUTO_CLASSES) this.distinct.add(value);
    } else {
      this.problem ??= { line: record.line, cell: record.cell(j), code: Number.isNaN(value) ? 'type' : 'not-finite' };
    }
    if (this.counts !== null) {
      const key = record.cell(j).trim();
      this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
      if (this.counts.size > MAX_CATEGORIES) this.counts = null;
    }
  }

  /** More than half of the cells are numbers: the column is numeric, and a non-number in it is a mistake, not a category. */
  get numeric(): boolean {
    return this.numbers * 2 > this.present;
  }
}

/**
 * Loading a table in two passes over the text: the first profiles the
 * columns (kinds, categories, missing cells, statistics, the task), the
 * second converts each row to numbers. Neither keeps the text.
 */
class TableBuild {
  readonly file: string;
  readonly missing: MissingPolicy;
  /** Set for a one-pass read with a given encoding. */
  streaming = false;
  private columns: string[] = [];
  private header = false;
  private features: number[] = [];
  private targets: number[] = [];
  private profiles = new Map<number, ColumnProfile>();
  private rowsRead = 0;
  private kept = 0;
  private firstKept = 0;
  private missingCount = 0;
  private firstMissing: { line: number; column: number; cell: string } | null = null;
  private encoding: FeatureEncoding | null = null;
  private task: Task = 'regression';
  private taskReason = '';
  private classIndex: Map<string, number> | null = null;
  private classes: string[] | undefined;
  private categoryIndex: (Map<string, number> | null)[] = [];
  /** Pass 2's numbers, allocated at the end of pass 1, which counted the rows. */
  private x: Matrix | null = null;
  private y: Matrix | null = null;
  /** Rows written into x and y. */
  private written = 0;
  /** The columns read (features and targets), ascending, each once; whether each is a target; their profiles. */
  private readColumns: number[] = [];
  private readTargets = new Uint8Array(0);
  private profileList: ColumnProfile[] = [];
  /** Per column of the file: whether the current record's cell is missing (set by `markMissing`). */
  private missingCells = new Uint8Array(0);
  /** Missing feature cells are left NaN for {@link fillMissing} (`deferFill`, fill values not given). */
  private get deferred(): boolean {
    return this.options.deferFill === true && (this.missing === 'mean' || this.missing === 'median');
  }
  private filled = 0;

  constructor(private readonly options: TableOptions, private readonly kind: 'table' | 'features') {
    this.file = options.file ?? '<csv>';
    const policy = checkOneOf(MISSING_POLICIES, options.missing ?? 'error', 'options.missing');
    // Prediction keeps every row, so there is nothing to drop.
    this.missing = kind === 'features' && policy === 'drop' ? 'error' : policy;
  }

  /** Runs one pass over chunks of text. */
  pass(pass: 1 | 2, chunks: Iterable<string>): void {
    const reader = this.start(pass);
    for (const chunk of chunks) reader.push(chunk);
    this.finish(pass, reader);
  }

  /** A reader for one pass; `onRow` receives the feature rows of pass 2 instead of the table keeping them. */
  start(pass: 1 | 2, onRow?: (x: number[]) => void): CsvRecordReader {
    const reader: CsvRecordReader = new CsvRecordReader(this.options, (record) => {
      if (pass === 1 || (this.streaming && this.rowsRead === 0)) {
        if (this.rowsRead === 0) this.resolve(reader);
        if (pass === 1) {
          this.rowsRead++;
          this.profile(record);
          return;
        }
        this.rowsRead++;
      }
      this.fill(record, onRow);
    });
    return reader;
  }

  /** Ends a pass: after the first, settles encoding and task. */
  finish(pass: 1 | 2, reader: CsvRecordReader): void {
    reader.end();
    if (this.rowsRead === 0) throw new GlassnetError({ code: 'empty', argument: this.file, expected: 'at least one data row', found: 'only a header' });
    if (pass === 1) this.settle();
  }

  table(): CsvMatrices {
    const encoding = this.encoding!;
    return {
      x: this.x!, y: this.y!, featureNames: encodedNames(encoding), targetName: this.columns[this.targets[0]!]!, targetNames: this.targets.map((t) => this.columns[t]!),
      task: this.task, taskReason: this.taskReason, encoding, droppedRows: this.rowsRead - this.kept, filledCells: this.filled,
      ...(this.classes === undefined ? {} : { classes: this.classes }),
    };
  }

  featureResult(): Features {
    return { x: matrixToRows(this.x!), featureNames: encodedNames(this.encoding!), encoding: this.encoding!, filledCells: this.filled };
  }

  /** Where a cell is: `file:line:column (name)`, columns 1-based. */
  private at(line: number, column: number): string {
    const where = `${this.file}:${line}:${column + 1}`;
    return this.header ? `${where} (${this.columns[column]})` : where;
  }

  /** Columns chosen by name or index, once the header is known. */
  private resolve(reader: CsvRecordReader): void {
    this.columns = reader.columns!;
    this.header = reader.header;
    const { options } = this;
    const all = this.columns.map((_, i) => i);
    if (this.kind === 'features') {
      // A file without a header is read by position, so its columns must be the model's.
      const refs = options.features ?? (this.header ? options.encoding?.columns : undefined) ?? all;
      this.features = refs.map((ref, i) => columnIndex(this.columns, ref, `features[${i}]`));
      const expected = options.encoding?.columns.length;
      if (expected !== undefined && this.features.length !== expected) {
        throw new GlassnetError({ code: 'shape', argument: this.file, expected: `${expected} feature columns (as the model was trained on)`, found: `${this.features.length}` });
      }
    } else {
      const refs: readonly ColumnRef[] = options.target === undefined ? [this.columns.length - 1]
        : Array.isArray(options.target) ? options.target : [options.target as ColumnRef];
      this.targets = refs.map((ref, i) => columnIndex(this.columns, ref, refs.length === 1 ? 'target' : `target[${i}]`));
      const featureRefs = options.features ?? options.encoding?.columns;
      this.features = featureRefs === undefined ? all.filter((i) => !this.targets.includes(i)) : featureRefs.map((ref, i) => columnIndex(this.columns, ref, `features[${i}]`));
      if (this.features.some((c) => this.targets.includes(c))) {
        throw new GlassnetError({ code: 'range', argument: 'features', expected: `columns other than the target ${this.targets.map((t) => JSON.stringify(this.columns[t])).join(', ')}`, found: 'a target among them' });
      }
      if (options.task === 'classification' && this.targets.length > 1) {
        throw new GlassnetError({ code: 'range', argument: 'target', expected: 'one target column for classification (several are a regression)', found: `${this.targets.length} columns` });
      }
    }
    for (const c of [...this.features, ...this.targets]) {
      const profile = new ColumnProfile();
      if (this.missing === 'median' && this.features.includes(c)) profile.values = [];
      this.profiles.set(c, profile);
    }
    // As arrays, in ascending order: iterating a Map's entries allocates for every row.
    this.readColumns = [...this.profiles.keys()].sort((a, b) => a - b);
    this.readTargets = Uint8Array.from(this.readColumns, (c) => (this.targets.includes(c) ? 1 : 0));
    this.profileList = this.readColumns.map((c) => this.profiles.get(c)!);
    this.missingCells = new Uint8Array(this.columns.length);
    if (options.encoding !== undefined) this.useEncoding(options.encoding);
  }

  /** Whether a row takes part, from its {@link markMissing} bits: under `drop` only rows without a missing cell; otherwise rows whose targets are present. */
  private keeps(missing: number): boolean {
    if (this.missing === 'drop' && (missing & FEATURE_MISSING) !== 0) return false;
    return (missing & TARGET_MISSING) === 0;
  }

  /**
   * Tests each cell the table reads once per record, setting
   * `missingCells[c]` for every column read; the rest of the record's
   * handling reads those flags. Returns which kinds of cell are missing
   * ({@link FEATURE_MISSING}, {@link TARGET_MISSING}).
   */
  private markMissing(record: CsvRecord): number {
    const { readColumns, readTargets, missingCells } = this;
    let missing = 0;
    for (let k = 0; k < readColumns.length; k++) {
      const c = readColumns[k]!;
      const here = missingAt(record, c);
      missingCells[c] = here ? 1 : 0;
      if (here) missing |= readTargets[k] === 1 ? TARGET_MISSING : FEATURE_MISSING;
    }
    return missing;
  }

  private profile(record: CsvRecord): void {
    const { line } = record;
    const { readColumns: columns, profileList: profiles, missingCells } = this;
    const missing = this.markMissing(record);
    if (this.missing === 'error' && missing !== 0) {
      for (const c of columns) {
        if (missingCells[c] === 0) continue;
        this.missingCount++;
        this.firstMissing ??= { line, column: c, cell: record.cell(c) };
      }
    }
    if (!this.keeps(missing)) return;
    if (this.kept++ === 0) this.firstKept = line;
    for (let k = 0; k < columns.length; k++) {
      const c = columns[k]!;
      if (missingCells[c] === 0) profiles[k]!.add(record, c);
    }
  }

  /** After the first pass: refuse missing cells, then settle the encoding and the task. */
  private settle(): void {
    const first = this.firstMissing;
    if (first !== null) {
      const count = this.missingCount;
      throw new GlassnetError({
        code: 'empty', argument: this.at(first.line, first.column),
        expected: `a value (${count} missing ${count === 1 ? 'cell' : 'cells'} in the file; choose what to do with them with missing: drop, mean or median, --missing on the command line)`,
        found: describeValue(first.cell),
      });
    }
    if (this.kept === 0) {
      throw new GlassnetError({ code: 'empty', argument: this.file, expected: 'at least one row without missing cells', found: `${this.rowsRead} rows, each with a missing cell` });
    }
    if (this.encoding === null) this.useEncoding(this.buildEncoding());
    if (this.kind === 'table') this.settleTask();
    const rows = this.kind === 'table' ? this.kept : this.rowsRead;
    const width = this.categoryIndex.reduce((sum, categories) => sum + (categories?.size ?? 1), 0);
    const outputs = this.kind === 'features' ? 0 : this.task === 'regression' ? this.targets.length : this.classes!.length;
    const numbers = (size: number): Float64Array => ((this.options as TableOptions).shared === true ? new Float64Array(new SharedArrayBuffer(size * 8)) : new Float64Array(size));
    this.x = { rows, cols: width, data: numbers(rows * width) };
    this.y = { rows, cols: outputs, data: numbers(rows * outputs) };
  }

  private buildEncoding(): FeatureEncoding {
    const policy = this.missing === 'mean' || this.missing === 'median' ? this.missing : null;
    const categories: (string[] | null)[] = [];
    const fill: (number | string | null)[] = [];
    for (const c of this.features) {
      const profile = this.profiles.get(c)!;
      if (profile.present === 0) {
        throw new GlassnetError({ code: 'empty', argument: this.at(this.firstKept, c), expected: 'a column with at least one value', found: 'only missing cells' });
      }
      if (profile.numeric) {
        this.refuseProblem(profile, c);
        categories.push(null);
        fill.push(policy === null ? null : fillValue(policy, { categories: null, count: profile.present, sum: profile.sum, values: profile.values }));
        continue;
      }
      if (profile.counts === null) {
        throw new GlassnetError({
          code: 'range', argument: this.at(this.firstKept, c),
          expected: `a numeric column or at most ${MAX_CATEGORIES} categories (leave an identifier column out with the features option, --features)`, found: `more than ${MAX_CATEGORIES} distinct values`,
        });
      }
      const labels = sortedClasses([...profile.counts.keys()]);
      categories.push(labels);
      fill.push(policy === null ? null : fillValue(policy, { categories: labels, counts: profile.counts }));
    }
    return { columns: this.features.map((c) => this.columns[c]!), categories, fill };
  }

  private refuseProblem(profile: ColumnProfile, column: number): void {
    const problem = profile.problem;
    if (problem === null) return;
    throw new GlassnetError({
      code: problem.code, argument: this.at(problem.line, column), expected: problem.code === 'type' ? 'a number' : 'a finite number', found: describeValue(problem.cell),
    });
  }

  private useEncoding(encoding: FeatureEncoding): void {
    this.encoding = encoding;
    this.categoryIndex = encoding.categories.map((list) => (list === null ? null : new Map(list.map((k, i) => [k, i]))));
  }

  private settleTask(): void {
    const requested = this.options.task ?? 'auto';
    const profiles = this.targets.map((t) => this.profiles.get(t)!);
    const name = JSON.stringify(this.columns[this.targets[0]!]);
    const target = profiles[0]!;
    if (requested !== 'auto') {
      [this.task, this.taskReason] = [requested, 'set by the task option'];
    } else if (this.targets.length > 1) {
      [this.task, this.taskReason] = ['regression', `${this.targets.length} target columns (several targets are a regression)`];
    } else if (!target.numeric) {
      [this.task, this.taskReason] = ['classification', `target ${name} holds text labels`];
    } else {
      this.refuseProblem(target, this.targets[0]!);
      const distinct = target.distinct.size;
      if (target.integers && distinct <= MAX_AUTO_CLASSES) {
        [this.task, this.taskReason] = ['classification', `target ${name} holds ${distinct} distinct whole numbers (at most ${MAX_AUTO_CLASSES} count as classes)`];
      } else {
        [this.task, this.taskReason] = ['regression', `target ${name} holds numbers (${distinct > MAX_AUTO_CLASSES ? `more than ${MAX_AUTO_CLASSES}` : distinct} distinct values)`];
      }
    }
    if (this.task === 'regression') {
      // The first cell that is not a number, over all targets, in file order.
      const bad = profiles.map((p, i) => ({ p, c: this.targets[i]! })).filter(({ p }) => p.problem !== null).sort((a, b) => a.p.problem!.line - b.p.problem!.line || a.c - b.c)[0];
      if (bad !== undefined) this.refuseProblem(bad.p, bad.c);
      return;
    }
    if (target.counts === null && this.options.classes === undefined) {
      throw new GlassnetError({ code: 'range', argument: 'target', expected: `at most ${MAX_CATEGORIES} classes`, found: `more than ${MAX_CATEGORIES} distinct labels` });
    }
    const labels = this.options.classes ?? sortedClasses([...new Set([...target.counts!.keys()].map(canonicalLabel))]);
    const index = new Map(labels.map((c, i) => [c, i]));
    if (index.size !== labels.length || labels.length === 0) {
      throw new GlassnetError({ code: 'range', argument: 'classes', expected: 'a non-empty list of distinct class names', found: JSON.stringify(labels) });
    }
    this.classes = [...labels];
    this.classIndex = index;
  }

  /** Second pass: the row's inputs (and targets), with categories one-hot and missing cells filled, written in place into x and y (or passed to `onRow`). */
  private fill(record: CsvRecord, onRow?: (x: number[]) => void): void {
    const { line } = record;
    const missing = this.markMissing(record);
    if (this.kind === 'features') this.checkMissingCells(record, missing);
    else if (!this.keeps(missing)) return;
    const encoding = this.encoding!;
    const row = this.written++;
    const out: Float64Array | number[] = onRow === undefined ? this.x!.data : [];
    let k = onRow === undefined ? row * this.x!.cols : 0;
    const { features } = this;
    for (let j = 0; j < features.length; j++) {
      const c = features[j]!;
      const categories = this.categoryIndex[j] ?? null;
      // A category's text when it is the fill value, not the record's.
      let cell: string | null = null;
      if (this.missingCells[c] === 1) {
        if (this.deferred) {
          const inputs = categories === null ? 1 : categories.size;
          for (let m = 0; m < inputs; m++) out[k++] = NaN;
          continue;
        }
        const value = encoding.fill[j] ?? null;
        if (value === null) {
          throw new GlassnetError({ code: 'empty', argument: this.at(line, c), expected: 'a value (the model has no fill value for this column)', found: describeValue(record.cell(c)) });
        }
        this.filled++;
        if (categories === null) {
          out[k++] = value as number;
          continue;
        }
        cell = String(value);
      }
      if (categories === null) {
        out[k++] = this.number(record, c);
        continue;
      }
      const key = (cell ?? record.cell(c)).trim();
      const index = categories.get(key);
      if (index === undefined) {
        throw new GlassnetError({
          code: 'unknown-name', argument: this.at(line, c),
          expected: `one of the categories seen in training: ${encoding.categories[j]!.map((k) => JSON.stringify(k)).join(', ')}`, found: describeValue(key),
        });
      }
      for (let m = 0; m < categories.size; m++) out[k++] = m === index ? 1 : 0;
    }
    if (onRow !== undefined) onRow(out as number[]);
    if (this.kind === 'features') return;
    const y = this.y!;
    if (this.task === 'regression') {
      const { targets } = this;
      for (let m = 0; m < targets.length; m++) y.data[row * y.cols + m] = this.number(record, targets[m]!);
      return;
    }
    const t = this.targets[0]!;
    const label = canonicalLabel(record.cell(t).trim());
    const index = this.classIndex!.get(label);
    if (index === undefined) {
      throw new GlassnetError({
        code: 'unknown-name', argument: this.at(line, t),
        expected: `one of the classes seen in training: ${this.classes!.map((c) => JSON.stringify(c)).join(', ')}`, found: describeValue(label),
      });
    }
    y.data[row * y.cols + index] = 1;
  }

  /** Prediction reads every row: a missing cell is an error unless the policy fills it. */
  private checkMissingCells(record: CsvRecord, missing: number): void {
    if (this.missing !== 'error' || !this.streaming || (missing & FEATURE_MISSING) === 0) return;
    // The first in the features' order, as the model reads them.
    const c = this.features.find((f) => this.missingCells[f] === 1)!;
    throw new GlassnetError({ code: 'empty', argument: this.at(record.line, c), expected: 'a value (or fill missing cells with --missing mean or median)', found: describeValue(record.cell(c)) });
  }

  /** The finite number in field `column` of the record. */
  private number(record: CsvRecord, column: number): number {
    const value = record.number(column);
    if (Number.isFinite(value)) return value;
    const code = Number.isNaN(value) ? 'type' : 'not-finite';
    throw new GlassnetError({ code, argument: this.at(record.line, column), expected: code === 'type' ? 'a number' : intervalWords(FINITE), found: describeValue(record.cell(column)) });
  }
}

/**
 * Fills the missing cells a `deferFill` load left NaN, in `train` and in
 * `others` (validation or test rows), with statistics of `train` alone: a
 * numeric column's mean or median of its present training values, a
 * categorical column's most frequent training category (the first in order
 * on a tie). Fill values taken after the split keep held-out rows out of
 * them, so a validation score is not flattered by its own statistics.
 * @param encoding the load's encoding: the columns and categories the matrices' inputs follow.
 * @param policy `mean` or `median` (categories always take the most frequent).
 * @param train the training features, which give the statistics; filled in place.
 * @param others more feature matrices of the same layout, filled in place with the same values.
 * @returns the encoding with those fill values, to be saved with the model, and the number of cells filled.
 * @throws GlassnetError `empty` naming the column for one with no value in the training rows (before any cell is filled).
 */
export function fillMissing(encoding: FeatureEncoding, policy: 'mean' | 'median', train: Matrix, others: readonly Matrix[] = []): { encoding: FeatureEncoding; filled: number } {
  const fill: (number | string | null)[] = [];
  let offset = 0;
  encoding.columns.forEach((name, j) => {
    const categories = encoding.categories[j] ?? null;
    const width = categories === null ? 1 : categories.length;
    const at = offset;
    offset += width;
    const present: number[] = [];
    for (let r = 0; r < train.rows; r++) {
      const base = r * train.cols + at;
      if (Number.isNaN(train.data[base]!)) continue;
      present.push(categories === null ? train.data[base]! : train.data.subarray(base, base + width).indexOf(1));
    }
    if (present.length === 0) {
      throw new GlassnetError({ code: 'empty', argument: `${name}`, expected: 'a column with at least one value in the training rows', found: 'only missing cells' });
    }
    if (categories === null) {
      let sum = 0;
      for (const value of present) sum += value;
      fill.push(fillValue(policy, { categories: null, count: present.length, sum, values: present }));
    } else {
      const counts = new Map<string, number>();
      for (const index of present) counts.set(categories[index]!, (counts.get(categories[index]!) ?? 0) + 1);
      fill.push(fillValue(policy, { categories, counts }));
    }
  });
  const filledEncoding = { ...encoding, fill };
  return { encoding: filledEncoding, filled: applyFill(filledEncoding, [train, ...others]) };
}

/**
 * Fills the missing cells a `deferFill` load left NaN with the encoding's
 * fill values (a category's as its one-hot inputs), in place: how data read
 * for a saved model (evaluation, a resumed run) is filled as in training.
 * @param encoding an encoding with fill values, e.g. a model's or {@link fillMissing}'s.
 * @param parts feature matrices laid out as the encoding's inputs.
 * @returns the number of cells filled.
 * @throws GlassnetError `empty` naming the column for a missing cell in a column without a fill value, before any cell is filled.
 */
export function applyFill(encoding: FeatureEncoding, parts: readonly Matrix[]): number {
  let offset = 0;
  // Per column: where its inputs start, and the inputs that fill it (null: it has no fill value).
  const columns = encoding.columns.map((name, j) => {
    const categories = encoding.categories[j] ?? null;
    const at = offset;
    offset += categories === null ? 1 : categories.length;
    const value = encoding.fill[j] ?? null;
    const values = value === null ? null : categories === null ? [value as number] : categories.map((c) => (c === value ? 1 : 0));
    return { name, at, values };
  });
  /** Calls `f` with the index of each missing cell of the column whose inputs start at `at`. */
  const eachMissing = (at: number, f: (part: Matrix, base: number) => void): void => {
    for (const part of parts) {
      for (let r = 0; r < part.rows; r++) {
        const base = r * part.cols + at;
        if (Number.isNaN(part.data[base]!)) f(part, base);
      }
    }
  };
  // Refused before anything is written, so a refusal leaves the matrices as they were.
  for (const { name, at, values } of columns) {
    if (values !== null) continue;
    eachMissing(at, () => {
      throw new GlassnetError({ code: 'empty', argument: name, expected: 'a fill value for its missing cells', found: 'none' });
    });
  }
  let filled = 0;
  for (const { at, values } of columns) {
    if (values === null) continue;
    eachMissing(at, (part, base) => {
      part.data.set(values, base);
      filled++;
    });
  }
  return filled;
}

/** Numeric labels in one spelling, so `1`, `1.0` and `+1` name one class. */
function canonicalLabel(cell: string): string {
  const value = parseNumber(cell);
  return value === null ? cell : String(value);
}

/** A column's present values as the fill rule reads them: a numeric column's count and sum (in file order), and the values themselves for the median; a categorical column's categories (sorted) and how often each occurs. */
type ColumnSummary =
  | { categories: null; count: number; sum: number; values: readonly number[] | null }
  | { categories: readonly string[]; counts: ReadonlyMap<string, number> };

/**
 * The fill rule, one for filling at load time and for {@link fillMissing}:
 * a numeric column's mean or median of its present values, a categorical
 * column's most frequent category (whatever the policy).
 */
function fillValue(policy: 'mean' | 'median', column: ColumnSummary): number | string {
  if (column.categories !== null) return mostFrequent(column.categories, column.counts);
  return policy === 'mean' ? column.sum / column.count : quantile(Float64Array.from(column.values!).sort(), 0.5);
}

/** The most frequent label; on a tie, the first in sorted order. */
function mostFrequent(sorted: readonly string[], counts: ReadonlyMap<string, number>): string {
  let best = sorted[0]!;
  for (const label of sorted) if ((counts.get(label) ?? 0) > (counts.get(best) ?? 0)) best = label;
  return best;
}

/**
 * Restores a {@link FeatureEncoding} read from a model file, checking it.
 * @param argument names the value in errors (default `encoding`).
 * @throws GlassnetError `type` for a field of the wrong kind, `shape` for lists of different lengths.
 */
export function encodingFromJSON(json: unknown, argument = 'encoding'): FeatureEncoding {
  const data = (typeof json === 'object' && json !== null && !Array.isArray(json) ? json : null) as Record<string, unknown> | null;
  if (data === null) throw new GlassnetError({ code: 'type', argument, expected: 'an object with columns, categories and fill', found: describeValue(json) });
  const list = (name: string, length?: number): unknown[] => {
    const value = data[name];
    if (!Array.isArray(value)) throw new GlassnetError({ code: 'type', argument: `${argument}.${name}`, expected: 'an array', found: describeValue(value) });
    if (length !== undefined && value.length !== length) {
      throw new GlassnetError({ code: 'shape', argument: `${argument}.${name}`, expected: `${length} entries (one per column)`, found: `${value.length}` });
    }
    return value;
  };
  const bad = (path: string, expected: string, found: unknown): never => {
    throw new GlassnetError({ code: 'type', argument: `${argument}.${path}`, expected, found: describeValue(found) });
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
