// The wasm backend's edges: a worker that fails and the chunk redone for
// it, the relaxed-SIMD (fused multiply-add) kernel in a Node process that
// has the feature, the fallbacks when a feature probe fails, and threads in
// fit and the CLI (bit for bit the results of one thread).
import { spawnSync } from 'node:child_process';
import { built } from './helpers/dist.js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  createWasmBackend, defaultWasmThreads, getBackend, setBackend, wasmSimdSupported, withWasmThreads,
} from '../src/backend/index.js';
import { FunctionEmitter, ValType } from '../src/backend/wasm/assembler.js';
import { Dense, Sequential, fit, tensor } from '../src/index.js';
import { Random } from '../src/util/random.js';
import { glassnet } from './helpers/cli.js';
import { tracedPool, tracerGemm } from './helpers/wasm-tracer.js';

const supported = wasmSimdSupported();
const { i32 } = ValType;

describe.runIf(supported)('wasm-mt: a worker that fails', () => {
  /**
   * A module whose `packA` records that it ran (float 1 at address 8) and
   * traps, and whose `gemmBlocked` traces its rows (see `tracerGemm`). The
   * workers run this module; the caller passes a JavaScript packA that
   * does nothing, so only workers fail.
   */
  function failingPackA(): FunctionEmitter {
    const packA = new FunctionEmitter('packA', Array.from({ length: 6 }, () => i32));
    packA.i32_const(8).f32_const(1).f32_store().unreachable();
    return packA;
  }

  it('the caller redoes the failed worker\'s chunk, every row is computed once, and run() reports the failure', async () => {
    const { memory, workers, gemmBlocked, heap } = tracedPool([failingPackA(), tracerGemm()], 1);
    const ints = new Int32Array(memory.buffer);
    const [aAt, cAt, ldc, m, panelRows] = [1024, 4096, 16, 41, 4];
    heap.fill(0);
    heap[0] = 7; // the caller's scratch marker; the worker's (at 16) is never read
    for (let p = 0; p < 11; p++) heap[(aAt >> 2) + 2 * p] = p;
    const job = { args: [aAt, 0, cAt, m, 4, 1, 8, 0, ldc, 0, 0], columns: false, panelWidth: panelRows, raw: 0, rawRowStride: 1, rawDepthStride: 1, minChunk: 2, maxChunk: 3 };
    // B is "packed" only once the worker has taken a chunk and trapped in packA, so it surely fails in this job.
    const packB = (): void => {
      while (Atomics.load(ints, 2) === 0) Atomics.wait(ints, 2, 0, 10);
    };
    let packedByCaller = 0;
    const ok = workers.run(job, { gemmBlocked, packA: () => { packedByCaller++; } }, packB);
    expect(ok).toBe(false);
    for (let row = 0; row < m; row++) {
      const at = (cAt + row * ldc) >> 2;
      expect([heap[at], heap[at + 2]], `row ${row}`).toEqual([1, 7]);
    }
    expect(heap[(cAt + m * ldc) >> 2]).toBe(0);
    // Every chunk was packed by the caller: its own, and the failed one again.
    expect(packedByCaller).toBeGreaterThanOrEqual(2);
    await workers.close();
  });
});

describe.runIf(supported)('wasm: feature probes that fail', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('without relaxed SIMD the unfused kernel runs, with the same results as relaxedSimd: false', () => {
    const validate = WebAssembly.validate.bind(WebAssembly);
    // Relaxed SIMD opcodes are 0xfd 0x8x 0x02 (LEB128 of 0x100 and up); the plain SIMD ones used here are below 0x100.
    vi.spyOn(WebAssembly, 'validate').mockImplementation((bytes) => !usesRelaxedSimd(bytes as Uint8Array) && validate(bytes));
    const probed = createWasmBackend()!;
    const asked = createWasmBackend({ relaxedSimd: false })!;
    expect(probed.relaxedSimd).toBe(false);
    const random = new Random(5);
    const [m, k, n] = [37, 70, 29];
    const a = Float32Array.from({ length: m * k }, () => random.uniform(-1, 1));
    const b = Float32Array.from({ length: k * n }, () => random.uniform(-1, 1));
    const [x, y] = [new Float32Array(m * n), new Float32Array(m * n)];
    probed.matmul(x, a, b, m, k, n, false, false, false);
    asked.matmul(y, a, b, m, k, n, false, false, false);
    expect(Array.from(x)).toEqual(Array.from(y));
  });
});

/** Whether a module's code uses an opcode from relaxed SIMD (0xfd prefix, opcode 0x100 to 0x113). */
function usesRelaxedSimd(bytes: Uint8Array): boolean {
  for (let i = 0; i + 2 < bytes.length; i++) {
    if (bytes[i] === 0xfd && (bytes[i + 1]! & 0x80) !== 0 && bytes[i + 2] === 0x02 && (bytes[i + 1]! & 0x7f) <= 0x13) return true;
  }
  return false;
}

const DIST = built('glassnet', 'index.js');
const DIST_BACKEND = built('glassnet', 'backend/index.js');

/**
 * Run in `node --experimental-wasm-relaxed-simd` (Node 20 ships relaxed
 * SIMD behind that flag): products of many shapes on the fused kernel,
 * each checked against float64 dot products with the backend suite's
 * bound, (k + 2)·u·Σ|terms|, which FMA (fewer roundings) keeps; the count
 * of entries whose bits differ from the unfused kernel (FMA rounds once
 * where mul + add rounds twice); two threads against one, bit for bit; and
 * the small-work contract (bits of the js reference below SMALL_MATMUL_WORK).
 */
const FMA_SCRIPT = `
import { Random } from ${JSON.stringify(DIST)};
import { createWasmBackend, jsBackend } from ${JSON.stringify(DIST_BACKEND)};
const fused = createWasmBackend();
const plain = createWasmBackend({ relaxedSimd: false });
const threaded = createWasmBackend({ threads: 2, forceThreads: true });
const random = new Random(9);
const out = { relaxed: fused.relaxedSimd, threadedRelaxed: threaded.relaxedSimd, threads: threaded.threads(), worst: 0, differ: 0, entries: 0, threadMismatch: 0, smallMismatch: 0 };
const shapes = [[4, 8, 8], [5, 9, 7], [29, 31, 37], [64, 64, 64], [33, 257, 9], [131, 263, 67], [97, 300, 40], [1, 784, 128], [128, 1, 784], [7, 7, 7], [6, 5, 8]];
for (const [m, k, n] of shapes) for (const [tA, tB, acc] of [[false, false, false], [true, true, true], [false, true, false], [true, false, true]]) {
  const a = Float32Array.from({ length: m * k }, () => random.uniform(-1, 1));
  const b = Float32Array.from({ length: k * n }, () => random.uniform(-1, 1));
  const start = Float32Array.from({ length: m * n }, () => random.uniform(-1, 1));
  const [f, p, t, r] = [start.slice(), start.slice(), start.slice(), start.slice()];
  fused.matmul(f, a, b, m, k, n, tA, tB, acc);
  plain.matmul(p, a, b, m, k, n, tA, tB, acc);
  threaded.matmul(t, a, b, m, k, n, tA, tB, acc);
  jsBackend.matmul(r, a, b, m, k, n, tA, tB, acc);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
    let want = acc ? start[i * n + j] : 0, size = Math.abs(want);
    for (let q = 0; q < k; q++) {
      const term = (tA ? a[q * m + i] : a[i * k + q]) * (tB ? b[j * k + q] : b[q * n + j]);
      want += term; size += Math.abs(term);
    }
    const x = i * n + j;
    out.worst = Math.max(out.worst, Math.abs(f[x] - want) / ((k + 2) * 2 ** -24 * size || 1));
    out.entries++;
    if (!Object.is(f[x], p[x])) out.differ++;
    if (!Object.is(f[x], t[x])) out.threadMismatch++;
    if (m * k * n < 512 && !Object.is(f[x], r[x])) out.smallMismatch++;
  }
}
await threaded.close();
console.log(JSON.stringify(out));
`;

describe.runIf(supported)('wasm: the relaxed-SIMD kernel in a Node process that has it', () => {
  it('fuses multiply-adds within the suite\'s bound, changes rounding above the small-work contract only, and splits across threads bit for bit', () => {
    const run = spawnSync(process.execPath, ['--experimental-wasm-relaxed-simd', '--input-type=module', '-e', FMA_SCRIPT], { encoding: 'utf8', timeout: 120_000 });
    expect(run.stderr).toBe('');
    const result = JSON.parse(run.stdout) as Record<string, number | boolean>;
    expect(result).toMatchObject({ relaxed: true, threadedRelaxed: true, threads: 2, threadMismatch: 0, smallMismatch: 0 });
    expect(result.worst).toBeLessThanOrEqual(1);
    // FMA rounds once where mul + add rounds twice: some entries must differ, or the fused kernel did not run.
    expect(result.differ).toBeGreaterThan(0);
    expect(result.entries).toBe(475_068); // every entry of every shape, in all four transpositions: none was skipped
  });
});

describe.runIf(supported)('threads in fit and the CLI', () => {
  afterEach(() => setBackend('js'));

  /** A float32 network large enough that a batch of 64 is split across threads (64 × 200·300 ≥ THREADED_MATMUL_WORK). */
  function trainOnce(threads: number | 'auto' | undefined, seen: Set<string>): Float32Array[] {
    setBackend('wasm');
    const model = new Sequential([
      new Dense(300, 200, { activation: 'relu', seed: 1, dtype: 'float32' }),
      new Dense(200, 10, { seed: 2, dtype: 'float32' }),
    ]);
    const random = new Random(3);
    const x = tensor(Array.from({ length: 256 }, () => Array.from({ length: 300 }, () => random.uniform(-1, 1))), { dtype: 'float32' });
    const y = tensor(Array.from({ length: 256 }, (_, i) => Array.from({ length: 10 }, (_, c) => (c === i % 10 ? 1 : 0))), { dtype: 'float32' });
    fit(model, x, y, {
      loss: 'softmaxCrossEntropy', lr: 0.05, epochs: 2, batchSize: 64, seed: 4, ...(threads === undefined ? {} : { threads }),
      onBatchEnd: () => { seen.add(`${getBackend().name}:${(getBackend() as { threads?: () => number }).threads?.() ?? 1}`); },
    });
    expect(getBackend().name).toBe('wasm');
    return model.parameters().map((p) => Float32Array.from(p.data));
  }

  it('fit gives the same bits on one thread, two threads and by default (auto), and puts the backend back', () => {
    const seen = [new Set<string>(), new Set<string>(), new Set<string>()];
    const one = trainOnce(1, seen[0]!);
    const two = trainOnce(2, seen[1]!);
    const auto = trainOnce(undefined, seen[2]!);
    expect([...seen[0]!]).toEqual(['wasm:1']);
    expect([...seen[1]!]).toEqual(['wasm-mt:2']);
    // 'auto' puts this batch on every core the default allows (one core: the one-thread backend as it was).
    expect([...seen[2]!]).toEqual([defaultWasmThreads() > 1 ? `wasm-mt:${defaultWasmThreads()}` : 'wasm:1']);
    for (const other of [two, auto]) {
      other.forEach((p, i) => {
        const bad = Array.from(p).flatMap((v, j) => (Object.is(v, one[i]![j]) ? [] : [j])).slice(0, 5);
        expect(bad, `parameter ${i}`).toEqual([]);
      });
    }
  });

  it('withWasmThreads leaves the js backends alone and restores the backend when the run throws', () => {
    setBackend('js');
    expect(withWasmThreads(2, () => getBackend().name)).toBe('js');
    setBackend('wasm');
    expect(() => withWasmThreads(2, () => { throw new Error('stop'); })).toThrow('stop');
    expect(getBackend().name).toBe('wasm');
  });

  it('fit refuses a thread count that is not an integer >= 1, before training', () => {
    const model = new Sequential([new Dense(2, 1, { seed: 1 })]);
    const before = model.parameters().map((p) => Array.from(p.data));
    expect(() => fit(model, [[0, 1]], [[1]], { threads: 0 })).toThrow(/options\.threads/);
    expect(model.parameters().map((p) => Array.from(p.data))).toEqual(before);
  });

  it('the CLI trains the same model with --threads 1 and --threads 2, and refuses bad --threads and --backend', () => {
    // 64 × 512·512 multiply-adds: the hidden product is split across threads.
    const common = ['train', 'gaussians:400', '--layers', '512,512', '--batch-size', '64', '--epochs', '2', '--seed', '3', '--json'];
    const one = glassnet(...common, '--threads', '1');
    const two = glassnet(...common, '--threads', '2', '--backend', 'wasm');
    expect(one.status, one.stderr).toBe(0);
    expect(two.status, two.stderr).toBe(0);
    const outcome = (text: string): unknown => ({ ...(JSON.parse(text) as object), seconds: 0 });
    expect(outcome(two.stdout)).toEqual(outcome(one.stdout));
    const badThreads = glassnet('train', 'xor', '--threads', '0');
    expect(badThreads.status).not.toBe(0);
    expect(badThreads.stderr).toMatch(/--threads/);
    const badBackend = glassnet('train', 'xor', '--backend', 'gpu');
    expect(badBackend.status).not.toBe(0);
    expect(badBackend.stderr).toMatch(/--backend: expected one of "js", "js-fast", "wasm", "wasm-mt", found "gpu"/);
  });
});

describe.runIf(supported)('wasm: no SIMD at all', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('without SIMD createWasmBackend() is null and setBackend falls back to js-fast', async () => {
    vi.spyOn(WebAssembly, 'validate').mockReturnValue(false);
    expect(wasmSimdSupported()).toBe(false);
    expect(createWasmBackend()).toBeNull();
    // A fresh copy of the module: this file's earlier tests built wasm backends, which setBackend keeps.
    vi.resetModules();
    const fresh = await import('../src/backend/index.js');
    expect(fresh.setBackend('wasm')).toBe('js-fast');
    expect(fresh.setBackend('wasm-mt')).toBe('js-fast');
    expect(fresh.selectBestBackend()).toBe('js-fast');
  });
});
