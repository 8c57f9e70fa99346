import { assembleModule, FunctionEmitter, ValType } from '../../src/backend/wasm/assembler.js';
import { GemmWorkers } from '../../src/backend/wasm/threads.js';

/**
 * A stand-in for the GEMM's `gemmBlocked(aPack, bPack, c, m, …, ldc, load, scratch)`
 * that leaves a trace in every row of its range instead of a product: per
 * row at `c + r·ldc`, float 0 += 1, float 1 += f32[aPack], float 2 += f32[scratch].
 * Tests of the thread pool read from the traces which thread computed which
 * rows, from which panel of A.
 */
export function tracerGemm(): FunctionEmitter {
  const { i32 } = ValType;
  const f = new FunctionEmitter('gemmBlocked', Array.from({ length: 11 }, () => i32));
  const [aPack, , c, m, , , , , ldc, , scratch] = f.params(11);
  const [r, row] = [f.local(i32), f.local(i32)];
  f.i32_const(0).local_set(r);
  f.loop();
  f.local_get(c).local_get(r).local_get(ldc).i32_mul().i32_add().local_set(row);
  for (const [offset, from] of [[0, null], [4, aPack], [8, scratch]] as const) {
    f.local_get(row).local_get(row).f32_load(offset);
    if (from === null) f.f32_const(1);
    else f.local_get(from).f32_load();
    f.f32_add().f32_store(offset);
  }
  f.local_get(r).i32_const(1).i32_add().local_tee(r).local_get(m).i32_lt_u().br_if(0);
  f.end();
  return f;
}

/**
 * A pool of `count` workers over a new shared memory (16 pages), running
 * the module of `functions` (which must export `gemmBlocked`), with the
 * caller's own instance's `gemmBlocked` and a float view of the memory.
 * Worker `i`'s edge-tile scratch is at 16·(i + 1), the caller's at 0.
 */
export function tracedPool(functions: FunctionEmitter[], count: number): {
  memory: WebAssembly.Memory; workers: GemmWorkers; gemmBlocked: (...args: number[]) => void; heap: Float32Array;
} {
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 16, shared: true });
  const module = new WebAssembly.Module(assembleModule(functions, 16));
  const workers = GemmWorkers.start(module, memory, count, 16);
  if (workers === null) throw new Error('worker threads are unavailable here');
  const gemmBlocked = (new WebAssembly.Instance(module, { env: { memory } }).exports as { gemmBlocked: (...args: number[]) => void }).gemmBlocked;
  return { memory, workers, gemmBlocked, heap: new Float32Array(memory.buffer) };
}
