import { SMALL_MATMUL_WORK, type Backend, type FloatArray, type UnaryKind } from './backend.js';
import { denseForwardSteps } from './js.js';
import { jsFastBackend } from './js-fast.js';
import { EDGE_TILE_BYTES, emitElementwiseModule, emitKernelModule, EPILOGUE, NR, PANELS_PER_BLOCK, type KernelOptions } from './wasm/kernels.js';
import { availableThreads, GEMM_ARGS, GemmWorkers, type GemmJob } from './wasm/threads.js';
import { ELEMENTWISE } from '../primitives/activations.js';

/** `T` with its fields writable: the backend refills one job description per call. */
type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * The `'wasm'` backend: float32 matmul, Dense's fused forward pass and
 * large float32 axpy in WebAssembly SIMD modules that this package emits
 * itself (see `wasm/kernels.ts`), everything else from `'js-fast'`.
 * Float64 work also goes to js-fast: wasm SIMD has only 2-lane f64, and
 * float64 is the exact-reference path anyway.
 *
 * Operands are copied into the module's linear memory. Products with a
 * dimension under {@link THIN} run on row kernels that need no packing;
 * the rest are packed there and run through the blocked GEMM, split by
 * rows across worker threads when the backend has them (`'wasm-mt'`).
 * One scratch layout is reused by every call; memory grows only when a
 * larger product than any before is seen, so steady-state calls (the same
 * shapes every training step) neither grow memory nor allocate buffers.
 */
/**
 * Register-tile height, measured on x64 (AMD EPYC Zen 3, V8 11.3; see
 * docs/backends.md, "The float32 GEMM"): 4×8 is fastest with and without
 * fused multiply-add. V8 hoists a step's broadcasts ahead of its
 * multiply-adds, so 5×8 unfused spills accumulators to the stack.
 */
export const TILE_ROWS = 4;
/**
 * A product with m, k or n below this skips packing and runs on the row
 * kernels (`dotRows`, `axpyRows`): a 4-row tile would be mostly padding,
 * and packing a large operand costs more than the product it feeds.
 * Measured in docs/backends.md ("Thin products").
 */
const THIN = 4;
/**
 * Below this many multiply-adds a product stays on the caller's thread:
 * waking a worker and waiting for it (tens of µs) costs more than the
 * share it would compute. Measured in docs/backends.md ("Threads").
 * `fit` starts threads by default only for networks that reach it.
 */
export const THREADED_MATMUL_WORK = 128 * 128 * 128;
/**
 * Fewest row panels a thread takes at once from a threaded product (the
 * last take may be smaller): each take streams all of packed B past its
 * rows, so a take of a panel or two would reload B from L2 for too little
 * work. Takes are a share of the panels left (see `wasm/threads.ts`), at
 * most one row block of {@link PANELS_PER_BLOCK}.
 */
const MIN_CHUNK_PANELS = 3;
/**
 * A float32 axpy runs in wasm from this many elements: below it, copying
 * both operands in and the result out, and the call, cost more than the
 * JavaScript loop. Measured in docs/backends.md ("Axpy").
 */
const MIN_WASM_AXPY = 128;
/** Largest shared memory (in 64 KiB pages, 1 GiB): shared memories must declare a maximum. */
const MAX_SHARED_PAGES = 16384;
/** Most threads `'wasm-mt'` starts by default, counting the caller. */
const MAX_DEFAULT_THREADS = 4;
const PAGE_BYTES = 65536;

interface KernelExports {
  packA(dst: number, src: number, rows: number, depth: number, rowStride: number, depthStride: number): void;
  packB(dst: number, src: number, rows: number, depth: number, rowStride: number, depthStride: number): void;
  gemmBlocked(aPack: number, bPack: number, c: number, m: number, n: number, k: number,
    aPanelBytes: number, bPanelBytes: number, ldcBytes: number, load: number, scratch: number): void;
  dotRows(a: number, b: number, c: number, m: number, n: number, k: number, load: number): void;
  axpyRows(a: number, aRowStride: number, aDepthStride: number, b: number, c: number, m: number, k: number, n: number, load: number): void;
}

interface ElementwiseExports {
  axpy(out: number, a: number, n: number, s: number): void;
  biasActivation(c: number, bias: number, out: number, rows: number, units: number, act: number, alpha: number): void;
}

/** `biasActivation`'s code for an activation: its record's epilogue, or none (the JS kernel applies it after the bias). */
function epilogueOf(activation: UnaryKind | 'linear'): number {
  const epilogue = activation === 'linear' ? null : ELEMENTWISE[activation].epilogue;
  return epilogue === null ? EPILOGUE.none : EPILOGUE[epilogue];
}

/** Options for {@link createWasmBackend}. */
export interface WasmBackendOptions {
  /**
   * Use relaxed SIMD's fused multiply-add when the engine validates it
   * (Chrome ≥ 114; Node 20 only behind a flag). Default `true`. Results
   * then differ from the unfused kernel by float32 rounding only.
   */
  readonly relaxedSimd?: boolean;
  /**
   * Threads to split large products across, counting the caller (default
   * 1). Above 1 the backend is `'wasm-mt'` when shared memory and worker
   * threads are available (Node), else it stays single-threaded `'wasm'`.
   */
  readonly threads?: number;
}

/**
 * Switches for {@link createForcedWasmBackend} that send small work to the
 * kernels, so that tests reach every kernel path with small shapes. They
 * break the small-work contract, so the public entry point offers neither.
 */
export interface KernelForcing {
  /**
   * Send every float32 product to the packed GEMM, even tiny and thin ones,
   * and every float32 axpy to wasm: reaches the edge tiles and vector tails.
   */
  readonly forceKernel?: boolean;
  /** Share every packed product (of two row panels or more) among the threads, however small: reaches every chunk shape. */
  readonly forceThreads?: boolean;
  /** Rows of the register tile, 1 to 6 (tuning and tests; default: the measured best for the kernel, see {@link TILE_ROWS}). */
  readonly tileRows?: number;
  /** Milliseconds the threads poll before they sleep (tuning; default `POLL_MS` in `wasm/threads.ts`). */
  readonly pollMs?: number;
}

/** A wasm backend plus what tests and benchmarks need to watch it. */
export interface WasmBackend extends Backend {
  /** Current size of the module's linear memory, in bytes. */
  memoryBytes(): number;
  /** Whether the inner loop uses relaxed SIMD's fused multiply-add. */
  readonly relaxedSimd: boolean;
  /** Threads a large product is split across now, counting the caller (1 without workers). */
  threads(): number;
  /** Stops the worker threads, if any; the backend keeps working on the caller's thread. */
  close(): Promise<void>;
}

let simdModule: Uint8Array<ArrayBuffer> | null = null;
let elementwiseModule: Uint8Array<ArrayBuffer> | null = null;

/** `true` when this engine validates the (unfused) SIMD kernel modules: the start-up feature probe. */
export function wasmSimdSupported(): boolean {
  if (typeof WebAssembly !== 'object' || typeof WebAssembly.validate !== 'function') return false;
  simdModule ??= emitKernelModule({ relaxedMadd: false, rows: TILE_ROWS });
  elementwiseModule ??= emitElementwiseModule();
  return WebAssembly.validate(simdModule) && WebAssembly.validate(elementwiseModule);
}

/** The thread count `'wasm-mt'` asks for: the machine's, capped at {@link MAX_DEFAULT_THREADS}. */
export function defaultWasmThreads(): number {
  return Math.min(availableThreads(), MAX_DEFAULT_THREADS);
}

/**
 * Compiles and instantiates the kernels (synchronously: the module is
 * under browsers' 4 KB limit for synchronous compilation on the main
 * thread) and, with `threads > 1`, starts the workers. Returns `null` when
 * SIMD is unsupported.
 */
export function createWasmBackend(options: WasmBackendOptions = {}): WasmBackend | null {
  return createForcedWasmBackend(options);
}

/** {@link createWasmBackend} with the test switches of {@link KernelForcing}. */
export function createForcedWasmBackend(options: WasmBackendOptions & KernelForcing): WasmBackend | null {
  if (!wasmSimdSupported()) return null;
  const relaxedSimd = (options.relaxedSimd ?? true) && WebAssembly.validate(emitKernelModule({ relaxedMadd: true, rows: TILE_ROWS }));
  const kernel = { relaxedMadd: relaxedSimd, rows: options.tileRows ?? TILE_ROWS };
  const minThreadedWork = options.forceThreads === true ? 1 : THREADED_MATMUL_WORK;
  const force = options.forceKernel === true;
  const single = WasmKernels.single(kernel, force);
  const threaded = WasmKernels.threaded(kernel, options.threads ?? 1, minThreadedWork, force, options.pollMs);
  /**
   * Where a product runs: the shared memory only when it is split across
   * the threads. Everything else (small and thin products, the axpy) runs
   * over an unshared memory of its own, because copies into and out of a
   * shared memory are slower (about 1.5× for 400 KB; in the recorded run
   * batch-1 B2, which never splits a product, ran 15% slower on wasm-mt).
   */
  const on = (m: number, k: number, n: number): WasmKernels => threaded !== null && threaded.splits(m, k, n) ? threaded : single;
  // Empty products (a zero dimension) stay in JS even when forced: there is nothing to pack.
  const minWork = force ? 1 : SMALL_MATMUL_WORK;
  const minAxpy = force ? 1 : MIN_WASM_AXPY;
  const backend: WasmBackend = {
    ...jsFastBackend,
    name: threaded !== null ? 'wasm-mt' : 'wasm',
    relaxedSimd,
    memoryBytes: () => single.memoryBytes() + (threaded?.memoryBytes() ?? 0),
    threads: () => threaded?.threads() ?? 1,
    close: async () => threaded?.close(),
    matmul(out, a, b, m, k, n, transA, transB, accumulate) {
      if (isF32(out) && isF32(a) && isF32(b) && m * k * n >= minWork) {
        const wasm = on(m, k, n);
        const c = wasm.product(out, a, b, m, k, n, transA, transB, accumulate, 0);
        if (c >= 0) {
          wasm.copyOut(out, c, m * n);
          return;
        }
      }
      jsFastBackend.matmul(out, a, b, m, k, n, transA, transB, accumulate);
    },
    denseForward(net, out, x, w, bias, biasSize, rows, k, units, activation, alpha) {
      const fused = isF32(net) && isF32(out) && isF32(x) && isF32(w) && rows * k * units >= minWork &&
        (bias === null || (isF32(bias) && biasSize === units)) &&
        on(rows, k, units).denseForward(net, out, x, w, bias, rows, k, units, activation, alpha);
      // The same kernels one by one: small work (the reference's loops), float64, a bias that is not one row.
      if (!fused) denseForwardSteps(backend, net, out, x, w, bias, biasSize, rows, k, units, activation, alpha);
    },
    axpy(out, a, s, n) {
      if (!(isF32(out) && isF32(a) && n >= minAxpy && single.axpy(out, a, s, n))) jsFastBackend.axpy(out, a, s, n);
    },
  };
  return backend;
}

function isF32(x: FloatArray): x is Float32Array {
  return x instanceof Float32Array;
}

const align16 = (bytes: number): number => Math.ceil(bytes / 16) * 16;

/** Byte offsets of one packed call's operands in linear memory, each 16-byte aligned. */
interface Layout { rawA: number; rawB: number; packA: number; packB: number; c: number; end: number }

/** Fills `at` (reused, so a call allocates nothing) with the byte offsets of an `m×k · k×n` product whose operands start at `base`. */
function layout(at: Layout, base: number, m: number, k: number, n: number, mr: number): Layout {
  at.rawA = base;
  at.rawB = at.rawA + align16(m * k * 4);
  at.packA = at.rawB + align16(k * n * 4);
  at.packB = at.packA + Math.ceil(m / mr) * mr * k * 4;
  at.c = at.packB + Math.ceil(n / NR) * NR * k * 4;
  at.end = at.c + m * n * 4;
  return at;
}

/** The modules' instances over one memory, and the copies in and out of it. */
class WasmKernels {
  private heap: Float32Array;
  /**
   * Views of the heap by offset, then length, so copying a result out
   * allocates no view after the first step. (Two small-integer keys: one
   * combined key would be a heap number, allocated on every lookup.)
   */
  private views = new Map<number, Map<number, Float32Array>>();
  private readonly at: Layout = { rawA: 0, rawB: 0, packA: 0, packB: 0, c: 0, end: 0 };
  /** gemmBlocked's arguments for the whole product, reused. */
  private readonly args: number[] = new Array<number>(GEMM_ARGS).fill(0);
  /**
   * The packing the caller does itself in a threaded product, the operand
   * every thread reads (B, or A when the product is split by columns), as
   * arguments and a call bound once (the pool calls it; a steady-state
   * call allocates nothing).
   */
  private readonly sharedPackArgs: number[] = new Array<number>(6).fill(0);
  private readonly packShared = (): void => {
    const p = this.sharedPackArgs;
    (this.job.columns ? this.kernels.packA : this.kernels.packB)(p[0]!, p[1]!, p[2]!, p[3]!, p[4]!, p[5]!);
  };
  /** The threaded job's description (over {@link args}), reused. */
  private readonly job: Mutable<GemmJob>;
  private readonly mr: number;
  /** Where every call's operands start: after the edge-tile scratches at address 0, one per thread the pool started with. */
  private readonly operands: number;

  private constructor(
    private readonly memory: WebAssembly.Memory,
    private readonly kernels: KernelExports,
    private readonly elementwise: ElementwiseExports,
    kernel: KernelOptions,
    private readonly force: boolean,
    private workers: GemmWorkers | null,
    private readonly minThreadedWork = THREADED_MATMUL_WORK,
  ) {
    this.heap = new Float32Array(memory.buffer);
    this.mr = kernel.rows;
    this.job = {
      args: this.args, columns: false, panelWidth: kernel.rows, raw: -1, rawRowStride: 0, rawDepthStride: 0,
      minChunk: MIN_CHUNK_PANELS, maxChunk: PANELS_PER_BLOCK,
    };
    this.operands = align16(EDGE_TILE_BYTES * (1 + (workers?.count ?? 0)));
  }

  /** One thread, over an unshared memory. */
  static single(kernel: KernelOptions, force: boolean): WasmKernels {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const module = kernel.relaxedMadd || kernel.rows !== TILE_ROWS ? emitKernelModule(kernel) : simdModule!;
    const instance = new WebAssembly.Instance(new WebAssembly.Module(module), { env: { memory } });
    const elementwise = new WebAssembly.Instance(new WebAssembly.Module(elementwiseModule!), { env: { memory } });
    return new WasmKernels(memory, instance.exports as unknown as KernelExports, elementwise.exports as unknown as ElementwiseExports, kernel, force, null);
  }

  /**
   * `threads − 1` workers over a shared memory, or null (the caller falls
   * back to {@link single}) when threads are not asked for or not available:
   * no shared wasm memory, no SharedArrayBuffer, no worker threads.
   */
  static threaded(kernel: KernelOptions, threads: number, minThreadedWork: number, force: boolean, pollMs?: number): WasmKernels | null {
    if (!(threads > 1)) return null;
    const bytes = emitKernelModule({ ...kernel, sharedMaxPages: MAX_SHARED_PAGES });
    if (typeof SharedArrayBuffer !== 'function' || !WebAssembly.validate(bytes)) return null;
    let memory: WebAssembly.Memory;
    try {
      memory = new WebAssembly.Memory({ initial: 1, maximum: MAX_SHARED_PAGES, shared: true });
    } catch {
      return null;
    }
    const module = new WebAssembly.Module(bytes);
    const workers = GemmWorkers.start(module, memory, Math.floor(threads) - 1, EDGE_TILE_BYTES, pollMs);
    if (workers === null) return null;
    const instance = new WebAssembly.Instance(module, { env: { memory } });
    // The elementwise kernels run on the caller only, over the same shared memory.
    const elementwise = new WebAssembly.Instance(new WebAssembly.Module(emitElementwiseModule(MAX_SHARED_PAGES)), { env: { memory } });
    return new WasmKernels(
      memory, instance.exports as unknown as KernelExports, elementwise.exports as unknown as ElementwiseExports, kernel, force, workers, minThreadedWork,
    );
  }

  memoryBytes(): number {
    return this.memory.buffer.byteLength;
  }

  threads(): number {
    return 1 + (this.workers?.count ?? 0);
  }

  async close(): Promise<void> {
    const workers = this.workers;
    this.workers = null;
    await workers?.close();
  }

  /** Whether an `m×k · k×n` product is split across threads here (see {@link product} and {@link run}). */
  splits(m: number, k: number, n: number): boolean {
    return this.workers !== null && !this.thin(m, k, n) && m * k * n >= this.minThreadedWork && m > this.mr;
  }

  /** Whether a product takes the row kernels (a side under {@link THIN}, unless the packed kernel is forced). */
  private thin(m: number, k: number, n: number): boolean {
    return !this.force && Math.min(m, k, n) < THIN;
  }

  /** Makes room for `bytes` of memory; `false` if it cannot grow that far (the caller falls back). */
  private fits(bytes: number): boolean {
    const have = this.memory.buffer.byteLength;
    if (bytes <= have) return true;
    try {
      this.memory.grow(Math.ceil((bytes - have) / PAGE_BYTES));
    } catch {
      return false;
    }
    // Growing detaches (or, when shared, outgrows) the old buffer, so the views must be rebuilt.
    this.heap = new Float32Array(this.memory.buffer);
    this.views.clear();
    return true;
  }

  /** `heap[offset .. offset+length)` as a cached view (float offset and length). */
  private view(offset: number, length: number): Float32Array {
    let byLength = this.views.get(offset);
    if (byLength === undefined) {
      // A bounded cache: a training loop reuses a handful of shapes.
      if (this.views.size >= 64) this.views.clear();
      byLength = new Map();
      this.views.set(offset, byLength);
    }
    let view = byLength.get(length);
    if (view === undefined) {
      view = this.heap.subarray(offset, offset + length);
      byLength.set(length, view);
    }
    return view;
  }

  /**
   * `out (+)= op(a)·op(b)` into linear memory, with `extra` bytes free
   * after the product (16-byte aligned) for an epilogue. Returns the byte
   * address of the product there (the caller copies it out), or −1 when
   * memory cannot grow or no kernel takes the shape: the caller falls back.
   */
  product(
    out: Float32Array, a: Float32Array, b: Float32Array,
    m: number, k: number, n: number,
    transA: boolean, transB: boolean, accumulate: boolean, extra: number,
  ): number {
    return this.thin(m, k, n)
      ? this.runThin(out, a, b, m, k, n, transA, transB, accumulate, extra)
      : this.run(out, a, b, m, k, n, transA, transB, accumulate, extra);
  }

  /** Copies `length` floats from byte address `at` into `out`. */
  copyOut(out: Float32Array, at: number, length: number): void {
    out.set(this.view(at >> 2, length));
  }

  /**
   * {@link Backend.denseForward} for float32 operands and a bias of one
   * row (or none): the product, then the bias and relu or leakyRelu in
   * wasm while the product is still in memory (sigmoid and tanh in the JS
   * kernel, after the bias). `false` when the product did not run here.
   */
  denseForward(
    net: Float32Array, out: Float32Array, x: Float32Array, w: Float32Array, bias: Float32Array | null,
    rows: number, k: number, units: number, activation: UnaryKind | 'linear', alpha: number,
  ): boolean {
    const size = rows * units;
    const biasBytes = align16(units * 4);
    const c = this.product(net, x, w, rows, k, units, false, true, false, biasBytes + size * 4);
    if (c < 0) return false;
    const biasAt = align16(c + size * 4);
    const outAt = biasAt + biasBytes;
    const act = epilogueOf(activation);
    if (bias !== null) this.heap.set(prefix(bias, units), biasAt >> 2);
    if (bias !== null || act !== EPILOGUE.none) this.elementwise.biasActivation(c, bias === null ? 0 : biasAt, outAt, rows, units, act, alpha);
    this.copyOut(net, c, size);
    if (act !== EPILOGUE.none) this.copyOut(out, outAt, size);
    else if (activation !== 'linear') jsFastBackend.unary(activation, out, net, size, alpha);
    return true;
  }

  /** `out[i] += a[i]·s` for float32 arrays, bit-identical to the reference; `false` when memory cannot grow. */
  axpy(out: Float32Array, a: Float32Array, s: number, n: number): boolean {
    const aAt = this.operands;
    const outAt = aAt + align16(n * 4);
    if (!this.fits(outAt + n * 4)) return false;
    this.heap.set(prefix(a, n), aAt >> 2);
    this.heap.set(prefix(out, n), outAt >> 2);
    this.elementwise.axpy(outAt, aAt, n, s);
    this.copyOut(out, outAt, n);
    return true;
  }

  /** The packed, blocked GEMM; when large enough, its row panels are handed out in chunks to the threads (see {@link product}). */
  private run(
    out: Float32Array, a: Float32Array, b: Float32Array,
    m: number, k: number, n: number,
    transA: boolean, transB: boolean, accumulate: boolean, extra: number,
  ): number {
    const { mr, kernels } = this;
    const at = layout(this.at, this.operands, m, k, n, mr);
    if (!this.fits(align16(at.end) + extra)) return -1;
    const heap = this.heap;
    heap.set(prefix(a, m * k), at.rawA >> 2);
    heap.set(prefix(b, k * n), at.rawB >> 2);
    if (accumulate) heap.set(prefix(out, m * n), at.c >> 2);
    // op(A) as rows, op(B)ᵀ as rows: the transpose flags become strides.
    // (No arrays or closures here: a steady-state call allocates nothing.)
    const aRowStride = transA ? 1 : k;
    const aDepthStride = transA ? m : 1;
    const bRowStride = transB ? k : 1;
    const bDepthStride = transB ? 1 : n;
    const aPanelBytes = mr * k * 4;
    const args = this.args;
    args[0] = at.packA;
    args[1] = at.packB;
    args[2] = at.c;
    args[3] = m;
    args[4] = n;
    args[5] = k;
    args[6] = aPanelBytes;
    args[7] = NR * k * 4;
    args[8] = n * 4;
    args[9] = accumulate ? 1 : 0;
    args[10] = 0;
    const workers = this.workers;
    if (workers === null || !this.splits(m, k, n)) {
      kernels.packA(at.packA, at.rawA, m, k, aRowStride, aDepthStride);
      kernels.packB(at.packB, at.rawB, n, k, bRowStride, bDepthStride);
      kernels.gemmBlocked(args[0], args[1], args[2], args[3], args[4], args[5], args[6], args[7], args[8], args[9], args[10]);
      return at.c;
    }
    // Split the side whose panels each thread packs itself: the other operand, packed here, is read by every thread
    // from the caller's cache, so it should be the smaller (by columns when m < n, as B2's 64×784·784×128).
    const columns = m < n;
    const job = this.job;
    job.columns = columns;
    job.panelWidth = columns ? NR : this.mr;
    job.raw = columns ? at.rawB : at.rawA;
    job.rawRowStride = columns ? bRowStride : aRowStride;
    job.rawDepthStride = columns ? bDepthStride : aDepthStride;
    const shared = this.sharedPackArgs;
    shared[0] = columns ? at.packA : at.packB;
    shared[1] = columns ? at.rawA : at.rawB;
    shared[2] = columns ? m : n;
    shared[3] = k;
    shared[4] = columns ? aRowStride : bRowStride;
    shared[5] = columns ? aDepthStride : bDepthStride;
    if (!workers.run(job, kernels, this.packShared)) void this.close();
    return at.c;
  }

  /**
   * A thin product on the row kernels, unpacked (see {@link product}); −1
   * also when neither row kernel fits (both operands transposed).
   */
  private runThin(
    out: Float32Array, a: Float32Array, b: Float32Array,
    m: number, k: number, n: number,
    transA: boolean, transB: boolean, accumulate: boolean, extra: number,
  ): number {
    // A dimension of 1 makes a transpose flag meaningless (the layouts coincide):
    // pick the flags that reach a row kernel.
    if (k === 1) transA = transB = false;
    if (m === 1) transA = false;
    if (n === 1) transB = true;
    if (transA && transB) return -1;
    const rawA = this.operands;
    const rawB = rawA + align16(m * k * 4);
    const c = rawB + align16(k * n * 4);
    if (!this.fits(align16(c + m * n * 4) + extra)) return -1;
    const heap = this.heap;
    heap.set(prefix(a, m * k), rawA >> 2);
    heap.set(prefix(b, k * n), rawB >> 2);
    if (accumulate) heap.set(prefix(out, m * n), c >> 2);
    const load = accumulate ? 1 : 0;
    if (transB) this.kernels.dotRows(rawA, rawB, c, m, n, k, load);
    else this.kernels.axpyRows(rawA, transA ? 4 : 4 * k, transA ? 4 * m : 4, rawB, c, m, k, n, load);
    return c;
  }
}

/** The first `size` elements, without a new view when the array is exactly that long. */
function prefix(x: Float32Array, size: number): Float32Array {
  return x.length === size ? x : x.subarray(0, size);
}
