/**
 * Worker threads that run the wasm GEMM's `gemmBlocked` export on chunks
 * of a product's row panels, over the host's shared linear memory. The
 * host stays synchronous: it publishes the product (the job), wakes the
 * workers, takes chunks itself, then blocks in `Atomics.wait` until every
 * worker that joined is done. The training loop never awaits anything.
 *
 * **Dynamic scheduling.** Chunks are handed out by a shared atomic
 * counter (`NEXT` in the job block): every thread, the host included,
 * takes the next chunk until none remain. A thread that is slowed down
 * (its core busy with another process) just takes fewer chunks, and a
 * worker that has not woken up by the time the host has taken the last
 * chunk is left out of that job altogether.
 *
 * **Per-worker state.** Each worker owns a small `Int32Array` over a
 * SharedArrayBuffer (its control block), whose `STATE` is IDLE, POSTED or
 * RUNNING. The host posts a job by setting POSTED and notifying; a worker
 * joins by swapping POSTED for RUNNING (compare-exchange) and sets IDLE
 * when the counter runs dry. When the host is done with its own chunks it
 * swaps POSTED back to IDLE: if that succeeds the worker never joined, and
 * it will not (the job block is only rewritten once every worker is IDLE);
 * otherwise it waits for RUNNING to end. Workers run on Node's
 * `worker_threads` (browsers forbid `Atomics.wait` on their main thread,
 * so this path is Node-only for now).
 */

/** Arguments of `gemmBlocked`, in order (see `kernels.ts`); the last is the thread's edge-tile scratch. */
export const GEMM_ARGS = 11;

// Job block slots: the chunk counter, the chunk geometry, then gemmBlocked's arguments for the whole product
// (its last, the scratch, is unused: each thread passes its own).
const NEXT = 0;
const CHUNKS = 1;
/** Rows per chunk (a whole number of row panels). */
const CHUNK_ROWS = 2;
/** Bytes of packed A per chunk. */
const CHUNK_A_BYTES = 3;
const GEMM = 4;
const JOB_INTS = GEMM + GEMM_ARGS;
// gemmBlocked's arguments by position (see KernelExports in wasm.ts).
const [A_PACK, B_PACK, C, M, N, K, A_PANEL, B_PANEL, LDC, LOAD] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => GEMM + i) as number[];

// Control block slots.
const STATE = 0;
const QUIT = 1;
const FAILED = 2;
/** The chunk a thread is computing, or −1: a failed worker's chunk is redone by the host. */
const CHUNK = 3;
const CONTROL_INTS = 4;
const IDLE = 0;
const POSTED = 1;
const RUNNING = 2;

/** `gemmBlocked` as the wasm instance exports it. */
type GemmBlocked = (...args: number[]) => void;

/**
 * Takes chunks from the job's counter and computes them until none
 * remain, recording the current one in `control[CHUNK]`. Host and
 * workers run this same function: the worker's copy is its source text
 * (see {@link WORKER_SOURCE}), so it must not refer to anything but its
 * parameters and the slot constants, which the worker declares.
 */
function takeChunks(job: Int32Array, control: Int32Array, gemmBlocked: GemmBlocked, scratch: number): void {
  for (;;) {
    const chunk = Atomics.add(job, NEXT, 1);
    if (chunk >= job[CHUNKS]!) return;
    control[CHUNK] = chunk;
    const first = chunk * job[CHUNK_ROWS]!;
    gemmBlocked(
      job[A_PACK]! + chunk * job[CHUNK_A_BYTES]!, job[B_PACK]!, job[C]! + first * job[LDC]!,
      Math.min(job[CHUNK_ROWS]!, job[M]! - first), job[N]!, job[K]!, job[A_PANEL]!, job[B_PANEL]!, job[LDC]!, job[LOAD]!, scratch,
    );
    control[CHUNK] = -1;
  }
}

/**
 * The worker's program, evaluated as a CommonJS script so it needs no file
 * of its own next to the compiled library (a string works from `src/`
 * under Vitest and from `dist/` alike). It instantiates the same module
 * over the same shared memory and joins jobs until told to quit. On any
 * failure it flags `FAILED` (with the chunk it was on in `CHUNK`) and
 * leaves, so the host redoes that chunk and closes the pool.
 */
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const [NEXT, CHUNKS, CHUNK_ROWS, CHUNK_A_BYTES, A_PACK, B_PACK, C, M, N, K, A_PANEL, B_PANEL, LDC, LOAD, CHUNK] =
  ${JSON.stringify([NEXT, CHUNKS, CHUNK_ROWS, CHUNK_A_BYTES, A_PACK, B_PACK, C, M, N, K, A_PANEL, B_PANEL, LDC, LOAD, CHUNK])};
const takeChunks = ${takeChunks.toString()};
const job = new Int32Array(workerData.job);
const control = new Int32Array(workerData.control);
const fail = () => {
  Atomics.store(control, ${FAILED}, 1);
  Atomics.store(control, ${STATE}, ${IDLE});
  Atomics.notify(control, ${STATE});
};
let gemmBlocked = null;
try {
  gemmBlocked = new WebAssembly.Instance(workerData.module, { env: { memory: workerData.memory } }).exports.gemmBlocked;
} catch {
  fail();
}
while (gemmBlocked !== null) {
  Atomics.wait(control, ${STATE}, ${IDLE});
  if (Atomics.load(control, ${QUIT}) !== 0) break;
  if (Atomics.compareExchange(control, ${STATE}, ${POSTED}, ${RUNNING}) !== ${POSTED}) continue;
  try {
    takeChunks(job, control, gemmBlocked, workerData.scratch);
  } catch {
    fail();
    break;
  }
  Atomics.store(control, ${STATE}, ${IDLE});
  Atomics.notify(control, ${STATE});
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

/** One product for {@link GemmWorkers.run}: gemmBlocked's arguments for all rows, cut into chunks of row panels. */
export interface GemmJob {
  /** `gemmBlocked`'s arguments for the whole product (the last, the scratch, is replaced by each thread's own). */
  readonly args: readonly number[];
  /** Rows per chunk: a whole number of row panels. */
  readonly chunkRows: number;
  /** Bytes of packed A per chunk. */
  readonly chunkABytes: number;
}

/** A started pool of GEMM workers; see the file comment for the protocol. */
export class GemmWorkers {
  /** The caller's own control block: takeChunks records its chunk there too. */
  private readonly own = new Int32Array(CONTROL_INTS).fill(-1);

  private constructor(private workers: NodeWorker[], private readonly job: Int32Array, private readonly controls: Int32Array[]) {}

  /**
   * Starts `count` workers over `memory` (which must be shared) running
   * `module`, or returns null when worker threads are unavailable. Worker
   * `i` spills edge tiles to the scratch at `scratchBytes·(i + 1)` (the
   * caller's is at 0). The workers are unref'd: they never keep the
   * process alive.
   */
  static start(module: WebAssembly.Module, memory: WebAssembly.Memory, count: number, scratchBytes: number): GemmWorkers | null {
    const threads = workerThreads();
    if (threads === null || count < 1) return null;
    const job = new Int32Array(new SharedArrayBuffer(JOB_INTS * 4));
    const controls: Int32Array[] = [];
    const workers: NodeWorker[] = [];
    try {
      for (let i = 0; i < count; i++) {
        const control = new Int32Array(new SharedArrayBuffer(CONTROL_INTS * 4));
        control[CHUNK] = -1;
        const workerData = { module, memory, job: job.buffer, control: control.buffer, scratch: scratchBytes * (i + 1) };
        const worker = new threads.Worker(WORKER_SOURCE, { eval: true, workerData });
        worker.unref();
        controls.push(control);
        workers.push(worker);
      }
    } catch {
      for (const worker of workers) void worker.terminate();
      return null;
    }
    return new GemmWorkers(workers, job, controls);
  }

  /** Workers that are running (0 after {@link close}). */
  get count(): number {
    return this.workers.length;
  }

  /**
   * Computes `job` with every worker that wakes up in time, the caller
   * taking chunks too (with `gemmBlocked`, its own instance's export, and
   * the scratch at 0). Returns false if a worker failed: its chunk has
   * been redone here, and the caller should {@link close} the pool.
   */
  run(job: GemmJob, chunks: number, gemmBlocked: GemmBlocked): boolean {
    const shared = this.job;
    shared.set(job.args, GEMM);
    shared[CHUNKS] = chunks;
    shared[CHUNK_ROWS] = job.chunkRows;
    shared[CHUNK_A_BYTES] = job.chunkABytes;
    // The atomic stores publish the job block before any worker can join.
    Atomics.store(shared, NEXT, 0);
    for (const control of this.controls) {
      Atomics.store(control, STATE, POSTED);
      Atomics.notify(control, STATE);
    }
    takeChunks(shared, this.own, gemmBlocked, 0);
    for (const control of this.controls) {
      // A worker that has not joined yet is left out: it finds IDLE when it wakes.
      if (Atomics.compareExchange(control, STATE, POSTED, IDLE) === POSTED) continue;
      for (let state = Atomics.load(control, STATE); state !== IDLE; state = Atomics.load(control, STATE)) {
        Atomics.wait(control, STATE, state);
      }
    }
    // Every worker is idle now, so the counter can be reused to redo a failed worker's chunk here.
    let ok = true;
    for (const control of this.controls) {
      if (Atomics.load(control, FAILED) === 0) continue;
      ok = false;
      const chunk = control[CHUNK]!;
      if (chunk < 0) continue;
      control[CHUNK] = -1;
      shared[CHUNKS] = chunk + 1;
      Atomics.store(shared, NEXT, chunk);
      takeChunks(shared, this.own, gemmBlocked, 0);
    }
    return ok;
  }

  /** Stops every worker. The pool has no workers afterwards; calling it twice is harmless. */
  async close(): Promise<void> {
    const workers = this.workers;
    this.workers = [];
    for (const control of this.controls) {
      Atomics.store(control, QUIT, 1);
      Atomics.store(control, STATE, POSTED);
      Atomics.notify(control, STATE);
    }
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}
