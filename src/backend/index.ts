/**
 * glassnet/backend: the compute backends every op runs on. Choose one
 * ({@link setBackend}, {@link selectBestBackend}), build one
 * ({@link createWasmBackend}), or write one against {@link Backend} and the
 * kernel records ({@link ELEMENTWISE}).
 */
import { BACKENDS, type Backend, type BackendName } from './backend.js';
import { jsBackend } from './js.js';
import { jsFastBackend } from './js-fast.js';
import { createWasmBackend, defaultWasmThreads, type WasmBackend, type WasmBackendOptions } from './wasm.js';
import { GlassnetError } from '../errors.js';

export { BACKENDS, SMALL_MATMUL_WORK, type Backend, type BackendName, type BinaryKind, type FloatArray, type PointLossKind, type UnaryKind } from './backend.js';
export { jsBackend } from './js.js';
export { jsFastBackend } from './js-fast.js';
export { ELEMENTWISE, type Elementwise, type ElementwiseName } from '../primitives/activations.js';
export { erf } from '../primitives/erf.js';
export { createWasmBackend, defaultWasmThreads, THREADED_MATMUL_WORK, wasmSimdSupported, type WasmBackend, type WasmBackendOptions } from './wasm.js';

let active: Backend | null = null;
/** The wasm backends built so far, by thread count: null = SIMD unsupported or compiling refused here. */
const wasmByThreads = new Map<number, WasmBackend | null>();

/** The wasm backend with `threads` threads (counting the caller), built on first request; null where wasm is unavailable. */
function wasmWith(threads: number): WasmBackend | null {
  let backend = wasmByThreads.get(threads);
  if (backend === undefined) {
    backend = compiledWasm(threads > 1 ? { threads } : {});
    wasmByThreads.set(threads, backend);
  }
  return backend;
}

/**
 * The backend every op currently runs on. Until {@link setBackend} is
 * called, the fastest one available: wasm where WebAssembly SIMD validates,
 * js-fast elsewhere.
 */
export function getBackend(): Backend {
  if (active === null) selectBestBackend();
  return active!;
}

/**
 * Selects the backend by name and returns the name now active. `'wasm'`
 * falls back to `'js-fast'` (and returns that name) when the engine does not
 * validate WebAssembly SIMD. `'wasm-mt'` starts its worker threads on first
 * selection ({@link defaultWasmThreads} threads, counting the caller) and
 * falls back to `'wasm'` where threads are unavailable (browsers, one
 * core, no SharedArrayBuffer). Throws a GlassnetError for an unknown name.
 */
export function setBackend(name: BackendName): BackendName {
  switch (name) {
    case 'js':
      active = jsBackend;
      break;
    case 'js-fast':
      active = jsFastBackend;
      break;
    case 'wasm':
      active = wasmWith(1) ?? jsFastBackend;
      break;
    case 'wasm-mt':
      active = wasmWith(defaultWasmThreads()) ?? jsFastBackend;
      break;
    default:
      name satisfies never;
      throw new GlassnetError({
        code: 'unknown-name', argument: 'backend', expected: `one of ${BACKENDS.map((b) => JSON.stringify(b)).join(', ')}`, found: JSON.stringify(name),
      });
  }
  return active.name;
}

/**
 * Runs `run` with the active backend, when it is `'wasm'` or `'wasm-mt'`,
 * swapped for the wasm backend with `threads` threads (counting the
 * caller; workers start on first use and stay for later calls), then puts
 * the previous backend back, also when `run` throws. Any other backend
 * stays active: only the wasm ones have threads. Threads change no bits:
 * a product is split at row-panel boundaries, so every row sees the same
 * operations in the same order on any count.
 */
export function withWasmThreads<T>(threads: number, run: () => T): T {
  const previous = getBackend();
  const swap = (previous.name === 'wasm' || previous.name === 'wasm-mt') && (previous as WasmBackend).threads() !== threads;
  const backend = swap ? wasmWith(threads) : null;
  if (backend === null) return run();
  active = backend;
  try {
    return run();
  } finally {
    // A pool closed while `run` ran (closeWasmThreads from a callback) is not put back: one thread takes its place, as closing says.
    active = closed.has(previous) ? wasmWith(1) ?? jsFastBackend : previous;
  }
}

/** Threaded backends {@link closeWasmThreads} has stopped, so that none becomes active again. */
const closed = new WeakSet<Backend>();

/**
 * Stops the worker threads of every threaded wasm backend started so far
 * (by `setBackend('wasm-mt')`, `withWasmThreads` or `fit`'s `threads`) and
 * forgets them, so that a process can end its threads without exiting (the
 * workers never keep it alive on their own). A later request starts new
 * ones. If such a backend is active, the one-thread `'wasm'` takes its
 * place; results do not change (threads change no bits).
 */
export async function closeWasmThreads(): Promise<void> {
  const closing: WasmBackend[] = [];
  for (const [threads, backend] of wasmByThreads) {
    if (threads === 1 || backend === null) continue;
    wasmByThreads.delete(threads);
    closed.add(backend);
    closing.push(backend);
    if (active === backend) active = wasmWith(1) ?? jsFastBackend;
  }
  await Promise.all(closing.map((backend) => backend.close()));
}

/**
 * The wasm backend, or null where SIMD does not validate or where compiling
 * is refused: a Content-Security-Policy without 'wasm-unsafe-eval' lets
 * `WebAssembly.validate` pass, then throws a CompileError (EvalError in
 * some engines) at compilation. Other errors are real faults and propagate.
 */
function compiledWasm(options?: WasmBackendOptions): WasmBackend | null {
  try {
    return createWasmBackend(options);
  } catch (error) {
    if (error instanceof EvalError || (typeof WebAssembly === 'object' && error instanceof WebAssembly.CompileError)) return null;
    throw error;
  }
}

/** Selects the fastest backend this engine supports (`'wasm'` when SIMD validates, else `'js-fast'`) and returns its name. */
export function selectBestBackend(): BackendName {
  return setBackend('wasm');
}
