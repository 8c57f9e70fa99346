import { afterEach, describe, expect, it } from 'vitest';
import {
  createWasmBackend, getBackend, selectBestBackend, setBackend, wasmSimdSupported, type WasmBackend,
} from '../src/backend/index.js';
import { emitKernelModule } from '../src/backend/wasm/kernels.js';
import { Random } from '../src/util/random.js';
import { runBackendSuite } from './backend.suite.js';

// Node 20 and every current browser validate WebAssembly SIMD; if an
// engine does not, the first test says so and the rest cannot run.
const supported = wasmSimdSupported();

function make(options: Parameters<typeof createWasmBackend>[0] = {}): WasmBackend {
  const backend = createWasmBackend(options);
  if (backend === null) throw new Error('WebAssembly SIMD is not supported here');
  return backend;
}

describe('wasm feature probe', () => {
  it('validates the SIMD kernel module on this engine', () => {
    expect(supported).toBe(true);
  });

  it('every module variant stays under 4 KB, so browsers compile it synchronously on the main thread', () => {
    for (const relaxedMadd of [false, true]) {
      for (const rows of [1, 4, 5, 8]) expect(emitKernelModule({ relaxedMadd, rows }).length).toBeLessThan(4096);
    }
  });
});

describe.runIf(supported)('wasm backend', () => {
  runBackendSuite('wasm', () => make());
  // Every float32 product in wasm, so small and thin shapes reach the edge tiles.
  runBackendSuite('wasm (always SIMD)', () => make({ forceKernel: true }));

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
});
