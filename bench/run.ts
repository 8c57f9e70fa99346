/**
 * `npm run bench`: glassnet and its peers, each (library, workload) in a
 * fresh process, collected into one table.
 *
 *   node bench/results/build/bench/run.js [--quick] [--only b1,b3] [--libs glassnet,tfjs-wasm]
 *
 * (`npm run bench` compiles bench/tsconfig.json there first.)
 *
 * Writes bench/results/latest.json and latest.md and prints the Markdown.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cpuFacts } from './lib/cpu.js';
import { prepareDigits } from './lib/digits.js';
import { prepareReferences } from './lib/shared-start.js';
import { DIGITS_DIR, PYTHON, RESULTS_DIR, RUNNERS_DIR, TORCH_RUNNER } from './lib/paths.js';
import { ACCURACY_WORKLOADS, FMA_COLUMN, SETTINGS, accuracyColumn, columns, rotate, rows, sectionSeconds, selects, type Column, type Mode, type Settings } from './lib/plan.js';
import { mergeRounds } from './lib/rounds.js';
import { runnerFlags, type RunnerFailure, type RunnerResult } from './lib/protocol.js';
import { formatValue, isMeasured, renderMarkdown, type BenchReport, type JobResult } from './lib/report.js';
import { csvLoadMarkdown, measureCsvLoad } from './csv-load.js';

interface Options {
  mode: Mode;
  only: string[] | null;
  libs: string[] | null;
}

function parseOptions(argv: readonly string[]): Options {
  const list = (flag: string): string[] | null => {
    const i = argv.indexOf(flag);
    return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]!.split(',').map((s) => s.trim().toLowerCase()) : null;
  };
  return { mode: argv.includes('--quick') ? 'quick' : 'full', only: list('--only'), libs: list('--libs') };
}

interface Probe { backends: Record<string, string>; default: string; relaxedSimd: boolean }

/** A fresh glassnet process's answer: which backends load, the default, whether its wasm GEMM fuses multiply-adds; null when it failed. */
function runProbe(nodeFlags: readonly string[]): Probe | { failed: string } {
  const probe = spawnSync(process.execPath, [...nodeFlags, path.join(RUNNERS_DIR, 'glassnet.js'), '--probe'], { encoding: 'utf8' });
  const line = probe.stdout.trim().split('\n').pop() ?? '';
  return line.startsWith('{') ? JSON.parse(line) as Probe : { failed: probe.stderr.trim().split('\n')[0] || `exit ${probe.status}` };
}

/**
 * Asks a fresh glassnet process which backend names load (the others become
 * notes) and which one it selects by default; and whether the opt-in FMA
 * column can run: only when the default wasm backend does not fuse already
 * and a Node started with the flag gives it relaxed SIMD.
 */
function probeGlassnet(notes: string[]): { backends: string[]; defaultBackend: string; fmaByFlag: boolean } {
  const probe = runProbe([]);
  if ('failed' in probe) throw new Error(`glassnet's backend probe failed: ${probe.failed}`);
  const { backends: status, default: defaultBackend } = probe;
  for (const [name, state] of Object.entries(status)) if (state !== 'ok') notes.push(`glassnet backend "${name}" skipped: ${state}`);
  let fmaByFlag = false;
  if (status.wasm === 'ok' && probe.relaxedSimd) notes.push(`${FMA_COLUMN.id} not run: this Node's default wasm backend fuses multiply-adds already`);
  else if (status.wasm === 'ok') {
    const flagged = runProbe(FMA_COLUMN.nodeFlags);
    fmaByFlag = !('failed' in flagged) && flagged.relaxedSimd;
    notes.push(fmaByFlag ? FMA_COLUMN.note : `${FMA_COLUMN.id} not run: ${'failed' in flagged ? flagged.failed : 'no relaxed SIMD with the flag'}`);
  }
  return { backends: Object.keys(status).filter((name) => status[name] === 'ok'), defaultBackend, fmaByFlag };
}

/**
 * Debian's OpenBLAS build for x86-64 with its own thread pool. Debian's
 * torch links the generic `libblas.so.3`, which the alternatives system may
 * point at the unoptimized reference BLAS: putting this directory first on
 * the library path chooses OpenBLAS explicitly. The runner records which
 * library was loaded, and its core type.
 */
const OPENBLAS_DIR = '/usr/lib/x86_64-linux-gnu/openblas-pthread';

/** The environment of a PyTorch runner: OpenBLAS when installed, and its threads pinned to the column's. */
function torchEnvironment(threads: number): NodeJS.ProcessEnv {
  const libraryPath = existsSync(OPENBLAS_DIR) ? [OPENBLAS_DIR, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':') : process.env.LD_LIBRARY_PATH;
  // torch.set_num_threads() does not reach a BLAS that Debian's torch loads as plain libblas.so.3 (OpenBLAS starts its own pool).
  // Two pools then share the cores, torch's OpenMP threads and OpenBLAS's: an OpenMP thread that spins after its loop takes
  // the core a BLAS thread needs (B2 on two threads measured 2.3e4 samples/s spinning, 8.5e4 parked), so OpenMP parks.
  return {
    ...process.env, LD_LIBRARY_PATH: libraryPath, OPENBLAS_NUM_THREADS: String(threads), OMP_NUM_THREADS: String(threads), OMP_WAIT_POLICY: 'PASSIVE',
  };
}

function torchMissing(): string | null {
  const check = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
  return check.status === 0 ? null : 'skipped: torch not found';
}

/** Runs one job in a fresh process and reads the JSON line it prints last. */
function runJob(column: Column, workload: string, mode: Mode, settings: Settings): JobResult {
  const flags = runnerFlags({
    workload, seconds: sectionSeconds(settings, workload), reps: settings.reps, epochs: settings.epochs, backend: column.backend, dataDir: DIGITS_DIR, mode,
  });
  const { launcher } = column;
  const [command, args] = launcher.kind === 'python'
    ? [PYTHON, [TORCH_RUNNER, ...flags, '--threads', String(launcher.threads)]]
    // --expose-gc lets the memory workload read RSS after a full collection.
    : [process.execPath, [...(launcher.nodeFlags ?? []), '--expose-gc', launcher.script, ...flags]];
  const env = launcher.kind === 'python' ? torchEnvironment(launcher.threads) : process.env;
  const child = spawnSync(command, args, { encoding: 'utf8', env, timeout: settings.timeoutSeconds * 1000, maxBuffer: 64 * 2 ** 20 });
  const line = child.stdout.trim().split('\n').reverse().find((l) => l.startsWith('{'));
  // A runner names its column by library and backend; a column started with engine flags is another column of the same runner.
  if (line !== undefined) return { ...JSON.parse(line) as RunnerResult | RunnerFailure, ...(launcher.kind === 'node' && launcher.nodeFlags !== undefined ? { library: column.id } : {}) };
  const why = child.error !== undefined ? child.error.message : `exit ${child.status ?? child.signal}: ${child.stderr.trim().split('\n').slice(-3).join(' ')}`;
  return { library: column.id, workload, error: why };
}

function describeResult(result: JobResult): string {
  if ('skipped' in result) return result.skipped;
  if ('error' in result) return `ERROR ${result.error.split('\n')[0]}`;
  const check = result.check.ok === null ? 'check n/a' : result.check.ok ? 'check ok' : `CHECK FAILED: ${result.check.detail}`;
  return `${formatValue(result.median)} ${result.unit} [${formatValue(result.min)} – ${formatValue(result.max)}], ${check}`;
}

/** Workloads timed in rounds; the memory workload and the accuracy tasks run once. */
function isThroughput(workload: string): boolean {
  return workload !== 'mem' && !ACCURACY_WORKLOADS.some((a) => a.workload === workload);
}

/**
 * The jobs in run order: `settings.rounds` rounds of the throughput
 * workloads, each round workload by workload with every column of a
 * workload back to back (so the columns a ratio compares run minutes
 * apart at most) and the columns' order rotated by one each round (no
 * library always runs first, on a machine just woken, or last), then the
 * memory workload and the accuracy tasks once.
 */
function orderJobs(columnsToRun: readonly Column[], settings: Settings, only: readonly string[] | null): Array<{ column: Column; workload: string; round: number }> {
  const workloads = [...new Set(columnsToRun.flatMap((column) => column.workloads))].filter((w) => selects(only, w));
  const pass = (round: number, which: (workload: string) => boolean) => workloads.filter(which).flatMap((workload) =>
    rotate(columnsToRun.filter((column) => column.workloads.includes(workload)), round - 1).map((column) => ({ column, workload, round })));
  const rounds = Array.from({ length: settings.rounds }, (_, r) => pass(r + 1, isThroughput)).flat();
  return [...rounds, ...pass(1, (workload) => !isThroughput(workload))];
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const settings = SETTINGS[options.mode];
  const started = performance.now();
  const loadAverage = os.loadavg();
  // Before any job: the clock probe wants a quiet core.
  const cpu = cpuFacts();
  prepareDigits(DIGITS_DIR);
  prepareReferences(DIGITS_DIR);
  const notes: string[] = [];
  const { backends: glassnetBackends, defaultBackend, fmaByFlag } = probeGlassnet(notes);
  const wanted = (column: Column | null): column is Column => column !== null
    && (options.libs === null || options.libs.some((lib) => column.id.toLowerCase().startsWith(lib)));
  const allColumns = columns(glassnetBackends, settings.gemmSizes, fmaByFlag).filter(wanted);
  // Importing torch takes seconds: only when a Python column runs.
  const torch = allColumns.some((column) => column.launcher.kind === 'python') ? torchMissing() : null;
  const accuracy = accuracyColumn(glassnetBackends);
  if (accuracy === null) notes.push('accuracy tasks skipped: none of their backends loaded');
  const jobs = orderJobs([...allColumns, ...[accuracy].filter(wanted)], settings, options.only);

  const parts = new Map<Column, Map<string, JobResult[]>>();
  jobs.forEach(({ column, workload, round }, i) => {
    const skip = settings.skip[column.id];
    const skipped = column.launcher.kind === 'python' && torch !== null ? torch : skip?.workloads.includes(workload) === true ? skip.reason : null;
    const byWorkload = parts.get(column) ?? new Map<string, JobResult[]>();
    parts.set(column, byWorkload);
    const earlier = byWorkload.get(workload) ?? [];
    byWorkload.set(workload, earlier);
    // A skip is the same in every round: say it once.
    if (skipped !== null && earlier.length > 0) return;
    const jobStart = performance.now();
    const result = skipped !== null ? { library: column.id, workload, skipped } : runJob(column, workload, options.mode, settings);
    earlier.push(result);
    const seconds = ((performance.now() - jobStart) / 1000).toFixed(1);
    const of = settings.rounds > 1 && isThroughput(workload) ? ` (round ${round}/${settings.rounds})` : '';
    console.error(`[${i + 1}/${jobs.length}] ${column.id} ${workload}${of}: ${describeResult(result)} (${seconds} s)`);
  });
  const results = [...parts.values()].flatMap((byWorkload) => [...byWorkload.values()].map(mergeRounds));
  // CSV loading is its own section: glassnet's reader beside numpy's loadtxt, each in fresh processes.
  const csvLoad = selects(options.only, 'csv') ? await measureCsvLoad({ rows: options.mode === 'quick' ? 50_000 : 200_000 }) : null;
  if (csvLoad !== null) console.error(`csv: glassnet ${csvLoad.glassnet.seconds.toFixed(2)} s, numpy ${csvLoad.numpy?.seconds.toFixed(2) ?? 'skipped'} s`);

  const report: BenchReport = {
    meta: {
      date: new Date().toISOString(),
      mode: options.mode,
      node: process.version,
      cpu: os.cpus()[0]?.model ?? 'unknown CPU',
      cpuFacts: cpu,
      cores: os.cpus().length,
      loadAverage,
      settings,
      wallSeconds: (performance.now() - started) / 1000,
    },
    columns: allColumns.map((c) => c.id),
    reference: `glassnet ${defaultBackend}`,
    multiThreaded: allColumns.filter((c) => c.multiThreaded).map((c) => c.id),
    roofline: allColumns.flatMap((c) => (c.roofline === null ? [] : [{ column: c.id, ...c.roofline }])),
    rows: rows(settings.gemmSizes),
    accuracyRows: ACCURACY_WORKLOADS.map(({ workload, title }) => ({ workload, title })),
    notes,
    results,
  };
  const markdown = renderMarkdown(report) + (csvLoad === null ? '' : `\n${csvLoadMarkdown(csvLoad)}`);
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(path.join(RESULTS_DIR, 'latest.json'), `${JSON.stringify({ ...report, ...(csvLoad === null ? {} : { csvLoad }) }, null, 2)}\n`);
  writeFileSync(path.join(RESULTS_DIR, 'latest.md'), markdown);
  console.log(markdown);
  const errors = results.filter((r) => 'error' in r).length;
  const failedChecks = results.filter((r) => isMeasured(r) && r.check.ok === false).length;
  console.error(`wrote ${path.join(RESULTS_DIR, 'latest.md')} and latest.json; ${errors} runner error(s), ${failedChecks} failed check(s)`);
  // A failed check is a finding to read in the table; a runner that crashed means the bench itself is broken.
  if (errors > 0) process.exitCode = 1;
}

await main();
