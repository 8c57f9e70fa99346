// The engine the command runs on. Node 20's V8 (11.3) has WebAssembly
// relaxed SIMD complete but validates it only with
// --experimental-wasm-relaxed-simd; V8 11.4 (Chrome 114) and so Node 22
// ship it on. With it, the wasm backend's GEMM fuses each multiply-add into
// one instruction and B2 trains 1.2-1.5x faster (docs/benchmarks.md). A
// library must not change its host's engine, so `glassnet` (the library)
// only probes for the feature; this command is an application and chooses
// its engine, as `node --experimental-wasm-relaxed-simd` would, before any
// WebAssembly is compiled. This file is committed, not built, like the
// launcher that imports it.
import { setFlagsFromString } from 'node:v8';

/**
 * Turns relaxed SIMD on where V8 has it behind the flag (11.3) and returns
 * whether it did. `GLASSNET_RELAXED_SIMD=0` keeps the engine's default;
 * other V8 versions have it on already (11.4 on) or unfinished (before 11.3).
 */
export function enableRelaxedSimd(env = process.env) {
  if (env.GLASSNET_RELAXED_SIMD === '0' || !process.versions.v8.startsWith('11.3.')) return false;
  setFlagsFromString('--experimental-wasm-relaxed-simd');
  return true;
}
