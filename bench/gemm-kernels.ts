/**
 * Quick local timings of the matmul kernels. Not the benchmark harness: a
 * developer tool for tuning `src/backend/`. The machine is shared, so each
 * figure is the best of `ROUNDS` rounds (the least disturbed). Run:
 *
 *   npx tsc bench/gemm-kernels.ts --outDir /tmp/gn-bench --module nodenext --target es2022 --skipLibCheck --strict
 *   echo '{"type":"module"}' > /tmp/gn-bench/package.json
 *   node /tmp/gn-bench/bench/gemm-kernels.js [n ...]   # B3 shapes: square n×n, GFLOP/s
 *   node /tmp/gn-bench/bench/gemm-kernels.js thin      # B2 mlp1's batch-1 products, µs per call
 *   node /tmp/gn-bench/bench/gemm-kernels.js b2        # B2 mlp's batch-64 products, µs per call
 *
 * `--only wasm,wasm-mt` (anywhere in the arguments) keeps only the named
 * backends.
 *
 * Square products take B3's operands and check (bench/lib/workloads.ts:
 * A and B uniform in [-1, 1), 64 sampled entries against float64 dot
 * products), after one warm-up call and rounds of >= 0.4 s. `wasm-mt` runs
 * on two threads (the caller and one worker).
 */
import { createWasmBackend, jsBackend, jsFastBackend, type Backend } from '../src/backend/index.js';
import { Random } from '../src/util/random.js';
import { checkGemm, gemmGflop, gemmOperands } from './lib/workloads.js';

const ROUNDS = 3;
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
const chosen = (backends: Backend[]): Backend[] => backends.filter((backend) => only === null || only.includes(backend.name));

if (args[0] === 'thin' || args[0] === 'b2') {
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
  const sizes = args.length > 0 ? args.map(Number) : [128, 256, 512, 1024];
  const backends = chosen([jsBackend, jsFastBackend, ...(wasm === null ? [] : [wasm]), ...(wasmMt?.name === 'wasm-mt' ? [wasmMt] : [])]);
  console.log(`backend   ${sizes.map((n) => `n=${n}`.padStart(10)).join('')}   (GFLOP/s, best of ${ROUNDS})`);
  for (const backend of backends) {
    const row: string[] = [];
    for (const n of sizes) {
      const { a, b } = gemmOperands(n);
      const out = new Float32Array(n * n);
      const rate = gemmGflop(n) / secondsPerCall(backend, [n, n, n, false, false], a, b, out);
      const check = checkGemm(out, a, b, n);
      if (!check.ok) throw new Error(`${backend.name} n=${n}: ${check.detail}`);
      row.push(rate.toFixed(2).padStart(10));
    }
    console.log(`${backend.name.padEnd(10)}${row.join('')}`);
  }
}
await wasmMt?.close();
