/**
 * CSV loading: parsing speed and peak memory of glassnet's streaming reader
 * beside numpy's `loadtxt` on the same file. A developer tool in the style of
 * b1-bound.ts, not (yet) a column of `npm run bench`: each reader runs in a
 * fresh process, so its peak resident set (`maxRSS`) is its own.
 *
 *   npx tsc bench/csv-load.ts --outDir /tmp/gn-bench --module nodenext --target es2022 --skipLibCheck --strict
 *   echo '{"type":"module"}' > /tmp/gn-bench/package.json
 *   node /tmp/gn-bench/bench/csv-load.js [FILE.csv] [ROWS] [COLUMNS]
 *
 * Without FILE the tool writes a seeded ROWS × COLUMNS file (default
 * 200,000 × 20, about 38 MB) to the system's temporary directory.
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, statSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Random, loadTableStream } from '../src/index.js';
import { readTextChunks } from '../src/io/node.js';

const PYTHON = '/usr/bin/python3';
const ROUNDS = 3;

/** What one reader reports: seconds to a table of numbers, and the process's peak resident set. */
interface Measurement {
  reader: string;
  seconds: number;
  peakMb: number;
  rows: number;
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
  const table = await loadTableStream(() => readTextChunks(path), { file: path });
  const seconds = (performance.now() - started) / 1000;
  const result: Measurement = { reader: 'glassnet loadTableStream', seconds, peakMb: process.resourceUsage().maxRSS / 1024, rows: table.x.length };
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

function run(command: string, args: readonly string[]): Measurement {
  const child = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (child.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${child.stderr}`);
  return JSON.parse(child.stdout.trim().split('\n').at(-1)!) as Measurement;
}

async function main(): Promise<void> {
  const [, , mode, childPath] = process.argv;
  if (mode === '--child') return measureGlassnet(childPath!);
  const rows = Number(process.argv[3] ?? 200_000);
  const columns = Number(process.argv[4] ?? 20);
  let path = process.argv[2];
  if (path === undefined) {
    path = join(tmpdir(), `glassnet-bench-${rows}x${columns}.csv`);
    await writeFile(path, rows, columns);
  }
  const megabytes = statSync(path).size / 1e6;
  const self = fileURLToPath(import.meta.url);
  const best = (measure: () => Measurement): Measurement => {
    const runs = Array.from({ length: ROUNDS }, measure);
    return runs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
  };
  const results = [best(() => run(process.execPath, [self, '--child', path])), best(() => run(PYTHON, ['-c', NUMPY, path]))];
  console.log(`${path}: ${megabytes.toFixed(1)} MB, best of ${ROUNDS} fresh processes`);
  for (const r of results) {
    console.log(`${r.reader.padEnd(26)} ${r.seconds.toFixed(2).padStart(7)} s  ${(megabytes / r.seconds).toFixed(1).padStart(6)} MB/s  peak ${r.peakMb.toFixed(0).padStart(5)} MB  ${r.rows} rows`);
  }
}

await main();
