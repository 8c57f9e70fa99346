/**
 * Turns the DATA argument of the commands into numbers: a built-in set
 * (`iris`, `digits`, `xor`, `circles`, `spirals`, `gaussians`, optionally
 * `NAME:COUNT`) or a `.csv` / `.json` file. File names in errors are the
 * path as the user typed it, so `data.csv:14:3` points at the right file.
 */
import { readFile, stat } from 'node:fs/promises';
import {
  GlassnetError, IRIS_CSV, SYNTHETIC, decodeText, featureBatches, loadFeatures, loadJsonData, loadMatrixStream, loadTable, loadTableStream, parseCsv, toFlat,
  type AsyncTextChunks, type Dataset, type FeatureEncoding, type Flat, type MissingPolicy, type Table, type TableOptions, type Task,
} from 'glassnet';
import { digits } from './digits.js';
import { readTextChunks } from 'glassnet/node';

/** Names accepted in place of a data file. */
export const BUILT_INS = ['iris', 'digits', 'xor', 'circles', 'spirals', 'gaussians'] as const;
type BuiltIn = (typeof BUILT_INS)[number];

/** How to read a labelled table. */
export interface DataOptions {
  /** CSV target columns (default: the last); several for multi-target regression. */
  target?: readonly string[];
  /** CSV feature columns (default: every column but the target). */
  features?: readonly string[];
  task?: 'auto' | Task;
  /** Classes fixed at training time: any other label is an error. */
  classes?: readonly string[];
  /** What errors call the target and features (default `target`, `features`), e.g. the flags that set them. */
  names?: { target: string; features: string };
  /** CSV: what to do with missing cells (default error). */
  missing?: MissingPolicy;
  /** CSV: the field separator (default: detected). */
  delimiter?: string;
  /** CSV: the feature encoding saved with a model. */
  encoding?: FeatureEncoding;
  /** CSV: called as the file is read, with the pass (1: profiling columns, 2: reading numbers) and the share of the file read. */
  onProgress?: (pass: 1 | 2, fraction: number) => void;
}

/** Features only, for prediction. */
export interface Inputs {
  x: number[][];
  featureNames: string[];
}

const BUILT_IN = /^([a-z]+)(?::(\d+))?$/;

function builtIn(source: string): { name: BuiltIn; count?: number } | null {
  const match = BUILT_IN.exec(source);
  if (match === null || !(BUILT_INS as readonly string[]).includes(match[1]!)) return null;
  return match[2] === undefined ? { name: match[1] as BuiltIn } : { name: match[1] as BuiltIn, count: Number(match[2]) };
}

/** Whether DATA has named columns, so `target` and `features` can pick from it (CSV files and Iris). */
export function hasNamedColumns(source: string): boolean {
  return builtIn(source)?.name === 'iris' || (builtIn(source) === null && source.toLowerCase().endsWith('.csv'));
}

/**
 * A labelled table from DATA.
 * @throws GlassnetError for unreadable data (naming file:line:column), an
 * unknown target or feature column, a label outside `options.classes`.
 */
export async function loadData(source: string, options: DataOptions = {}): Promise<Table> {
  const named = builtIn(source);
  if (named !== null) return loadBuiltIn(named.name, named.count, options);
  if (fileKind(source) === 'csv') return loadCsv(source, options, loadTableStream);
  const text = await readDataText(source);
  rejectColumns(source, options);
  return fromDataset(loadJsonData(text, { file: source }), source, options);
}

/**
 * {@link loadData} into flat matrices, for training: a CSV file is read
 * straight into them, on shared memory the training worker reads in place,
 * so a large one is held once, as numbers only. Missing cells under
 * `missing: mean | median` are left NaN: the caller fills them with
 * `fillMissing` once the training rows are known (or `applyFill` with a
 * saved encoding).
 */
export async function loadMatrices(source: string, options: DataOptions = {}): Promise<Flat<Table>> {
  if (builtIn(source) === null && fileKind(source) === 'csv') return loadCsv(source, options, (chunks, csv, onProgress) => loadMatrixStream(chunks, { ...csv, shared: true, deferFill: true }, onProgress));
  return toFlat(await loadData(source, options));
}

type CsvLoader<T> = (chunks: AsyncTextChunks, options: TableOptions, onProgress?: (pass: 1 | 2, characters: number) => void) => Promise<T>;

/** A CSV file streamed twice (profile, then numbers), so memory holds the numbers but never the text. */
async function loadCsv<T>(source: string, options: DataOptions, load: CsvLoader<T>): Promise<T> {
  const size = (await fileStat(source)).size;
  const { onProgress } = options;
  return renamed(options, () => load(() => readTextChunks(source), {
    file: source, ...csvOptions(options),
    ...(options.target === undefined ? {} : { target: options.target.length === 1 ? options.target[0]! : options.target }),
    ...(options.features === undefined ? {} : { features: [...options.features] }),
    ...(options.task === undefined ? {} : { task: options.task }),
    ...(options.classes === undefined ? {} : { classes: options.classes }),
  }, onProgress === undefined ? undefined : (pass, characters) => onProgress(pass, size === 0 ? 1 : Math.min(1, characters / size))));
}

/** What a model says about the inputs it takes. */
export interface InputSpec {
  inputSize: number;
  /** Names of the model's inputs (old files without an encoding: the CSV columns). */
  featureNames?: readonly string[];
  /** How CSV columns become inputs (categories, fill values). */
  encoding?: FeatureEncoding;
  missing?: MissingPolicy;
  delimiter?: string;
}

/**
 * Feature rows from DATA for a model. A CSV with a header is read by column
 * name, so a target column or extra columns are ignored; a CSV without a
 * header must hold exactly the features.
 */
export async function loadInputs(source: string, spec: InputSpec): Promise<Inputs> {
  const { inputSize } = spec;
  const named = builtIn(source);
  let inputs: Inputs;
  if (named !== null) {
    inputs = await loadBuiltIn(named.name, named.count, {});
  } else if (fileKind(source) === 'csv') {
    const text = await readDataText(source);
    const csv = csvOptions(spec);
    const { columns, header } = parseCsv(text, { file: source, ...csv });
    const wanted = spec.encoding?.columns ?? spec.featureNames;
    let features: string[] | undefined;
    if (header && wanted !== undefined) {
      const missing = wanted.filter((name) => !columns.includes(name));
      if (missing.length > 0) {
        throw new GlassnetError({
          code: 'unknown-name', argument: source,
          expected: `the feature columns the model was trained on (${wanted.join(', ')})`, found: `no column ${missing.map((m) => JSON.stringify(m)).join(', ')}`,
        });
      }
      features = [...wanted];
    }
    inputs = loadFeatures(text, {
      file: source, ...csv,
      ...(features === undefined ? {} : { features }),
      ...(spec.encoding === undefined ? {} : { encoding: spec.encoding }),
    });
  } else {
    inputs = await jsonInputs(source);
  }
  const width = inputs.x[0]?.length ?? 0;
  if (width !== inputSize) {
    throw new GlassnetError({ code: 'shape', argument: source, expected: `${inputSize} feature columns (as the model was trained on)`, found: `${width}` });
  }
  return inputs;
}

/** The most rows NAME:COUNT may ask for: generated rows are plain arrays, so more would risk an out-of-memory abort. */
const MAX_BUILT_IN_ROWS = 1_000_000;

async function loadBuiltIn(name: BuiltIn, count: number | undefined, options: DataOptions): Promise<Table> {
  if (count !== undefined && count > MAX_BUILT_IN_ROWS) {
    throw new GlassnetError({ code: 'range', argument: 'DATA', expected: `at most ${MAX_BUILT_IN_ROWS} rows of a built-in set (the memory budget)`, found: `${name}:${count}` });
  }
  if (name === 'iris') {
    if (count !== undefined) throw new GlassnetError({ code: 'type', argument: 'iris', expected: 'no sample count (Iris has 150 rows)', found: `iris:${count}` });
    // Iris is a CSV, so --target and --features work on it as on a file.
    return renamed(options, () => loadTable(IRIS_CSV, { file: 'iris', target: options.target?.[0] ?? 'species', task: 'classification',
      ...(options.features === undefined ? {} : { features: [...options.features] }),
      ...(options.classes === undefined ? {} : { classes: options.classes }) }));
  }
  rejectColumns(name, options);
  const table = name === 'digits'
    ? await digits(count === undefined ? {} : { count })
    : SYNTHETIC[name](count === undefined ? {} : { samples: count });
  return options.classes === undefined ? table : { ...table, classes: checkClasses(name, table.classes!, options.classes) };
}

/** Runs `load`, renaming the target and feature arguments of its errors as `options.names` says. */
async function renamed<T>(options: DataOptions, load: () => T | Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    const names = options.names;
    if (!(error instanceof GlassnetError) || names === undefined) throw error;
    const argument = error.argument === 'target' ? names.target : error.argument.replace(/^features(?=\[|$)/, names.features);
    throw new GlassnetError({ code: error.code, argument, expected: error.expected, found: error.found, cause: error });
  }
}

/** The CSV reading options among `options`. */
function csvOptions(options: { missing?: MissingPolicy; delimiter?: string; encoding?: FeatureEncoding }): { missing?: MissingPolicy; delimiter?: string; encoding?: FeatureEncoding } {
  return {
    ...(options.missing === undefined ? {} : { missing: options.missing }),
    ...(options.delimiter === undefined ? {} : { delimiter: options.delimiter }),
    ...(options.encoding === undefined ? {} : { encoding: options.encoding }),
  };
}

/** Column options only mean something for CSV data. */
function rejectColumns(source: string, options: DataOptions): void {
  const names = options.names ?? { target: 'target', features: 'features' };
  const flag = options.target !== undefined ? names.target : options.features !== undefined ? names.features : null;
  if (flag !== null) throw new GlassnetError({ code: 'type', argument: flag, expected: 'CSV data (named columns)', found: JSON.stringify(source) });
}

/** Data whose targets are one-hot by position: the model's classes must be the same positions. */
function checkClasses(source: string, found: readonly string[], classes: readonly string[]): string[] {
  if (found.length !== classes.length) {
    throw new GlassnetError({
      code: 'shape', argument: source, expected: `targets over the ${classes.length} classes seen in training`, found: `${found.length} target columns`,
    });
  }
  return [...classes];
}

/**
 * A JSON data set as a table: one-hot targets (every row a single 1 among
 * 0s) are classes `"0"`, `"1"`, ... by position; anything else is regression.
 */
function fromDataset(data: Dataset, source: string, options: DataOptions): Table {
  const width = data.y[0]!.length;
  const oneHot = width >= 2 && data.y.every((row) => row.every((v) => v === 0 || v === 1) && row.indexOf(1) === row.lastIndexOf(1) && row.includes(1));
  const task = options.task === undefined || options.task === 'auto' ? (oneHot ? 'classification' : 'regression') : options.task;
  const base = { ...data, featureNames: data.x[0]!.map((_, j) => `x${j + 1}`), targetName: 'y', task };
  if (task === 'regression') return base;
  if (!oneHot) {
    throw new GlassnetError({ code: 'type', argument: `${source}: y`, expected: 'one-hot rows for classification (a single 1 among 0s)', found: 'other values' });
  }
  const positions = Array.from({ length: width }, (_, c) => String(c));
  return { ...base, classes: options.classes === undefined ? positions : checkClasses(source, positions, options.classes) };
}

/** `{"x": [...]}` (no targets) or any shape {@link loadJsonData} reads, whose targets are ignored. */
async function jsonInputs(source: string): Promise<Inputs> {
  const data = loadJsonData(withDummyTargets(await readDataText(source)), { file: source });
  return { x: data.x, featureNames: data.x[0]!.map((_, j) => `x${j + 1}`) };
}

/** Gives `{"x": rows}` one dummy target per row, so loadJsonData checks the rows with its usual messages. */
function withDummyTargets(text: string): string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return text; // loadJsonData reports the syntax error
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value) || !('x' in value) || 'y' in value) return text;
  const { x } = value as { x: unknown };
  return Array.isArray(x) ? JSON.stringify({ x, y: x.map(() => [0]) }) : text;
}

function fileKind(source: string): 'csv' | 'json' {
  const lower = source.toLowerCase();
  if (lower.endsWith('.csv')) return 'csv';
  if (lower.endsWith('.json')) return 'json';
  throw new GlassnetError({
    code: 'unknown-name', argument: 'DATA', expected: `a .csv or .json file, or a built-in data set (${BUILT_INS.join(', ')})`, found: JSON.stringify(source),
  });
}

/** A data file's text, strictly UTF-8; a missing or unreadable file is a GlassnetError naming it. */
export async function readDataText(path: string): Promise<string> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw unreadable(path, error);
  }
  return decodeText(bytes, path);
}

async function fileStat(path: string): Promise<{ size: number }> {
  try {
    const info = await stat(path);
    if (!info.isFile()) throw Object.assign(new Error('not a file'), { code: 'EISDIR' });
    return info;
  } catch (error) {
    throw unreadable(path, error);
  }
}

function unreadable(path: string, error: unknown): GlassnetError {
  const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
  return new GlassnetError({ code: 'type', argument: path, expected: 'a readable data file', found: reason, cause: error });
}

/**
 * Feature rows of a CSV file in batches, read once with the model's
 * encoding, for predicting on files of any size. A model saved without an
 * encoding reads its `featureNames` as numeric columns (a model without
 * names is read with {@link loadInputs} instead).
 */
export async function* csvInputBatches(source: string, spec: InputSpec, batchSize: number): AsyncGenerator<number[][]> {
  await fileStat(source);
  const names = spec.encoding?.columns ?? spec.featureNames ?? [];
  const encoding: FeatureEncoding = spec.encoding ?? { columns: [...names], categories: names.map(() => null), fill: names.map(() => null) };
  try {
    for await (const batch of featureBatches(readTextChunks(source), { file: source, ...csvOptions(spec), encoding }, batchSize)) yield batch;
  } catch (error) {
    if (!(error instanceof GlassnetError) || error.code !== 'unknown-name' || !error.argument.startsWith('features[')) throw error;
    throw new GlassnetError({
      code: 'unknown-name', argument: source, expected: `the feature columns the model was trained on (${encoding.columns.join(', ')})`, found: `no column ${error.found}`, cause: error,
    });
  }
}
