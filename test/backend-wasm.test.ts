import { afterEach, describe, expect, it } from 'vitest';
import { closeWasmThreads, defaultWasmThreads, getBackend, selectBestBackend, setBackend, wasmSimdSupported, withWasmThreads, type WasmBackend } from '../src/backend/index.js';
import { createForcedWasmBackend } from '../src/backend/wasm.js';
import { emitElementwiseModule, emitKernelModule, MAX_MR } from '../src/backend/wasm/kernels.js';
import { PollPolicy } from '../src/backend/wasm/threads.js';
import { Random } from '../src/util/random.js';
import { runBackendSuite } from './backend.suite.js';
import { tracedPool, tracerGemm } from './helpers/wasm-tracer.js';

// Node 20 and every current browser validate WebAssembly SIMD; if an
// engine does not, the first test says so and the rest cannot run.
const supported = wasmSimdSupported();

function make(options: Parameters<typeof createForcedWasmBackend>[0] = {}): WasmBackend {
  const backend = createForcedWasmBackend(options);
  if (backend === null) throw new Error('WebAssembly SIMD is not supported here');
  return backend;
}

describe('wasm feature probe', () => {
  it('validates the SIMD kernel module on this engine', () => {
    expect(supported).toBe(true);
  });

  it('every module variant stays under 4 KB, so browsers compile it synchronously on the main thread', () => {
    for (const relaxedMadd of [false, true]) {
      for (const rows of [1, 4, 5, MAX_MR]) {
        expect(emitKernelModule({ relaxedMadd, rows }).length).toBeLessThan(4096);
        expect(emitKernelModule({ relaxedMadd, rows, sharedMaxPages: 65536 }).length).toBeLessThan(4096);
      }
    }
    expect(emitElementwiseModule().length).toBeLessThan(4096);
    expect(emitElementwiseModule(65536).length).toBeLessThan(4096);
  });

  it('validates the elementwise module, plain and shared', () => {
    expect(WebAssembly.validate(emitElementwiseModule())).toBe(true);
    expect(WebAssembly.validate(emitElementwiseModule(16384))).toBe(true);
  });
});

describe.runIf(supported)('wasm backend', () => {
  runBackendSuite('wasm', () => make());
  // Every float32 product in wasm, so small and thin shapes reach the edge tiles.
  runBackendSuite('wasm (always SIMD)', () => make({ forceKernel: true }), { smallWorkContract: false });
  // Three threads (two workers) on every packed product: shares of uneven row counts, edge tiles in every share.
  runBackendSuite('wasm-mt (always split)', () => make({ threads: 3, forceThreads: true }));
  runBackendSuite('wasm-mt (always split, always SIMD)', () => make({ threads: 3, forceThreads: true, forceKernel: true }), { smallWorkContract: false });

  afterEach(() => setBackend('js'));

  it('setBackend("wasm") and selectBestBackend() select it', () => {
    expect(setBackend('wasm')).toBe('wasm');
    expect(getBackend().name).toBe('wasm');
    setBackend('js');
    expect(selectBestBackend()).toBe('wasm');
    expect(getBackend().name).toBe('wasm');
  });

  it('steady-state calls do not grow memory; a larger product grows it once', () => {
    const backend = make();
    const random = new Random(11);
    const call = (m: number, k: number, n: number): void => {
      const a = Float32Array.from({ length: m * k }, () => random.uniform(-1, 1));
      const b = Float32Array.from({ length: k * n }, () => random.uniform(-1, 1));
      backend.matmul(new Float32Array(m * n), a, b, m, k, n, false, true, false);
    };
    call(64, 100, 48);
    const settled = backend.memoryBytes();
    for (let i = 0; i < 5; i++) call(64, 100, 48);
    call(30, 50, 20); // smaller: fits in what is there
    expect(backend.memoryBytes()).toBe(settled);
    call(256, 256, 256);
    const grown = backend.memoryBytes();
    expect(grown).toBeGreaterThan(settled);
    call(256, 256, 256);
    call(64, 100, 48);
    expect(backend.memoryBytes()).toBe(grown);
  });

  it('steady-state axpy and denseForward calls do not grow memory; larger ones grow it once', () => {
    const backend = make();
    const random = new Random(16);
    const floats = (length: number): Float32Array => Float32Array.from({ length }, () => random.uniform(-1, 1));
    const step = (rows: number, k: number, units: number, params: number): void => {
      const [net, out] = [new Float32Array(rows * units), new Float32Array(rows * units)];
      backend.denseForward(net, out, floats(rows * k), floats(units * k), floats(units), units, rows, k, units, 'relu', 0.01);
      backend.axpy(floats(params), floats(params), -0.1, params);
    };
    step(16, 100, 40, 4000);
    const settled = backend.memoryBytes();
    for (let i = 0; i < 3; i++) step(16, 100, 40, 4000);
    step(1, 100, 40, 200); // smaller: fits in what is there
    expect(backend.memoryBytes()).toBe(settled);
    step(64, 400, 300, 400_000);
    const grown = backend.memoryBytes();
    expect(grown).toBeGreaterThan(settled);
    step(64, 400, 300, 400_000);
    step(16, 100, 40, 4000);
    expect(backend.memoryBytes()).toBe(grown);
  });
});

describe.runIf(supported)('wasm-mt: threads', () => {
  afterEach(() => setBackend('js'));

  /** Random float32 operands for an `m×k · k×n` product. */
  function operands(random: Random, m: number, k: number, n: number): [Float32Array, Float32Array] {
    return [
      Float32Array.from({ length: m * k }, () => random.uniform(-1, 1)),
      Float32Array.from({ length: k * n }, () => random.uniform(-1, 1)),
    ];
  }

  it('starts workers where worker_threads exist, and setBackend("wasm-mt") selects it', async () => {
    const backend = make({ threads: 2 });
    expect(backend.name).toBe('wasm-mt');
    expect(backend.threads()).toBe(2);
    expect(setBackend('wasm-mt')).toBe(defaultWasmThreads() > 1 ? 'wasm-mt' : 'wasm');
    await backend.close();
  });

  // pollMs 0: every thread sleeps at once, so workers often wake after the caller took the last chunk and are left out.
  it.each([{ pollMs: undefined }, { pollMs: 0 }])('gives the same bits as one thread, for row counts that split unevenly and memory that grows between calls (polling %o)', async ({ pollMs }) => {
    const single = make();
    const threaded = make({ threads: 3, forceThreads: true, ...(pollMs === undefined ? {} : { pollMs }) });
    const random = new Random(14);
    const memory: number[] = [];
    // m = 97 is 20 row panels of 5 (25 of 4): chunks of 2 panels (3 at MR = 4) handed out to 3 threads;
    // 250×300×190 grows memory past what 97 rows used.
    for (const [m, k, n] of [[97, 64, 33], [7, 300, 40], [250, 300, 190], [11, 5, 9]] as const) {
      for (const [transA, transB, accumulate] of [[false, false, false], [true, true, true], [false, true, false]] as const) {
        const [a, b] = operands(random, m, k, n);
        const start = Float32Array.from({ length: m * n }, () => random.uniform(-1, 1));
        const [want, got] = [start.slice(), start.slice()];
        single.matmul(want, a, b, m, k, n, transA, transB, accumulate);
        threaded.matmul(got, a, b, m, k, n, transA, transB, accumulate);
        const bad = Array.from(got).flatMap((v, i) => (Object.is(v, want[i]) ? [] : [i])).slice(0, 5);
        expect(bad, `${m}x${k}x${n} transA=${transA} transB=${transB} accumulate=${accumulate}`).toEqual([]);
      }
      memory.push(threaded.memoryBytes());
    }
    // The workers saw memory the caller grew after they started.
    expect(memory[2]).toBeGreaterThan(memory[1]!);
    await threaded.close();
  });

  it.runIf(defaultWasmThreads() > 1)('closeWasmThreads() stops every pool started by name or by withWasmThreads, and a later request starts a new one', async () => {
    setBackend('wasm-mt');
    const first = getBackend() as WasmBackend;
    const three = withWasmThreads(3, () => getBackend() as WasmBackend);
    expect([first.threads(), three.threads()]).toEqual([defaultWasmThreads(), 3]);
    await closeWasmThreads();
    expect([first.threads(), three.threads()]).toEqual([1, 1]);
    // The active threaded backend gave way to one-thread wasm.
    expect(getBackend().name).toBe('wasm');
    expect(setBackend('wasm-mt')).toBe('wasm-mt');
    const again = getBackend() as WasmBackend;
    expect(again).not.toBe(first);
    expect(again.threads()).toBe(defaultWasmThreads());
    await closeWasmThreads();
    expect(again.threads()).toBe(1);
  });

  it.runIf(defaultWasmThreads() > 1)('a pool closed inside withWasmThreads is not put back when it ends: one-thread wasm takes its place', async () => {
    setBackend('wasm-mt');
    const pool = getBackend();
    let closing: Promise<void> | undefined;
    withWasmThreads(1, () => {
      closing = closeWasmThreads(); // as an epoch callback might
    });
    await closing;
    expect(getBackend()).not.toBe(pool);
    expect(getBackend().name).toBe('wasm');
    setBackend('js');
  });

  it('close() stops the workers and the backend keeps computing on the caller\'s thread', async () => {
    const backend = make({ threads: 2, forceThreads: true });
    const random = new Random(15);
    const [a, b] = operands(random, 40, 30, 20);
    const before = new Float32Array(40 * 20);
    backend.matmul(before, a, b, 40, 30, 20, false, false, false);
    await backend.close();
    await backend.close(); // harmless twice
    expect(backend.threads()).toBe(1);
    const after = new Float32Array(40 * 20);
    backend.matmul(after, a, b, 40, 30, 20, false, false, false);
    expect(Array.from(after)).toEqual(Array.from(before));
  });
});

describe('wasm-mt: when the threads poll', () => {
  // 2 ms of polling; a product posted at `at`, the caller's share done 0.2 ms later, the workers `wait` ms after that.
  const product = (policy: PollPolicy, at: number, wait: number): void => policy.observe(at, at + 0.2, at + 0.2 + wait);

  it('keeps polling through short waits and a single long one (a core taken away once)', () => {
    const policy = new PollPolicy(2000);
    for (let i = 0; i < 20; i++) product(policy, 10 * i, 0.1);
    product(policy, 200, 3);
    for (let i = 0; i < 7; i++) product(policy, 210 + 10 * i, 0.1);
    // The long wait has left the window of 8: another one alone does not count with it.
    product(policy, 300, 3);
    expect(policy.pollFor(310)).toBe(2000);
  });

  it('sleeps at once for 250 ms after 2 long waits among the last 8 products, then polls again', () => {
    const policy = new PollPolicy(2000);
    product(policy, 0, 3);
    product(policy, 10, 0.1);
    expect(policy.pollFor(20)).toBe(2000);
    product(policy, 20, 0.8); // 0.8 ms: over 0.5 ms and over the caller's 0.2 ms share
    const end = 20 + 0.2 + 0.8;
    expect(policy.pollFor(end + 1)).toBe(0);
    expect(policy.pollFor(end + 249)).toBe(0);
    expect(policy.pollFor(end + 250)).toBe(2000);
  });

  it('does not count a wait shorter than the caller\'s own share, however long', () => {
    const policy = new PollPolicy(2000);
    // The caller's share took 5 ms, the wait 3 ms: the workers were only a chunk behind.
    for (let i = 0; i < 8; i++) policy.observe(10 * i, 10 * i + 5, 10 * i + 8);
    expect(policy.pollFor(100)).toBe(2000);
  });
});

describe.runIf(supported)('wasm-mt: dynamic chunks', () => {
  it('every row of every chunk is computed exactly once, by one thread, with its chunk\'s panel of A', async () => {
    const { workers, gemmBlocked, heap } = tracedPool([tracerGemm()], 2);
    // Thread markers in the scratches (caller at 0, workers at 16 and 32); A's panels of 8 bytes at 1024 hold their index.
    const [aAt, cAt, ldc, m, panelRows] = [1024, 4096, 16, 97, 5];
    const markers = [1, 10, 100];
    const seen = new Set<number>();
    for (let round = 0; round < 20; round++) {
      heap.fill(0);
      markers.forEach((marker, t) => { heap[4 * t] = marker; });
      for (let p = 0; p < 20; p++) heap[(aAt >> 2) + 2 * p] = p;
      const args = [aAt, 0, cAt, m, 4, 1, 8, 0, ldc, 0, 0];
      const job = { args, columns: false, panelWidth: panelRows, raw: -1, rawRowStride: 0, rawDepthStride: 0, minChunk: 2, maxChunk: 4 };
      expect(workers.run(job, { gemmBlocked }, () => {})).toBe(true);
      // Chunks are runs of whole panels: each row sees its chunk's first panel, which starts the run.
      let chunkStart = 0;
      for (let row = 0; row < m; row++) {
        const at = (cAt + row * ldc) >> 2;
        const first = heap[at + 1]!;
        if (row % panelRows === 0 && first === row / panelRows) chunkStart = first;
        expect([heap[at], first], `row ${row}`).toEqual([1, chunkStart]);
        expect(row / panelRows - chunkStart, `row ${row}`).toBeLessThan(4);
        expect(markers).toContain(heap[at + 2]);
        seen.add(heap[at + 2]!);
      }
      // The row after the last is untouched.
      expect(heap[(cAt + m * ldc) >> 2]).toBe(0);
    }
    expect(seen.has(1)).toBe(true);
    await workers.close();
  });
});
