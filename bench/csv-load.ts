/**
 * CSV loading: parsing speed and peak memory of glassnet's streaming reader
 * (`loadMatrixStream`, what `glassnet train` reads a file with) beside
 * numpy's `loadtxt` on the same file. Each reader runs in a fresh process,
 * so its peak resident set (`maxRSS`) is its own. `npm run bench` runs it as
 * its "csv" section (`--only csv` alone); it also runs by itself:
 *
 *   npx tsc -p bench/tsconfig.json && node bench/results/build/bench/csv-load.js [FILE.csv] [ROWS] [COLUMNS]
 *
 * Without FILE the tool writes a seeded ROWS × COLUMNS file (default
 * 200,000 × 20, about 38 MB) to the system's temporary directory.
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Random, loadMatrixStream } from '../src/index.js';
import { readTextChunks } from '../src/io/node.js';

const PYTHON = '/usr/bin/python3';

/** What one reader reports: seconds to a table of numbers, and the process's peak resident set. */
export interface CsvMeasurement {
  reader: string;
  seconds: number;
  peakMb: number;
  rows: number;
}

/** Both readers on one file: the fastest of `rounds` fresh processes each. */
export interface CsvLoadResult {
  file: string;
  megabytes: number;
  rows: number;
  columns: number;
  rounds: number;
  glassnet: CsvMeasurement;
  /** null when numpy could not run (its reason in `missing`). */
  numpy: CsvMeasurement | null;
  missing?: string;
}

/** Writes a seeded regression file: COLUMNS − 1 Gaussian features and y = the sum of the first five plus noise. */
async function writeFile(path: string, rows: number, columns: number): Promise<void> {
  const random = new Random(0);
  const out = createWriteStream(path);
  out.write(`${Array.from({ length: columns - 1 }, (_, i) => `x${i}`).join(',')},y\n`);
  for (let r = 0; r < rows; r++) {
    const x = Array.from({ length: columns - 1 }, () => random.normal());
    const y = x.slice(0, 5).reduce((s, v) => s + v, 0) + 0.1 * random.normal();
    if (!out.write(`${[...x, y].map((v) => v.toFixed(6)).join(',')}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

/** The child side: load the file once and print a measurement. */
async function measureGlassnet(path: string): Promise<void> {
  const started = performance.now();
  const table = await loadMatrixStream(() => readTextChunks(path), { file: path });
  const seconds = (performance.now() - started) / 1000;
  const result: CsvMeasurement = { reader: 'glassnet loadMatrixStream', seconds, peakMb: process.resourceUsage().maxRSS / 1024, rows: table.x.rows };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

const NUMPY = `
import json, resource, sys, time
import numpy as np
t = time.perf_counter()
data = np.loadtxt(sys.argv[1], delimiter=',', skiprows=1)
seconds = time.perf_counter() - t
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"reader": "numpy loadtxt", "seconds": seconds, "peakMb": peak, "rows": int(data.shape[0])}))
`;

function run(command: string, args: readonly string[]): CsvMeasurement {
  const child = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (child.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${child.stderr}`);
  return JSON.parse(child.stdout.trim().split('\n').at(-1)!) as CsvMeasurement;
}

/** The fastest of `rounds` runs (the machine's noise only ever slows a run down). */
function best(rounds: number, measure: () => CsvMeasurement): CsvMeasurement {
  return Array.from({ length: rounds }, measure).reduce((a, b) => (b.seconds < a.seconds ? b : a));
}

/** Times both readers on `file` (written first, seeded, when it does not exist). */
export async function measureCsvLoad(options: { file?: string; rows?: number; columns?: number; rounds?: number } = {}): Promise<CsvLoadResult> {
  const rows = options.rows ?? 200_000;
  const columns = options.columns ?? 20;
  const rounds = options.rounds ?? 3;
  const file = options.file ?? join(tmpdir(), `glassnet-bench-${rows}x${columns}.csv`);
  if (!existsSync(file)) await writeFile(file, rows, columns);
  const self = fileURLToPath(import.meta.url);
  const glassnet = best(rounds, () => run(process.execPath, [self, '--child', file]));
  const numpyCheck = spawnSync(PYTHON, ['-c', 'import numpy'], { encoding: 'utf8' });
  const missing = numpyCheck.status === 0 ? undefined : `numpy not available (${PYTHON} -c "import numpy" failed)`;
  const numpy = missing === undefined ? best(rounds, () => run(PYTHON, ['-c', NUMPY, file])) : null;
  return { file, megabytes: statSync(file).size / 1e6, rows: glassnet.rows, columns, rounds, glassnet, numpy, ...(missing === undefined ? {} : { missing }) };
}

/** The section `npm run bench` prints: both readers, MB/s and rows/s (the file's width does not hide in one of them), peak memory, and glassnet's ratios to numpy. */
export function csvLoadMarkdown(result: CsvLoadResult): string {
  const { megabytes, glassnet, numpy } = result;
  const line = (m: CsvMeasurement): string => `| ${m.reader} | ${m.seconds.toFixed(2)} | ${(megabytes / m.seconds).toFixed(1)} | ${Math.round(m.rows / m.seconds).toLocaleString('en-US')} | ${m.peakMb.toFixed(0)} |`;
  return [
    `### CSV loading (${result.rows.toLocaleString('en-US')} rows × ${result.columns} columns, ${megabytes.toFixed(1)} MB; fastest of ${result.rounds} fresh processes)`,
    '',
    '| reader | seconds | MB/s | rows/s | peak RSS (MB) |',
    '| --- | ---: | ---: | ---: | ---: |',
    line(glassnet),
    ...(numpy === null ? [] : [line(numpy)]),
    '',
    numpy === null ? `numpy: ${result.missing}` : `glassnet / numpy: speed ${(numpy.seconds / glassnet.seconds).toFixed(2)}×, peak memory ${(glassnet.peakMb / numpy.peakMb).toFixed(2)}×`,
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  const [, , first, childPath] = process.argv;
  if (first === '--child') return measureGlassnet(childPath!);
  const result = await measureCsvLoad({
    ...(first === undefined ? {} : { file: first }),
    ...(process.argv[3] === undefined ? {} : { rows: Number(process.argv[3]) }),
    ...(process.argv[4] === undefined ? {} : { columns: Number(process.argv[4]) }),
  });
  console.log(csvLoadMarkdown(result));
}

// Run as a program (or as its own child); imported by run.ts, it only exports.
if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) await main();
