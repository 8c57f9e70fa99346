import type { Backend, FloatArray } from './backend.js';
import { jsFastBackend } from './js-fast.js';
import { EDGE_TILE_BYTES, emitKernelModule, NR } from './wasm/kernels.js';

/**
 * The `'wasm'` backend: float32 matmul in a WebAssembly SIMD module that
 * this package emits itself (see `wasm/kernels.ts`), everything else from
 * `'js-fast'`. Float64 products also go to js-fast: wasm SIMD has only
 * 2-lane f64, and float64 is the exact-reference path anyway.
 *
 * Operands are copied into the module's linear memory and packed there.
 * One scratch layout is reused by every call; memory grows only when a
 * larger product than any before is seen, so steady-state calls (the same
 * shapes every training step) neither grow memory nor allocate buffers.
 * A multi-threaded version would give each worker a range of row blocks
 * (the `i0` loop below) over a shared memory; nothing here assumes one thread.
 */

/**
 * Register-tile heights, measured on x64 (Emerald Rapids, V8 11.3): with
 * separate multiply and add, 5×8 (14 xmm registers live) is fastest;
 * 6×8 needs 16 and spills. With fused multiply-add, 4×8 is fastest.
 */
const ROWS_UNFUSED = 5;
const ROWS_FUSED = 4;
/** Depth of one k-block: a kc×NR panel of B (8 KB) stays in L1 while A's row panels stream by. */
const KC = 256;
/** Row panels of A per block: a 12·MR×KC block of A (≤ 60 KB) stays in L2. */
const PANELS_PER_BLOCK = 12;
/**
 * Below this many multiply-adds the copies and calls cost more than SIMD
 * saves. Measured (`transB`, float32): at 4×4×4 wasm and js tie (1.2 µs vs
 * 0.6–1.1 µs); at 8×8×8 wasm takes 0.85 µs against js-fast's 1.7 µs.
 */
const MIN_WASM_WORK = 8 * 8 * 8;
const PAGE_BYTES = 65536;

interface KernelExports {
  packA(dst: number, src: number, rows: number, depth: number, rowStride: number, depthStride: number): void;
  packB(dst: number, src: number, rows: number, depth: number, rowStride: number, depthStride: number): void;
  gemm(aPack: number, bPack: number, c: number, m: number, n: number, kc: number,
    aPanelBytes: number, bPanelBytes: number, ldcBytes: number, load: number): void;
}

/** Options for {@link createWasmBackend}. */
export interface WasmBackendOptions {
  /**
   * Use relaxed SIMD's fused multiply-add when the engine validates it
   * (Chrome ≥ 114; Node 20 only behind a flag). Default `true`. Results
   * then differ from the unfused kernel by float32 rounding only.
   */
  readonly relaxedSimd?: boolean;
  /** Send every float32 product to wasm, even tiny ones: tests use it to reach the edge tiles. */
  readonly forceKernel?: boolean;
}

/** A wasm backend plus what tests and benchmarks need to watch it. */
export interface WasmBackend extends Backend {
  /** Current size of the module's linear memory, in bytes. */
  memoryBytes(): number;
  /** Whether the inner loop uses relaxed SIMD's fused multiply-add. */
  readonly relaxedSimd: boolean;
}

let simdModule: Uint8Array<ArrayBuffer> | null = null;

/** `true` when this engine validates the (unfused) SIMD kernel module: the start-up feature probe. */
export function wasmSimdSupported(): boolean {
  if (typeof WebAssembly !== 'object' || typeof WebAssembly.validate !== 'function') return false;
  simdModule ??= emitKernelModule({ relaxedMadd: false, rows: ROWS_UNFUSED });
  return WebAssembly.validate(simdModule);
}

/**
 * Compiles and instantiates the kernels (synchronously: the module is
 * about 2.6 KB, under browsers' 4 KB limit for synchronous compilation on
 * the main thread). Returns `null` when SIMD is unsupported.
 */
export function createWasmBackend(options: WasmBackendOptions = {}): WasmBackend | null {
  if (!wasmSimdSupported()) return null;
  const relaxed = (options.relaxedSimd ?? true) ? emitKernelModule({ relaxedMadd: true, rows: ROWS_FUSED }) : null;
  const relaxedSimd = relaxed !== null && WebAssembly.validate(relaxed);
  const memory = new WebAssembly.Memory({ initial: 1 });
  const instance = new WebAssembly.Instance(new WebAssembly.Module(relaxedSimd ? relaxed! : simdModule!), { env: { memory } });
  const gemm = new WasmGemm(memory, instance.exports as unknown as KernelExports, relaxedSimd ? ROWS_FUSED : ROWS_UNFUSED);
  // Empty products (a zero dimension) stay in JS even when forced: there is nothing to pack.
  const minWork = options.forceKernel === true ? 1 : MIN_WASM_WORK;
  return {
    ...jsFastBackend,
    name: 'wasm',
    relaxedSimd,
    memoryBytes: () => memory.buffer.byteLength,
    matmul(out, a, b, m, k, n, transA, transB, accumulate) {
      if (!isF32(out) || !isF32(a) || !isF32(b) || m * k * n < minWork || !gemm.fits(m, k, n)) {
        jsFastBackend.matmul(out, a, b, m, k, n, transA, transB, accumulate);
      } else gemm.run(out, a, b, m, k, n, transA, transB, accumulate);
    },
  };
}

function isF32(x: FloatArray): x is Float32Array {
  return x instanceof Float32Array;
}

/** Byte offsets of one call's operands in linear memory, each 16-byte aligned. */
interface Layout { rawA: number; rawB: number; packA: number; packB: number; c: number; end: number }

function layout(m: number, k: number, n: number, mr: number): Layout {
  const align = (bytes: number): number => Math.ceil(bytes / 16) * 16;
  const rawA = align(EDGE_TILE_BYTES);
  const rawB = rawA + align(m * k * 4);
  const packA = rawB + align(k * n * 4);
  const packB = packA + Math.ceil(m / mr) * mr * k * 4;
  const c = packB + Math.ceil(n / NR) * NR * k * 4;
  return { rawA, rawB, packA, packB, c, end: c + m * n * 4 };
}

class WasmGemm {
  private heap: Float32Array;

  constructor(private readonly memory: WebAssembly.Memory, private readonly kernels: KernelExports, private readonly mr: number) {
    this.heap = new Float32Array(memory.buffer);
  }

  /** Makes room for an `m×k · k×n` product; `false` if memory cannot grow that far (the caller falls back). */
  fits(m: number, k: number, n: number): boolean {
    const needed = layout(m, k, n, this.mr).end;
    const have = this.memory.buffer.byteLength;
    if (needed <= have) return true;
    try {
      this.memory.grow(Math.ceil((needed - have) / PAGE_BYTES));
    } catch {
      return false;
    }
    // Growing detaches the old buffer, so the view must be rebuilt.
    this.heap = new Float32Array(this.memory.buffer);
    return true;
  }

  run(
    out: Float32Array, a: Float32Array, b: Float32Array,
    m: number, k: number, n: number,
    transA: boolean, transB: boolean, accumulate: boolean,
  ): void {
    const { heap, kernels, mr } = this;
    const at = layout(m, k, n, mr);
    heap.set(prefix(a, m * k), at.rawA >> 2);
    heap.set(prefix(b, k * n), at.rawB >> 2);
    if (accumulate) heap.set(prefix(out, m * n), at.c >> 2);
    // op(A) as rows, op(B)ᵀ as rows: the transpose flags become strides.
    kernels.packA(at.packA, at.rawA, m, k, transA ? 1 : k, transA ? m : 1);
    kernels.packB(at.packB, at.rawB, n, k, transB ? k : 1, transB ? 1 : n);
    const aPanelBytes = mr * k * 4;
    const bPanelBytes = NR * k * 4;
    const blockRows = PANELS_PER_BLOCK * mr;
    for (let p0 = 0; p0 < k; p0 += KC) {
      const kc = Math.min(KC, k - p0);
      const load = accumulate || p0 > 0 ? 1 : 0;
      for (let i0 = 0; i0 < m; i0 += blockRows) {
        kernels.gemm(
          at.packA + (i0 / mr) * aPanelBytes + p0 * mr * 4, at.packB + p0 * NR * 4, at.c + i0 * n * 4,
          Math.min(blockRows, m - i0), n, kc, aPanelBytes, bPanelBytes, n * 4, load,
        );
      }
    }
    out.set(heap.subarray(at.c >> 2, (at.c >> 2) + m * n));
  }
}

/** The first `size` elements, without a new view when the array is exactly that long. */
function prefix(x: Float32Array, size: number): Float32Array {
  return x.length === size ? x : x.subarray(0, size);
}
