/**
 * Quick local timings of the matmul kernels. Not the benchmark harness: a
 * developer tool for tuning `src/backend/`. The machine is shared, so each
 * figure is the best of `ROUNDS` rounds (the least disturbed). Run:
 *
 *   npx tsc -p bench/tsconfig.json    # builds bench/results/build
 *   node bench/results/build/bench/gemm-kernels.js [n ...]   # B3 shapes: square n×n, GFLOP/s
 *   node bench/results/build/bench/gemm-kernels.js thin      # B2 mlp1's batch-1 products, µs per call
 *   node bench/results/build/bench/gemm-kernels.js b2        # B2 mlp's batch-64 products, µs per call
 *   node bench/results/build/bench/gemm-kernels.js micro     # the micro-kernel alone, in L1: GFLOP/s, cycles per depth step
 *
 * `--only wasm,wasm-mt` (anywhere in the arguments) keeps only the named
 * backends. Square products run in interleaved rounds against tfjs-wasm
 * (XNNPACK, one thread, as B3 runs it) and print the median per-round
 * ratio to the first column; `wasm-unfused` (the kernel without relaxed
 * SIMD, where the default has it) and `wasm-r1`..`wasm-r6` (unfused tile
 * heights) are there to be named. Under Node 20, add
 * `--experimental-wasm-relaxed-simd` after `node` for the fused kernel.
 * `--cpu` divides by the process's CPU time instead of the wall clock:
 * on a machine loaded by other jobs, the fair measure of a one-thread
 * kernel (a multi-threaded one would count every thread's time).
 *
 * Square products take B3's operands and check (bench/lib/workloads.ts:
 * A and B uniform in [-1, 1), 64 sampled entries against float64 dot
 * products), after one warm-up call and rounds of >= 0.4 s. `wasm-mt` runs
 * on two threads (the caller and one worker).
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { createWasmBackend, jsBackend, jsFastBackend, type Backend } from '../src/backend/index.js';
import { createForcedWasmBackend, TILE_ROWS } from '../src/backend/wasm.js';
import { Random } from '../src/util/random.js';
import { emitKernelModule } from '../src/backend/wasm/kernels.js';
import { measureClockGHz } from './lib/cpu.js';
import { checkGemm, gemmGflop, gemmOperands } from './lib/workloads.js';

const ROUNDS = 3;
/** Interleaved rounds of the square table: each contestant runs MIN_SECONDS / 2 per round. */
const SQUARE_ROUNDS = 7;
const MIN_SECONDS = 0.4;

/** One product's shape and flags: `[m, k, n, transA, transB]`. */
type Shape = [number, number, number, boolean, boolean];

/** Best seconds per call over the rounds, after one warm-up call. */
function secondsPerCall(backend: Backend, [m, k, n, transA, transB]: Shape, a: Float32Array, b: Float32Array, out: Float32Array): number {
  backend.matmul(out, a, b, m, k, n, transA, transB, false);
  let best = Infinity;
  for (let round = 0; round < ROUNDS; round++) {
    let calls = 0;
    const start = performance.now();
    let elapsed = 0;
    do {
      backend.matmul(out, a, b, m, k, n, transA, transB, false);
      calls++;
      elapsed = (performance.now() - start) / 1000;
    } while (elapsed < MIN_SECONDS);
    best = Math.min(best, elapsed / calls);
  }
  return best;
}

/**
 * The products of one batch-1 training step of B2's 784-128-64-10 MLP, as
 * the recorded ops issue them: forward `x·Wᵀ`, weight gradients `gᵀ·x`
 * (outer products, k = 1) and input gradients `g·W`.
 */
const MLP1_SHAPES: Shape[] = [
  [1, 784, 128, false, true], [1, 128, 64, false, true], [1, 64, 10, false, true],
  [10, 1, 64, true, false], [1, 10, 64, false, false], [64, 1, 128, true, false], [1, 64, 128, false, false],
  [128, 1, 784, true, false],
];

/** The products of one batch-64 training step of B2's MLP, as `TrainingPlan` issues them. */
const MLP_SHAPES: Shape[] = [
  [64, 784, 128, false, true], [64, 128, 64, false, true], [64, 64, 10, false, true],
  [10, 64, 64, true, false], [64, 10, 64, false, false], [64, 64, 128, true, false], [64, 64, 128, false, false],
  [128, 64, 784, true, false],
];

const random = new Random(3);
const uniform = (length: number): Float32Array => Float32Array.from({ length }, () => random.uniform(-1, 1));
const wasm = createWasmBackend();
const wasmMt = createWasmBackend({ threads: 2 });
const label = (backend: Backend): string => backend.name.padStart(10);
const args = process.argv.slice(2);
const onlyAt = args.indexOf('--only');
const only = onlyAt < 0 ? null : args.splice(onlyAt, 2)[1]!.split(',');
/** `--cpu`: rates per CPU-second of the process instead of per wall-clock second (a loaded machine; one-thread contestants only). */
const cpu = args.includes('--cpu');
if (cpu) args.splice(args.indexOf('--cpu'), 1);
const chosen = (backends: Backend[]): Backend[] => backends.filter((backend) => only === null || only.includes(backend.name));

if (args[0] === 'micro') {
  microKernelTable();
} else if (args[0] === 'thin' || args[0] === 'b2') {
  // Thin products are never split across threads, so wasm-mt only joins the b2 table.
  const threaded = args[0] === 'b2' && wasmMt?.name === 'wasm-mt' ? [wasmMt] : [];
  const backends = chosen([jsBackend, jsFastBackend, ...(wasm === null ? [] : [wasm]), ...threaded]);
  console.log(`${'shape'.padEnd(24)}${backends.map(label).join('')}   (µs per call, best of ${ROUNDS})`);
  const totals = backends.map(() => 0);
  for (const shape of args[0] === 'thin' ? MLP1_SHAPES : MLP_SHAPES) {
    const [m, k, n, transA, transB] = shape;
    const [a, b, out] = [uniform(m * k), uniform(k * n), new Float32Array(m * n)];
    const times = backends.map((backend) => secondsPerCall(backend, shape, a, b, out) * 1e6);
    times.forEach((t, i) => { totals[i]! += t; });
    console.log(`${`${m}×${k}×${n}${transA ? ' tA' : ''}${transB ? ' tB' : ''}`.padEnd(24)}${times.map((t) => t.toFixed(1).padStart(10)).join('')}`);
  }
  console.log(`${'one step'.padEnd(24)}${totals.map((t) => t.toFixed(1).padStart(10)).join('')}`);
} else {
  await squareTable(args.length > 0 ? args.map(Number) : [128, 256, 512, 1024]);
}

/**
 * B3's square products for every contestant, in interleaved rounds: each
 * round times every contestant once, back to back, so a ratio pairs
 * figures measured seconds apart on a shared machine. Prints the best rate
 * of each and the median over rounds of its ratio to the first column.
 */
async function squareTable(sizes: number[]): Promise<void> {
  const contestants = chosen2(await squareContestants());
  console.log(`${'n'.padEnd(6)}${contestants.map(({ name }) => name.padStart(12)).join('')}   (GFLOP/${cpu ? 'CPU-' : ''}s, best of ${SQUARE_ROUNDS} interleaved rounds; (×) median ratio to ${contestants[0]!.name})`);
  for (const n of sizes) {
    const { a, b } = gemmOperands(n);
    const rates = contestants.map(() => [] as number[]);
    for (const { name, product } of contestants) {
      const check = checkGemm(product(a, b, n), a, b, n);
      if (!check.ok) throw new Error(`${name} n=${n}: ${check.detail}`);
    }
    for (let round = 0; round < SQUARE_ROUNDS; round++) {
      contestants.forEach(({ product }, i) => {
        let calls = 0;
        const start = performance.now();
        const cpuStart = process.cpuUsage().user;
        do {
          product(a, b, n);
          calls++;
        } while (performance.now() - start < MIN_SECONDS * 500);
        const seconds = cpu ? (process.cpuUsage().user - cpuStart) / 1e6 : (performance.now() - start) / 1000;
        rates[i]!.push(gemmGflop(n) / (seconds / calls));
      });
    }
    const cells = rates.map((r, i) => {
      const ratios = r.map((rate, round) => rate / rates[0]![round]!).sort((x, y) => x - y);
      const ratio = i === 0 ? '' : ` (${ratios[ratios.length >> 1]!.toFixed(2)})`;
      return `${Math.max(...r).toFixed(1)}${ratio}`.padStart(12);
    });
    console.log(`${String(n).padEnd(6)}${cells.join('')}`);
  }
}
await wasmMt?.close();

/**
 * The micro-kernel alone, on operands that stay in L1 (a 4×256 panel of A,
 * a 256×8 panel of B, C read and written back each call): what its inner
 * loop reaches with no packing, blocking or memory traffic around it, in
 * GFLOP/s and in cycles per depth step at the measured clock, fused (where
 * the engine validates relaxed SIMD) and unfused. A depth step is 8 vector
 * multiply-adds: 16 instructions unfused (on Zen, two multiply and two add
 * pipes take them in 4 cycles), 8 fused (two FMA pipes, 4 cycles).
 */
function microKernelTable(): void {
  const depth = 256;
  const calls = 100_000;
  const clock = measureClockGHz();
  const variants = [false, true].filter((fused) => !fused || WebAssembly.validate(emitKernelModule({ relaxedMadd: true, rows: TILE_ROWS })));
  const memory = new WebAssembly.Memory({ initial: 1 });
  new Float32Array(memory.buffer).fill(1e-3, 256);
  const kernels = variants.map((fused) => {
    const module = new WebAssembly.Module(emitKernelModule({ relaxedMadd: fused, rows: TILE_ROWS }));
    return { fused, micro: (new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as MicroKernelExport).microKernel, rates: [] as number[] };
  });
  const [a, b, c] = [1024, 1024 + 4 * TILE_ROWS * depth, 1024 + 4 * (TILE_ROWS + 8) * depth];
  for (let round = 0; round < SQUARE_ROUNDS; round++) {
    for (const kernel of kernels) {
      const start = performance.now();
      for (let i = 0; i < calls; i++) kernel.micro(a, b, depth, c, 32, TILE_ROWS, 8, 1, 0);
      kernel.rates.push((2 * TILE_ROWS * 8 * depth * calls) / ((performance.now() - start) / 1000) / 1e9);
    }
  }
  console.log(`micro-kernel ${TILE_ROWS}×8, depth ${depth}, in L1; clock measured ${clock.toFixed(2)} GHz; best of ${SQUARE_ROUNDS} rounds`);
  for (const { fused, rates } of kernels) {
    const best = Math.max(...rates);
    const cycles = (clock * 1e9) / ((best * 1e9) / (2 * TILE_ROWS * 8));
    console.log(`${fused ? 'fused  ' : 'unfused'}  ${best.toFixed(1)} GFLOP/s, ${cycles.toFixed(1)} cycles per depth step, ${((100 * best) / (16 * clock)).toFixed(0)}% of 16 flops a cycle`);
  }
}

interface MicroKernelExport { microKernel(...args: number[]): void }

/** A B3 contestant: `product(a, b, n)` returns the n×n product (a view it may reuse). */
interface Contestant { name: string; product: (a: Float32Array, b: Float32Array, n: number) => ArrayLike<number> }

/** `--only` over contestants' names, or the default set: the wasm backends and tfjs-wasm. */
function chosen2(all: Contestant[]): Contestant[] {
  const picked = all.filter(({ name }) => (only === null ? !name.startsWith('js') && !name.startsWith('wasm-r') : only.includes(name)));
  if (picked.length === 0) throw new Error(`--only named none of ${all.map(({ name }) => name).join(', ')}`);
  return picked;
}

/** A glassnet backend as a contestant, with an output array per size. */
function glassnet(name: string, backend: Backend | null): Contestant[] {
  if (backend === null) return [];
  const outs = new Map<number, Float32Array>();
  return [{
    name,
    product(a, b, n) {
      let out = outs.get(n);
      if (out === undefined) outs.set(n, (out = new Float32Array(n * n)));
      backend.matmul(out, a, b, n, n, n, false, false, false);
      return out;
    },
  }];
}

/**
 * Every contestant: glassnet's backends (`wasm` is the default kernel; `wasm-unfused` the
 * fallback without relaxed SIMD, where the default has it; `wasm-r1`..`wasm-r6` the unfused
 * kernel with that tile height, for tuning) and tfjs-wasm on one thread, as B3 runs it.
 */
async function squareContestants(): Promise<Contestant[]> {
  const all = [
    ...glassnet('js', jsBackend), ...glassnet('js-fast', jsFastBackend), ...glassnet('wasm', wasm),
    ...(wasm?.relaxedSimd === true ? glassnet('wasm-unfused', createWasmBackend({ relaxedSimd: false })) : []),
    ...[1, 2, 3, 4, 5, 6].flatMap((rows) => glassnet(`wasm-r${rows}`, createForcedWasmBackend({ relaxedSimd: false, tileRows: rows }))),
    ...(wasmMt?.name === 'wasm-mt' ? glassnet('wasm-mt', wasmMt) : []),
  ];
  if (only === null || only.includes('tfjs-wasm')) all.push(await tfjsWasm());
  return all;
}

/** tfjs-wasm (XNNPACK) on one thread: `tf.matMul` then `dataSync()`, as bench/runners/tfjs.ts times B3. */
async function tfjsWasm(): Promise<Contestant> {
  const tf = await import('@tensorflow/tfjs-core');
  const tfWasm = await import('@tensorflow/tfjs-backend-wasm');
  const require = createRequire(import.meta.url);
  tfWasm.setWasmPaths(path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + path.sep);
  tfWasm.setThreadsCount(1);
  if (!(await tf.setBackend('wasm'))) throw new Error('tf.setBackend("wasm") failed');
  await tf.ready();
  const tensors = new Map<Float32Array, import('@tensorflow/tfjs-core').Tensor2D>();
  const tensor = (x: Float32Array, n: number): import('@tensorflow/tfjs-core').Tensor2D => {
    let t = tensors.get(x);
    if (t === undefined) tensors.set(x, (t = tf.tensor2d(x, [n, n])));
    return t;
  };
  return {
    name: 'tfjs-wasm',
    product(a, b, n) {
      const c = tf.matMul(tensor(a, n), tensor(b, n));
      const values = c.dataSync();
      c.dispose();
      return values;
    },
  };
}
