/**
 * Worker threads that run the wasm GEMM's `gemmBlocked` export on shares
 * of a product's rows, over the host's shared linear memory. The host
 * stays synchronous: it posts each worker its arguments, computes its own
 * share, then blocks in `Atomics.wait` until every worker is done. The
 * training loop never awaits anything.
 *
 * Each worker owns a small `Int32Array` over a SharedArrayBuffer (the
 * control block). The host writes the arguments, bumps `SEQ` and notifies;
 * the worker wakes, computes, stores `SEQ` into `DONE` and notifies back.
 * Workers run on Node's `worker_threads` (browsers forbid `Atomics.wait`
 * on their main thread, so this path is Node-only for now).
 */

/** Arguments of `gemmBlocked`, in order (see `kernels.ts`). */
export const GEMM_ARGS = 11;

// Control block slots.
const SEQ = 0;
const DONE = 1;
const FAILED = 2;
const QUIT = 3;
const ARGS = 4;
const CONTROL_INTS = ARGS + GEMM_ARGS;

/**
 * The worker's program, evaluated as a CommonJS script so it needs no file
 * of its own next to the compiled library (a string works from `src/`
 * under Vitest and from `dist/` alike). It instantiates the same module
 * over the same shared memory and serves jobs until told to quit. On any
 * failure it flags `FAILED` and changes `DONE`, so a host waiting on
 * `DONE` wakes and computes that share itself.
 */
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const control = new Int32Array(workerData.control);
const fail = () => {
  Atomics.store(control, ${FAILED}, 1);
  Atomics.store(control, ${DONE}, -1);
  Atomics.notify(control, ${DONE});
};
let gemmBlocked = null;
try {
  gemmBlocked = new WebAssembly.Instance(workerData.module, { env: { memory: workerData.memory } }).exports.gemmBlocked;
} catch {
  fail();
}
let seen = 0;
while (gemmBlocked !== null) {
  Atomics.wait(control, ${SEQ}, seen);
  seen = Atomics.load(control, ${SEQ});
  if (Atomics.load(control, ${QUIT}) !== 0) break;
  try {
    gemmBlocked(...control.subarray(${ARGS}, ${ARGS + GEMM_ARGS}));
  } catch {
    fail();
    break;
  }
  Atomics.store(control, ${DONE}, seen);
  Atomics.notify(control, ${DONE});
}
`;

interface NodeWorker {
  unref(): void;
  terminate(): Promise<number>;
}
type WorkerThreads = { Worker: new (source: string, options: { eval: true; workerData: unknown }) => NodeWorker };

/**
 * A Node built-in module, loaded synchronously without an import that
 * bundlers for the browser would have to resolve; undefined elsewhere.
 */
function nodeBuiltin<T>(id: string): T | undefined {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  return typeof proc?.getBuiltinModule === 'function' ? proc.getBuiltinModule(id) as T | undefined : undefined;
}

/** Node's `worker_threads`, or null where it (or shared memory) is unavailable: the feature probe. */
function workerThreads(): WorkerThreads | null {
  if (typeof SharedArrayBuffer !== 'function' || typeof Atomics !== 'object') return null;
  return nodeBuiltin<WorkerThreads>('node:worker_threads') ?? null;
}

/** How many threads the machine offers (1 when unknown). */
export function availableThreads(): number {
  return nodeBuiltin<{ availableParallelism?: () => number }>('node:os')?.availableParallelism?.() ?? 1;
}

/** A started pool of GEMM workers; see the file comment for the protocol. */
export class GemmWorkers {
  private constructor(private workers: NodeWorker[], private readonly controls: Int32Array[]) {}

  /**
   * Starts `count` workers over `memory` (which must be shared) running
   * `module`, or returns null when worker threads are unavailable. The
   * workers are unref'd: they never keep the process alive.
   */
  static start(module: WebAssembly.Module, memory: WebAssembly.Memory, count: number): GemmWorkers | null {
    const threads = workerThreads();
    if (threads === null || count < 1) return null;
    const controls: Int32Array[] = [];
    const workers: NodeWorker[] = [];
    try {
      for (let i = 0; i < count; i++) {
        const control = new Int32Array(new SharedArrayBuffer(CONTROL_INTS * 4));
        const worker = new threads.Worker(WORKER_SOURCE, { eval: true, workerData: { module, memory, control: control.buffer } });
        worker.unref();
        controls.push(control);
        workers.push(worker);
      }
    } catch {
      for (const worker of workers) void worker.terminate();
      return null;
    }
    return new GemmWorkers(workers, controls);
  }

  /** Workers that are running (0 after {@link close}). */
  get count(): number {
    return this.workers.length;
  }

  /** Hands worker `i` one `gemmBlocked` call; {@link wait} collects it. */
  post(i: number, args: readonly number[]): void {
    const control = this.controls[i]!;
    control.set(args, ARGS);
    // The atomic add publishes the arguments before the worker reads them.
    Atomics.add(control, SEQ, 1);
    Atomics.notify(control, SEQ);
  }

  /**
   * Blocks until worker `i` has finished its posted call. Returns false if
   * the worker failed: the caller then computes that share itself and
   * should {@link close} the pool once every other share is in.
   */
  wait(i: number): boolean {
    const control = this.controls[i]!;
    const seq = Atomics.load(control, SEQ);
    for (;;) {
      if (Atomics.load(control, FAILED) !== 0) return false;
      const done = Atomics.load(control, DONE);
      if (done === seq) return true;
      Atomics.wait(control, DONE, done);
    }
  }

  /** Stops every worker. The pool has no workers afterwards; calling it twice is harmless. */
  async close(): Promise<void> {
    const workers = this.workers;
    this.workers = [];
    for (const control of this.controls) {
      Atomics.store(control, QUIT, 1);
      Atomics.add(control, SEQ, 1);
      Atomics.notify(control, SEQ);
    }
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}
