/**
 * What `npm run bench` measures: the columns (a library, or one glassnet
 * backend), the rows (workloads), the timing settings of each mode and
 * the target ratios.
 */
import path from 'node:path';
import { defaultWasmThreads } from '../../src/backend/wasm.js';
import type { Peak } from './cpu.js';
import { RUNNERS_DIR } from './paths.js';

export type Mode = 'full' | 'quick';

export interface Settings {
  /** Minimum length of one timed section, per workload kind. */
  seconds: { b1: number; mlp: number; mlp1: number; fit: number; mem: number; gemm: number };
  /** Timed sections per process. */
  reps: number;
  /**
   * Rounds of the throughput workloads (all but the memory workload and
   * the accuracy tasks): each round runs every column of a workload back to
   * back, workload after workload, each job in a fresh process, and a cell
   * reports the median of the sections of all its rounds. The 2 vCPUs here
   * are a shared virtual machine whose speed moved by up to 1.6× within
   * minutes, for every library at once: neighbours in time see the same
   * machine, and rounds spread each column over the whole run.
   */
  rounds: number;
  /** Epochs of glassnet's memory workload. */
  epochs: number;
  gemmSizes: readonly number[];
  /** A runner still going after this long is stopped and reported as timed out. */
  timeoutSeconds: number;
  /** Columns left out of the mode, with the reason shown in their cells. */
  skip: Readonly<Record<string, { workloads: readonly string[]; reason: string }>>;
  /**
   * The digits accuracy task: how many of the `mnist` package's digits it
   * loads (before the 80/20 split) and for how many epochs it trains.
   * `smoke` marks a run too short to be the accuracy figure.
   */
  digits: { samples: number; epochs: number; smoke: boolean };
}

export const SETTINGS: Record<Mode, Settings> = {
  // 3 rounds × 1 s covers B1's "~3 s of steps" and B2's "~2 s" of timed epochs, as the spec's
  // "medians of 3 fresh-process runs"; B3 asks >= 0.4 s per repetition.
  full: {
    seconds: { b1: 1, mlp: 1, mlp1: 1, fit: 1, mem: 1, gemm: 0.4 }, reps: 1, rounds: 3, epochs: 10, gemmSizes: [128, 256, 512, 1024], timeoutSeconds: 300, skip: {},
    // 15 epochs: chosen on a validation split of the training digits (bench/lib/accuracy.ts), never on the test set.
    digits: { samples: 10000, epochs: 15, smoke: false },
  },
  quick: {
    seconds: { b1: 0.25, mlp: 0.25, mlp1: 0.25, fit: 0.25, mem: 0.25, gemm: 0.15 },
    reps: 3,
    rounds: 1,
    epochs: 2,
    gemmSizes: [128, 512],
    timeoutSeconds: 120,
    // Building and compiling synaptic's 784-128-64-10 network alone takes ~20 s.
    skip: { synaptic: { workloads: ['mlp1'], reason: 'skipped in --quick (synaptic takes ~30 s to build this network)' } },
    digits: { samples: 2000, epochs: 2, smoke: true },
  },
};

/** Seconds per timed section of a workload; 0 for untimed ones (accuracy tasks). */
export function sectionSeconds(settings: Settings, workload: string): number {
  const seconds: Readonly<Record<string, number>> = settings.seconds;
  // B1's float64 row and every gemm size share their kind's section length.
  return seconds[workload.startsWith('gemm') ? 'gemm' : workload === 'b1f64' ? 'b1' : workload] ?? 0;
}

/**
 * How a column's runner is started: a Node script (with V8 flags before it,
 * for the FMA column), or PyTorch's with the threads its BLAS and intra-op
 * pool may use.
 */
export type Launcher = { kind: 'node'; script: string; nodeFlags?: readonly string[] } | { kind: 'python'; threads: 1 | 2 };

export interface Column {
  /** Key in results and the table header, e.g. `glassnet wasm`, `tfjs-cpu`. */
  id: string;
  /** Runs on more than one thread; every peer is pinned to one, so ratios and targets leave such columns out. */
  multiThreaded: boolean;
  launcher: Launcher;
  /** Passed as `--backend`. */
  backend: string | null;
  workloads: readonly string[];
  /** The peak its products are measured against in the roofline: the kind of SIMD its kernels use, times its threads; null for scalar code. */
  roofline: { peak: Peak; threads: number } | null;
}

/**
 * The opt-in column: glassnet's `wasm` backend in a Node started with
 * relaxed SIMD, so its GEMM fuses multiply-adds. Node 20 validates relaxed
 * SIMD only behind this V8 flag (Chrome and Node ≥ 22 have it by default),
 * and a library cannot turn an engine flag on for its users, so the column
 * is shown beside the others but no ratio or target ever reads it: the
 * headline column stays the default backend, fixed before the run.
 */
export const FMA_COLUMN = {
  id: 'glassnet wasm, relaxed-SIMD FMA (Node flag)',
  nodeFlags: ['--experimental-wasm-relaxed-simd'],
  note: 'glassnet wasm, relaxed-SIMD FMA (Node flag): the wasm backend in a Node started with --experimental-wasm-relaxed-simd, '
    + 'so its GEMM fuses multiply-adds (Chrome and Node ≥ 22 validate relaxed SIMD by default; Node 20 only behind the flag). '
    + 'Shown for reference only: no ratio or target reads it.',
} as const;

/** glassnet backends that split work across threads (`wasm-mt` uses up to every core). */
const MULTI_THREAD_BACKENDS: ReadonlySet<string> = new Set(['wasm-mt']);

function nodeRunner(name: string, nodeFlags?: readonly string[]): Launcher {
  const script = path.join(RUNNERS_DIR, `${name}.js`);
  return nodeFlags === undefined ? { kind: 'node', script } : { kind: 'node', script, nodeFlags };
}

/**
 * Every column, glassnet's backends first, in table order. B1 has a row
 * per dtype: `b1` in float32, the dtype tfjs and brain.js train in, and
 * `b1f64` for synaptic, which computes in JavaScript doubles.
 */
export function columns(glassnetBackends: readonly string[], gemmSizes: readonly number[], fmaByFlag = false): Column[] {
  const gemm = gemmSizes.map((n) => `gemm${n}`);
  const fma: Column[] = fmaByFlag ? [{
    id: FMA_COLUMN.id, multiThreaded: false, launcher: nodeRunner('glassnet', FMA_COLUMN.nodeFlags), backend: 'wasm', workloads: ['mlp', ...gemm],
    roofline: { peak: 'wasm128', threads: 1 },
  }] : [];
  return [
    ...glassnetBackends.map((backend): Column => ({
      id: `glassnet ${backend}`, multiThreaded: MULTI_THREAD_BACKENDS.has(backend), launcher: nodeRunner('glassnet'), backend,
      workloads: ['b1', 'b1f64', 'mlp', 'mlp1', 'fit', 'mem', ...gemm],
      roofline: backend.startsWith('wasm') ? { peak: 'wasm128', threads: MULTI_THREAD_BACKENDS.has(backend) ? defaultWasmThreads() : 1 } : null,
    })),
    ...fma,
    { id: 'tfjs-cpu', multiThreaded: false, launcher: nodeRunner('tfjs'), backend: 'cpu', workloads: ['b1', 'mlp', 'mlp1', ...gemm], roofline: null },
    {
      id: 'tfjs-wasm', multiThreaded: false, launcher: nodeRunner('tfjs'), backend: 'wasm', workloads: ['b1', 'mlp', 'mlp1', ...gemm],
      roofline: { peak: 'wasm128', threads: 1 },
    },
    { id: 'brain.js', multiThreaded: false, launcher: nodeRunner('brain'), backend: null, workloads: ['b1', 'mlp1'], roofline: null },
    { id: 'synaptic', multiThreaded: false, launcher: nodeRunner('synaptic'), backend: null, workloads: ['b1f64', 'mlp1'], roofline: null },
    {
      id: 'pytorch', multiThreaded: false, launcher: { kind: 'python', threads: 1 }, backend: null, workloads: ['b1', 'b1f64', 'mlp', 'mlp1', ...gemm],
      roofline: { peak: 'native', threads: 1 },
    },
    // Beside glassnet's threaded backend: the same library given both cores.
    {
      id: 'pytorch 2 threads', multiThreaded: true, launcher: { kind: 'python', threads: 2 }, backend: null, workloads: ['mlp', ...gemm],
      roofline: { peak: 'native', threads: 2 },
    },
  ];
}

/** `items` started at position `by` (mod its length), wrapping round. */
export function rotate<T>(items: readonly T[], by: number): T[] {
  const start = items.length === 0 ? 0 : by % items.length;
  return [...items.slice(start), ...items.slice(0, start)];
}

/** Table rows in order, with their labels. */
export function rows(gemmSizes: readonly number[]): Array<{ workload: string; title: string }> {
  return [
    { workload: 'b1', title: 'B1 seed 2-2-2, SGD steps/s (float32)' },
    { workload: 'b1f64', title: 'B1 seed 2-2-2, SGD steps/s (float64)' },
    { workload: 'mlp', title: 'B2 mlp batch 64, samples/s' },
    { workload: 'mlp1', title: 'B2 mlp1 batch 1, samples/s' },
    { workload: 'fit', title: 'B2 mlp via fit(), samples/s' },
    ...gemmSizes.map((n) => ({ workload: `gemm${n}`, title: `B3 gemm n=${n}, GFLOP/s` })),
  ];
}

/**
 * `--only` accepts benchmark names (b1, b2, b3), workload names (mlp, mlp1,
 * mem, gemm, gemm512..., iris, digits, autoencoder, article) or `accuracy`
 * for every accuracy task.
 */
export function selects(only: readonly string[] | null, workload: string): boolean {
  if (only === null) return true;
  return only.some((token) => token === workload
    || (token === 'b1' && workload === 'b1f64')
    || (token === 'b2' && ['mlp', 'mlp1', 'fit', 'mem'].includes(workload))
    || ((token === 'b3' || token === 'gemm') && workload.startsWith('gemm'))
    || (token === 'accuracy' && ACCURACY_WORKLOADS.some((a) => a.workload === workload)));
}

/**
 * The targets: a glassnet column ÷ a peer column on one row. The glassnet
 * column is fixed here, before any run: the default backend (what
 * `selectBestBackend()` picks, which the probe reports) unless a target
 * names another, never the best of several picked afterwards.
 */
export const TARGETS: ReadonlyArray<{ workload: string; peer: string; ratio: number; glassnet?: string; peerWorkload?: string }> = [
  { workload: 'b1f64', peer: 'synaptic', ratio: 2 },
  { workload: 'mlp', peer: 'tfjs-wasm', ratio: 4 },
  { workload: 'mlp', peer: 'pytorch', ratio: 0.5, glassnet: 'glassnet wasm-mt' },
  { workload: 'mlp1', peer: 'pytorch', ratio: 1 },
  // The convenience loop against the step loop it drives, in the same column.
  { workload: 'fit', peer: 'glassnet wasm', peerWorkload: 'mlp', ratio: 0.9 },
  { workload: 'gemm512', peer: 'tfjs-wasm', ratio: 1.5 },
  // Two threads against glassnet's own one.
  { workload: 'gemm512', peer: 'glassnet wasm', ratio: 1.8, glassnet: 'glassnet wasm-mt' },
];

/**
 * The accuracy tasks: glassnet only, each in a fresh process of
 * `runners/glassnet-accuracy.ts`, which reports the task's result (held-out
 * accuracy, or steps to converge) with its target and the seconds it took.
 * They get their own table.
 */
export const ACCURACY_WORKLOADS: ReadonlyArray<{ workload: string; title: string }> = [
  { workload: 'iris', title: 'Iris 4-16-3 tanh, Adam, held-out accuracy' },
  { workload: 'digits', title: 'Digits 784-512-256-10 ReLU + dropout, AdamW + cosine, held-out accuracy' },
  { workload: 'autoencoder', title: '8-3-8 auto-encoder (trainAutoencoder)' },
  { workload: 'article', title: "The article's 2-2-2 network until E < 1e-6" },
];

/** Backends to run the accuracy tasks on, fastest first; the first one that loaded is used. */
const ACCURACY_BACKENDS = ['wasm', 'js-fast', 'js'] as const;

/** The column that runs the accuracy tasks, or null when no preferred backend loaded. */
export function accuracyColumn(glassnetBackends: readonly string[]): Column | null {
  const backend = ACCURACY_BACKENDS.find((name) => glassnetBackends.includes(name));
  if (backend === undefined) return null;
  return {
    id: `glassnet ${backend}`, multiThreaded: MULTI_THREAD_BACKENDS.has(backend), launcher: nodeRunner('glassnet-accuracy'), backend,
    workloads: ACCURACY_WORKLOADS.map((a) => a.workload), roofline: null,
  };
}
