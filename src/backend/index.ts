/**
 * glassnet/backend: the compute backends every op runs on. Choose one
 * ({@link setBackend}, {@link selectBestBackend}), build one
 * ({@link createWasmBackend}), or write one against {@link Backend} and the
 * kernel records ({@link ELEMENTWISE}).
 */
import type { Backend, BackendName } from './backend.js';
import { jsBackend } from './js.js';
import { jsFastBackend } from './js-fast.js';
import { createWasmBackend, defaultWasmThreads, type WasmBackend, type WasmBackendOptions } from './wasm.js';
import { GlassnetError } from '../errors.js';

export { SMALL_MATMUL_WORK, type Backend, type BackendName, type BinaryKind, type FloatArray, type PointLossKind, type UnaryKind } from './backend.js';
export { jsBackend } from './js.js';
export { jsFastBackend } from './js-fast.js';
export { ELEMENTWISE, type Elementwise, type ElementwiseName } from '../primitives/activations.js';
export { erf } from '../primitives/erf.js';
export { createWasmBackend, defaultWasmThreads, wasmSimdSupported, type WasmBackend, type WasmBackendOptions } from './wasm.js';

let active: Backend | null = null;
// Built on first request: `undefined` = not tried yet, `null` = SIMD unsupported here.
let wasm: WasmBackend | null | undefined;
let wasmThreaded: WasmBackend | null | undefined;

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
      // Not `??=`: that would probe again after a null (unsupported) result.
      if (wasm === undefined) wasm = compiledWasm();
      active = wasm ?? jsFastBackend;
      break;
    case 'wasm-mt':
      if (wasmThreaded === undefined) wasmThreaded = compiledWasm({ threads: defaultWasmThreads() });
      active = wasmThreaded ?? jsFastBackend;
      break;
    default:
      name satisfies never;
      throw new GlassnetError({
        code: 'unknown-name', argument: 'backend', expected: 'one of "js", "js-fast", "wasm", "wasm-mt"', found: JSON.stringify(name),
      });
  }
  return active.name;
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
