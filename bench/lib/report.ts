/** Renders collected runner results as the Markdown that goes into latest.md and the README. */
import type { CpuFacts, Peak } from './cpu.js';
import { gemmSize, type RunnerFailure, type RunnerResult } from './protocol.js';
import { TARGETS, type Settings } from './plan.js';
import { median } from './timing.js';
import { mlpSampleGflop } from './workloads.js';

/** A job the orchestrator did not run, with the reason shown in its cell. */
export interface Skipped {
  library: string;
  workload: string;
  skipped: string;
}

export type JobResult = RunnerResult | RunnerFailure | Skipped;

export interface BenchReport {
  meta: {
    date: string;
    mode: string;
    node: string;
    cpu: string;
    /** The CPU's flags, measured clock and peaks, for the roofline. */
    cpuFacts: CpuFacts;
    cores: number;
    loadAverage: number[];
    settings: Settings;
    wallSeconds: number;
  };
  columns: string[];
  /** The glassnet column behind every ratio that names no other: the default backend's, fixed before the run. */
  reference: string;
  /** Columns that run on more than one thread: shown, but left out of ratios and targets (every peer runs on one thread). */
  multiThreaded: string[];
  rows: Array<{ workload: string; title: string }>;
  accuracyRows: Array<{ workload: string; title: string }>;
  /** Columns whose products the roofline measures, with the peak each is held against. */
  roofline: Array<{ column: string; peak: Peak; threads: number }>;
  /** Facts to print under the tables, e.g. glassnet backends that did not load. */
  notes: string[];
  results: JobResult[];
}

export function isMeasured(result: JobResult | undefined): result is RunnerResult {
  return result !== undefined && 'median' in result;
}

/** Three significant digits; exponent form from 1000 up so columns stay narrow. */
export function formatValue(value: number): string {
  return value >= 1000 ? value.toExponential(2).replace('e+', 'e') : value.toPrecision(3);
}

function find(report: BenchReport, column: string, workload: string): JobResult | undefined {
  return report.results.find((r) => r.library === column && r.workload === workload);
}

/** The reference glassnet column's result on a row. */
function referenceResult(report: BenchReport, workload: string): RunnerResult | undefined {
  const result = find(report, report.reference, workload);
  return isMeasured(result) ? result : undefined;
}

/**
 * glassnet ÷ peer. With one section per round on both sides (the full
 * run), the median of the rounds' own ratios: the two processes of a
 * round ran seconds apart, so a drift of the machine's speed between
 * rounds cancels. Otherwise the ratio of the medians.
 */
export function ratioOf(best: RunnerResult, peer: RunnerResult): number {
  const rounds = best.processes ?? 1;
  const paired = rounds > 1 && (peer.processes ?? 1) === rounds && best.samples.length === rounds && peer.samples.length === rounds;
  return paired ? median(best.samples.map((sample, round) => sample / peer.samples[round]!)) : best.median / peer.median;
}

/** Two significant digits, without exponent notation for large ratios. */
function formatRatio(ratio: number): string {
  return `${ratio >= 100 ? ratio.toFixed(0) : ratio.toPrecision(2)}×`;
}

/**
 * A PyTorch column whose runner found no optimized BLAS loaded (the
 * reference `libblas`): its figures are not what PyTorch's users get, so
 * its cells say so.
 */
function unoptimizedBlas(result: RunnerResult): boolean {
  return result.config.optimizedBlas === 'no';
}

function cell(result: JobResult | undefined, reference: RunnerResult | undefined, multiThreaded: boolean): string {
  if (result === undefined) return '';
  if ('skipped' in result) return result.skipped;
  if ('error' in result) return `error: ${result.error.split('\n')[0]!.slice(0, 60)}`;
  const mark = `${result.check.ok === false ? ' ✗' : ''}${unoptimizedBlas(result) ? ' ⚠ reference BLAS' : ''}`;
  const ratio = reference !== undefined && !result.library.startsWith('glassnet') && !multiThreaded ? ` (${formatRatio(ratioOf(reference, result))})` : '';
  return `${formatValue(result.median)}${mark}${ratio}`;
}

function targetNote(report: BenchReport, workload: string): string {
  return TARGETS.filter((t) => t.workload === workload).map((t) => {
    const glassnet = find(report, t.glassnet ?? report.reference, workload);
    const peer = find(report, t.peer, t.peerWorkload ?? workload);
    const peerName = t.peerWorkload === undefined ? t.peer : `${t.peer} ${t.peerWorkload}`;
    if (!isMeasured(glassnet) || !isMeasured(peer)) return `≥ ${t.ratio}× ${peerName}: n/a`;
    const ratio = ratioOf(glassnet, peer);
    return `${glassnet.library} ≥ ${t.ratio}× ${peerName}: ${formatRatio(ratio)} ${ratio >= t.ratio ? 'PASS' : 'FAIL'}`;
  }).join('; ');
}

/** Peak RSS of every column's B2 process, the memory each library needs for the same training. */
function peakMemoryRow(report: BenchReport): string[][] {
  const results = report.columns.map((c) => find(report, c, 'mlp'));
  if (!results.some(isMeasured)) return [];
  return [['B2 mlp peak RSS, MB (lower is better)', ...results.map((r) => (isMeasured(r) ? r.rssPeakMB.toFixed(0) : '')), '']];
}

function table(header: readonly string[], body: ReadonlyArray<readonly string[]>): string[] {
  const escape = (s: string): string => s.replace(/\|/g, '\\|');
  return [
    `| ${header.map(escape).join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...body.map((r) => `| ${r.map(escape).join(' | ')} |`),
  ];
}

function throughputTable(report: BenchReport): string[] {
  const present = report.rows.filter((row) => report.columns.some((c) => find(report, c, row.workload) !== undefined));
  return table(
    ['workload', ...report.columns, `target (glassnet ÷ peer; the glassnet column is ${report.reference} unless named)`],
    [
      ...present.map((row) => {
        const reference = referenceResult(report, row.workload);
        return [
          row.title,
          ...report.columns.map((c) => cell(find(report, c, row.workload), reference, report.multiThreaded.includes(c))),
          targetNote(report, row.workload),
        ];
      }),
      ...peakMemoryRow(report),
    ],
  );
}

function memoryTable(report: BenchReport): string[] {
  const runs = report.results.filter((r): r is RunnerResult => isMeasured(r) && r.workload === 'mem');
  if (runs.length === 0) return [];
  const mb = (values: unknown, at: 'first' | 'last'): string => {
    const list = values as number[];
    return list[at === 'first' ? 0 : list.length - 1]!.toFixed(1);
  };
  return [
    '',
    '### Memory while training B2 with `fit()` (glassnet; MB after a forced GC at the end of each epoch)',
    '',
    ...table(
      ['column', 'epochs', 'RSS after epoch 1', 'RSS after last', 'RSS growth', 'JS heap + ArrayBuffers after epoch 1', 'after last', 'growth', 'flat?'],
      runs.map((r) => [
        r.library, String((r.extra?.rssMB as number[]).length),
        mb(r.extra?.rssMB, 'first'), mb(r.extra?.rssMB, 'last'), (r.extra?.rssGrowthMB as number).toFixed(1),
        mb(r.extra?.jsMB, 'first'), mb(r.extra?.jsMB, 'last'), (r.extra?.jsGrowthMB as number).toFixed(2),
        r.check.ok === true ? 'yes' : 'NO',
      ]),
    ),
  ];
}

/** Verdict of an accuracy task: its target met, missed, or a check that does not apply. */
function verdict(result: RunnerResult): string {
  return result.check.ok === null ? 'n/a' : result.check.ok ? 'yes' : 'NO';
}

/** GFLOP per unit of a roofline row's rate: B2 counts samples, gemm is timed in GFLOP/s already. */
function gflopPerUnit(workload: string): number {
  return gemmSize(workload) === null ? mlpSampleGflop() : 1;
}

/**
 * Each SIMD column's products as a fraction of what its threads' cores
 * can do at the measured clock: 128-bit wasm SIMD against 16 flops a
 * cycle, native code against its vector width (see bench/lib/cpu.ts).
 * A cell whose check failed carries the throughput table's ✗.
 */
function rooflineTable(report: BenchReport): string[] {
  const { cpuFacts } = report.meta;
  const workloads = ['mlp', ...report.rows.map((row) => row.workload).filter((w) => gemmSize(w) !== null)]
    .filter((w) => report.roofline.some(({ column }) => isMeasured(find(report, column, w))));
  const title = (w: string): string => (w === 'mlp' ? `B2 step (${(mlpSampleGflop() * 1e6).toFixed(0)} kFLOP a sample)` : `gemm n=${gemmSize(w)}`);
  const body = report.roofline.flatMap(({ column, peak, threads }) => {
    const peakGflops = cpuFacts.flopsPerCycle[peak] * cpuFacts.clockGHz * threads;
    const cells = workloads.map((workload) => {
      const result = find(report, column, workload);
      if (!isMeasured(result)) return '';
      const gflops = result.median * gflopPerUnit(workload);
      return `${formatValue(gflops)} (${((100 * gflops) / peakGflops).toFixed(0)}%)${result.check.ok === false ? ' ✗' : ''}`;
    });
    return cells.every((c) => c === '') ? [] : [[column, `${peak === 'wasm128' ? '128-bit wasm SIMD' : 'native'} × ${threads}: ${formatValue(peakGflops)}`, ...cells]];
  });
  if (body.length === 0) return [];
  return [
    '',
    `### Roofline: GFLOP/s of the products, and the fraction of the peak (${cpuFacts.model}; ${cpuFacts.flags.join(', ') || 'no AVX flags'}; clock measured ${cpuFacts.clockGHz.toFixed(2)} GHz)`,
    '',
    ...table(['column', 'peak GFLOP/s (flops a cycle × clock × threads)', ...workloads.map(title)], body),
  ];
}

/** One row per accuracy task, from the `extra` cells its runner filled in. */
function accuracyTable(report: BenchReport): string[] {
  const rows = report.accuracyRows.flatMap((row) => report.results
    .filter((r) => r.workload === row.workload)
    .map((r): string[] => {
      if (!isMeasured(r)) return [row.title, r.library, 'skipped' in r ? r.skipped : `error: ${r.error.split('\n')[0]!.slice(0, 60)}`, '', '', '', ''];
      const extra = r.extra ?? {};
      return [row.title, r.library, String(extra.result), String(extra.target), verdict(r), (extra.seconds as number).toFixed(1), String(extra.run)];
    }));
  if (rows.length === 0) return [];
  return [
    '',
    '### Accuracy and convergence (glassnet; each task in a fresh process)',
    '',
    ...table(['task', 'column', 'result', 'target', 'met?', 'training s', 'run'], rows),
  ];
}

function detailTable(report: BenchReport): string[] {
  return table(
    ['column', 'workload', 'median', 'min – max', 'unit', 'check', 'peak RSS MB', 'check detail'],
    report.results.map((r) => {
      if (!isMeasured(r)) return [r.library, r.workload, '', '', '', 'skipped' in r ? 'skipped' : 'error', '', 'skipped' in r ? r.skipped : r.error.split('\n')[0]!];
      const check = r.check.ok === null ? 'n/a' : r.check.ok ? 'ok' : 'FAIL';
      return [r.library, r.workload, formatValue(r.median), `${formatValue(r.min)} – ${formatValue(r.max)}`, r.unit, check, r.rssPeakMB.toFixed(0), r.check.detail];
    }),
  );
}

/** How each column was set up, from the `config` its throughput runs reported (accuracy recipes are in latest.json and docs/benchmarks.md). */
function setupLines(report: BenchReport): string[] {
  const accuracy = new Set(report.accuracyRows.map((row) => row.workload));
  return report.columns.flatMap((column) => {
    const values = new Map<string, Set<string>>();
    for (const r of report.results) {
      if (!isMeasured(r) || r.library !== column || accuracy.has(r.workload)) continue;
      for (const [key, value] of Object.entries(r.config)) values.set(key, (values.get(key) ?? new Set()).add(value));
    }
    if (values.size === 0) return [];
    return [`- **${column}**: ${[...values].map(([key, set]) => `${key} ${[...set].join(' / ')}`).join('; ')}`];
  });
}

function multiThreadNote(report: BenchReport): string {
  if (report.multiThreaded.length === 0) return '';
  const one = report.multiThreaded.length === 1;
  return ` ${report.multiThreaded.join(', ')} ${one ? 'uses' : 'use'} more than one thread (see Setup), so the ratios in cells leave ${one ? 'it' : 'them'} out;`
    + ' a target for more than one thread names its column.';
}

/** How a throughput cell was measured, for the header. */
function cellsAre(settings: Settings): string {
  const { reps, rounds } = settings;
  const sections = `${reps * rounds} timed section${reps * rounds === 1 ? '' : 's'}`;
  return rounds === 1
    ? `Every cell is the median of ${sections} in a fresh process;`
    : `Every throughput cell is the median of ${sections} from ${rounds} fresh processes, run in ${rounds} rounds (each round runs every column of a workload back to back), and a ratio is the median of the ${rounds} rounds' ratios;`;
}

export function renderMarkdown(report: BenchReport): string {
  const { meta } = report;
  return [
    `## Benchmarks (${meta.mode} run)`,
    '',
    `${meta.date}; Node ${meta.node}; ${meta.cpu} × ${meta.cores}; load average at start ${meta.loadAverage.map((l) => l.toFixed(2)).join(' ')}; `
      + `${meta.wallSeconds.toFixed(0)} s wall. ${cellsAre(meta.settings)} `
      + `higher is better. In single-thread peer cells, (r×) is ${report.reference} (the default backend, fixed before the run) divided by that peer: `
      + `above 1 glassnet is faster.${multiThreadNote(report)} ✗ marks a failed check (see details); ⚠ a PyTorch column that did not run on an optimized BLAS.`,
    '',
    ...throughputTable(report),
    ...rooflineTable(report),
    ...memoryTable(report),
    ...accuracyTable(report),
    '',
    '### Setup',
    '',
    ...setupLines(report),
    ...report.notes.map((n) => `- ${n}`),
    '',
    '### Every process: spread, checks and peak memory',
    '',
    ...detailTable(report),
    '',
  ].join('\n');
}
