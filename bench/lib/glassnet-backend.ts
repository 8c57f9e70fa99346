import { getBackend, setBackend, type BackendName, type WasmBackend } from '../../src/backend/index.js';
import { runRunner, type Handler } from './protocol.js';

/**
 * Selects a glassnet backend for a runner, or leaves the default for null.
 * setBackend falls back silently (wasm without SIMD runs js-fast), so a
 * backend other than the one asked for is an error here: its figures would
 * sit in the wrong column.
 */
export async function useBackend(name: string | null): Promise<void> {
  if (name === null) return;
  // Awaited in case a backend that compiles WebAssembly makes selection asynchronous.
  await (setBackend(name as BackendName) as unknown);
  if (getBackend().name !== name) throw new Error(`setBackend("${name}") left backend "${getBackend().name}" active`);
}

/** The active backend's name and, for a wasm backend, the threads it splits products across and whether its GEMM fuses multiply-adds: a runner's config. */
function backendConfig(): Record<string, string> {
  const backend = getBackend();
  if (!('threads' in backend)) return { backend: backend.name };
  const wasm = backend as WasmBackend;
  return { backend: backend.name, threads: String(wasm.threads()), fma: wasm.relaxedSimd ? 'yes (relaxed SIMD)' : 'no' };
}

/** The body of a glassnet runner: column `glassnet <backend>`, the `--backend` selected before the workload runs and reported in its config. */
export async function runGlassnetRunner(handlers: Record<string, Handler>): Promise<void> {
  await runRunner(
    (args) => `glassnet ${args.backend ?? getBackend().name}`,
    handlers,
    async (args) => {
      await useBackend(args.backend);
      return backendConfig();
    },
  );
}
