/**
 * Quick local GFLOP/s of the matmul kernels (B3 gemm shapes: square n×n,
 * float32, A and B uniform in [-1, 1)). Not the benchmark harness: a
 * developer tool for tuning `src/backend/`. Each figure is the best of
 * `ROUNDS` rounds of >= 0.4 s; the machine is shared, so the best is the
 * least disturbed. Run:
 *
 *   npx tsc bench/gemm-kernels.ts --outDir /tmp/gn-bench --module nodenext --target es2022 --skipLibCheck
 *   node /tmp/gn-bench/bench/gemm-kernels.js [n ...]
 */
import { createWasmBackend, jsBackend, jsFastBackend, type Backend } from '../src/backend/index.js';
import { Random } from '../src/util/random.js';

const ROUNDS = 3;
const MIN_SECONDS = 0.4;

function gflops(backend: Backend, n: number, a: Float32Array, b: Float32Array, out: Float32Array): number {
  backend.matmul(out, a, b, n, n, n, false, false, false); // warm-up
  let best = Infinity;
  for (let round = 0; round < ROUNDS; round++) {
    let calls = 0;
    const start = performance.now();
    let elapsed = 0;
    do {
      backend.matmul(out, a, b, n, n, n, false, false, false);
      calls++;
      elapsed = (performance.now() - start) / 1000;
    } while (elapsed < MIN_SECONDS);
    best = Math.min(best, elapsed / calls);
  }
  return (2 * n ** 3) / best / 1e9;
}

/** Largest relative error over 64 sampled entries against float64 dot products. */
function sampledError(n: number, a: Float32Array, b: Float32Array, out: Float32Array, random: Random): number {
  let worst = 0;
  for (let s = 0; s < 64; s++) {
    const i = random.int(n);
    const j = random.int(n);
    let dot = 0;
    let scale = 0;
    for (let p = 0; p < n; p++) {
      dot += a[i * n + p]! * b[p * n + j]!;
      scale += Math.abs(a[i * n + p]! * b[p * n + j]!);
    }
    worst = Math.max(worst, Math.abs(out[i * n + j]! - dot) / scale);
  }
  return worst;
}

const sizes = process.argv.slice(2).map(Number);
const wasm = createWasmBackend();
const backends: Backend[] = [jsBackend, jsFastBackend, ...(wasm === null ? [] : [wasm])];
const random = new Random(3);
console.log(`backend   ${(sizes.length > 0 ? sizes : [128, 256, 512, 1024]).map((n) => `n=${n}`.padStart(10)).join('')}   (GFLOP/s, best of ${ROUNDS})`);
for (const backend of backends) {
  const row: string[] = [];
  for (const n of sizes.length > 0 ? sizes : [128, 256, 512, 1024]) {
    const a = Float32Array.from({ length: n * n }, () => random.uniform(-1, 1));
    const b = Float32Array.from({ length: n * n }, () => random.uniform(-1, 1));
    const out = new Float32Array(n * n);
    const rate = gflops(backend, n, a, b, out);
    const error = sampledError(n, a, b, out, random);
    if (!(error < 1e-3)) throw new Error(`${backend.name} n=${n}: sampled relative error ${error}`);
    row.push(rate.toFixed(2).padStart(10));
  }
  console.log(`${backend.name.padEnd(10)}${row.join('')}`);
}
