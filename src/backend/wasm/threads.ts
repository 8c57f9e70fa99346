/**
 * Worker threads that run the wasm GEMM's `gemmBlocked` export on chunks
 * of a product's row panels (or column panels), over the host's shared
 * linear memory. The
 * host stays synchronous: it publishes the product (the job), wakes the
 * workers, takes chunks itself, then waits until every worker that joined
 * is done. The training loop never awaits anything. Every wait polls for
 * a while before it sleeps in `Atomics.wait` (see {@link POLL_MS}), so a
 * worker is awake for the next product of a training step.
 *
 * **Dynamic scheduling.** Chunks of row panels are handed out by a shared
 * atomic counter (`NEXT` in the job block): every thread, the host
 * included, takes a share of the panels left until none remain. A thread
 * that is slowed down (its core busy with another process) just takes
 * fewer chunks, and a worker that has not woken up by the time the host
 * has taken the last chunk is left out of that job altogether. Shares
 * shrink as the panels run out (guided self-scheduling), so the threads
 * finish close together; fixed chunks left one thread a whole chunk
 * behind the other.
 *
 * **Parallel packing.** Each chunk packs its own panels of A before
 * computing them; the host packs B meanwhile, and chunks wait for it
 * (`SHARED_READY`) before their first multiply-add. Only the copies of the
 * operands into linear memory and of the result out stay serial.
 *
 * **Rows or columns.** A product is split by row panels of A, every
 * thread reading all of packed B, or, when A is the smaller operand, by
 * column panels of B: each chunk then packs its own panels of B (which
 * stay in its core's cache) and the host packs A, which every thread
 * reads. Either way k is never split, so every element of C gets the same
 * operations in the same order as on one thread.
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

/**
 * Slots of the shared job block: the panel counter, how chunks are sized,
 * where op(A) is to be packed from, then gemmBlocked's arguments for the
 * whole product (the last, the scratch, is unused: each thread passes its
 * own). One record, so the worker's copy of the names cannot drift.
 */
const SLOT = {
  /** The first panel no thread has taken yet. */
  NEXT: 0,
  /** Panels in the product: row panels of A, or column panels of B when `COLUMNS` is 1. */
  PANELS: 1,
  /** Rows (MR) or columns (NR) per panel. */
  PANEL_WIDTH: 2,
  /** A take is `ceil(left / SHARES)` panels, clamped to [MIN_CHUNK, MAX_CHUNK]: guided self-scheduling. */
  SHARES: 3,
  MIN_CHUNK: 4,
  MAX_CHUNK: 5,
  /** Byte address of the split operand unpacked (op(A), or op(B)ᵀ by columns), or −1 when it is packed already; a chunk packs its own panels. */
  RAW: 6,
  RAW_ROW_STRIDE: 7,
  RAW_DEPTH_STRIDE: 8,
  /** 0 until the caller has packed the operand every thread reads (B, or A by columns): a chunk packs its own first, then waits. */
  SHARED_READY: 9,
  /** Microseconds a thread polls before it sleeps (see {@link waitWhile}): the pool's, or 0 while it finds the machine contended. */
  POLL_US: 10,
  /** 1 when the product is split by column panels of B. */
  COLUMNS: 11,
  A_PACK: 12, B_PACK: 13, C: 14, M: 15, N: 16, K: 17, A_PANEL: 18, B_PANEL: 19, LDC: 20, LOAD: 21,
} as const;
const JOB_INTS = SLOT.A_PACK + GEMM_ARGS;

// Control block slots.
const STATE = 0;
const QUIT = 1;
const FAILED = 2;
/** The first panel of the chunk a thread is computing, or −1: a failed worker's chunk is redone by the host. */
const CHUNK = 3;
/** Panels in that chunk. */
const CHUNK_SIZE = 4;
const CONTROL_INTS = 5;
const IDLE = 0;
const POSTED = 1;
const RUNNING = 2;

/**
 * Milliseconds a thread polls a slot before it sleeps in `Atomics.wait`,
 * by default. A training step posts its products a fraction of a
 * millisecond apart, and a parked worker took tens of µs to wake, often
 * too late to take a share of a B2-sized product at all; polling keeps it
 * awake between the products of one step, as OpenMP's spin-then-sleep
 * wait does. Past this it sleeps and costs nothing. On a machine whose
 * other core is busy, polling costs more than it saves (see
 * {@link CONTENDED_MS}). Measured in docs/backends.md ("Threads").
 */
const POLL_MS = 2;
/**
 * The sign of a contended machine: the caller, done with its chunks,
 * waited for a worker longer than this and longer than its own share took.
 * Chunks end close together when both threads run (the last takes are
 * small), so a wait that long means the worker lost its core mid-chunk,
 * which polling makes likelier (it spends the worker's time slice). One
 * such wait is not enough: on a virtual machine a core is taken away for
 * a millisecond now and then, idle or not (1–2.5% of B2's split products
 * back to back, measured), so the threads sleep at once for
 * {@link QUIET_MS} only after {@link CONTENDED_OF} of the last
 * {@link RECENT_JOBS} products waited so. Measured in docs/backends.md.
 */
const CONTENDED_MS = 0.5;
const RECENT_JOBS = 8;
const CONTENDED_OF = 2;
const QUIET_MS = 250;

/**
 * Returns once `array[index]` is no longer `value`: polls it for up to
 * `pollMs`, then sleeps in `Atomics.wait` until notified. Host and
 * workers run this same function (the worker's copy is its source text,
 * like {@link computeChunk}'s), so it refers to nothing but its
 * parameters.
 */
function waitWhile(array: Int32Array, index: number, value: number, pollMs: number): void {
  if (pollMs > 0) {
    const until = performance.now() + pollMs;
    for (let polls = 1; Atomics.load(array, index) === value; polls++) {
      // Reading the clock costs more than a poll: look at it every 1024th.
      if ((polls & 1023) === 0 && performance.now() >= until) break;
    }
  }
  while (Atomics.load(array, index) === value) Atomics.wait(array, index, value);
}

/** The exports a thread computes chunks with; `packA` (`packB` by columns) is only called when the job has that operand unpacked. */
interface ChunkKernels {
  gemmBlocked(...args: number[]): void;
  packA?(dst: number, src: number, rows: number, depth: number, rowStride: number, depthStride: number): void;
  packB?(dst: number, src: number, rows: number, depth: number, rowStride: number, depthStride: number): void;
}

/**
 * One chunk, `size` panels from panel `first`: packs its panels of the
 * split operand (when the job has it unpacked), waits until the caller has
 * packed the other, and runs gemmBlocked on its rows of C, or on its
 * columns. Host and workers run this same function: the worker's copy is
 * its source text (see {@link WORKER_SOURCE}), so it must not refer to
 * anything but its parameters, `SLOT` and `waitWhile`, which the worker
 * declares.
 */
function computeChunk(job: Int32Array, first: number, size: number, kernels: ChunkKernels, scratch: number): void {
  const columns = job[SLOT.COLUMNS] === 1;
  const start = first * job[SLOT.PANEL_WIDTH]!;
  const count = Math.min(size * job[SLOT.PANEL_WIDTH]!, job[columns ? SLOT.N : SLOT.M]! - start);
  const aPack = job[SLOT.A_PACK]! + (columns ? 0 : first * job[SLOT.A_PANEL]!);
  const bPack = job[SLOT.B_PACK]! + (columns ? first * job[SLOT.B_PANEL]! : 0);
  const raw = job[SLOT.RAW]!;
  if (raw >= 0) {
    const pack = columns ? kernels.packB! : kernels.packA!;
    pack(columns ? bPack : aPack, raw + 4 * start * job[SLOT.RAW_ROW_STRIDE]!, count, job[SLOT.K]!, job[SLOT.RAW_ROW_STRIDE]!, job[SLOT.RAW_DEPTH_STRIDE]!);
  }
  waitWhile(job, SLOT.SHARED_READY, 0, job[SLOT.POLL_US]! / 1000);
  kernels.gemmBlocked(
    aPack, bPack, job[SLOT.C]! + (columns ? 4 * start : start * job[SLOT.LDC]!), columns ? job[SLOT.M]! : count, columns ? count : job[SLOT.N]!,
    job[SLOT.K]!, job[SLOT.A_PANEL]!, job[SLOT.B_PANEL]!, job[SLOT.LDC]!, job[SLOT.LOAD]!, scratch,
  );
}

/**
 * Takes chunks of row panels off the job's counter and computes them until
 * none remain, recording the current one in `control`. Each take is a
 * share of what is left (guided self-scheduling): large chunks first, which
 * reuse B's packed blocks best, small ones at the end, so the threads
 * finish close together. Like {@link computeChunk}, the worker runs a copy
 * of its source.
 */
function takeChunks(job: Int32Array, control: Int32Array, kernels: ChunkKernels, scratch: number): void {
  for (;;) {
    const first = Atomics.load(job, SLOT.NEXT);
    const left = job[SLOT.PANELS]! - first;
    if (left <= 0) return;
    const share = Math.max(job[SLOT.MIN_CHUNK]!, Math.min(job[SLOT.MAX_CHUNK]!, Math.ceil(left / job[SLOT.SHARES]!)));
    const size = Math.min(left, share);
    if (Atomics.compareExchange(job, SLOT.NEXT, first, first + size) !== first) continue;
    control[CHUNK_SIZE] = size;
    control[CHUNK] = first;
    computeChunk(job, first, size, kernels, scratch);
    control[CHUNK] = -1;
  }
}

/**
 * The worker's program, evaluated from a string so it needs no file of its
 * own next to the compiled library (a string works from `src/` under
 * Vitest and from `dist/` alike). It loads `worker_threads` with
 * `process.getBuiltinModule`, which works whether Node evaluates it as a
 * script or, under `--input-type=module`, as a module. It instantiates the same module
 * over the same shared memory and joins jobs until told to quit. On any
 * failure it flags `FAILED` (with the chunk it was on in `CHUNK`) and
 * leaves, so the host redoes that chunk and closes the pool.
 */
const WORKER_SOURCE = `
const { workerData } = process.getBuiltinModule('node:worker_threads');
const SLOT = ${JSON.stringify(SLOT)};
const [CHUNK, CHUNK_SIZE] = ${JSON.stringify([CHUNK, CHUNK_SIZE])};
const waitWhile = ${waitWhile.toString()};
const computeChunk = ${computeChunk.toString()};
const takeChunks = ${takeChunks.toString()};
const job = new Int32Array(workerData.job);
const control = new Int32Array(workerData.control);
const fail = () => {
  Atomics.store(control, ${FAILED}, 1);
  Atomics.store(control, ${STATE}, ${IDLE});
  Atomics.notify(control, ${STATE});
};
let kernels = null;
try {
  kernels = new WebAssembly.Instance(workerData.module, { env: { memory: workerData.memory } }).exports;
} catch {
  fail();
}
// How long to poll for the next job: read before this worker says IDLE, while the job block is still its own.
let poll = 0;
while (kernels !== null) {
  waitWhile(control, ${STATE}, ${IDLE}, poll);
  if (Atomics.load(control, ${QUIT}) !== 0) break;
  if (Atomics.compareExchange(control, ${STATE}, ${POSTED}, ${RUNNING}) !== ${POSTED}) continue;
  try {
    takeChunks(job, control, kernels, workerData.scratch);
  } catch {
    fail();
    break;
  }
  poll = job[SLOT.POLL_US] / 1000;
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

/** One product for {@link GemmWorkers.run}: gemmBlocked's arguments for the whole product, cut into chunks of row (or column) panels. */
export interface GemmJob {
  /** `gemmBlocked`'s arguments for the whole product (the last, the scratch, is replaced by each thread's own). */
  readonly args: readonly number[];
  /** Split by column panels of B (each chunk packs its B, the caller packs A) rather than row panels of A. */
  readonly columns: boolean;
  /** Rows per panel (MR), or columns (NR) by columns. */
  readonly panelWidth: number;
  /**
   * Byte address of the split operand unpacked (op(A) for `packA`, or op(B)ᵀ
   * for `packB` by columns), with its strides in elements, or −1 when it
   * is packed already.
   */
  readonly raw: number;
  readonly rawRowStride: number;
  readonly rawDepthStride: number;
  /** Fewest and most panels a thread takes at once (the last take may be smaller). */
  readonly minChunk: number;
  readonly maxChunk: number;
}

/** Set bits of a small non-negative integer. */
function bitCount(bits: number): number {
  let count = 0;
  for (let rest = bits; rest !== 0; rest &= rest - 1) count++;
  return count;
}

/**
 * Whether a pool's threads poll or sleep at once, from how its recent
 * products went (see {@link CONTENDED_MS}). Times are milliseconds on one
 * clock (`performance.now()` in the pool), passed in so the rule can be
 * tested without threads.
 */
export class PollPolicy {
  /** Until this time the threads sleep at once instead of polling: the machine looked contended. */
  private quietUntil = 0;
  /** Which of the last {@link RECENT_JOBS} products had a contended wait, one bit each (the newest lowest). */
  private contended = 0;

  /** `pollUs`: microseconds to poll while the machine does not look contended. */
  constructor(private readonly pollUs: number) {}

  /** Microseconds the threads poll for a product posted at `now`. */
  pollFor(now: number): number {
    return now < this.quietUntil ? 0 : this.pollUs;
  }

  /**
   * Records a product: posted at `posted`, the caller done with its own
   * chunks at `done`, every worker done at `end`. The wait `end − done`
   * is contended when it is longer than {@link CONTENDED_MS} and than the
   * caller's own share; at {@link CONTENDED_OF} such products of the last
   * {@link RECENT_JOBS}, the threads sleep at once for {@link QUIET_MS}.
   */
  observe(posted: number, done: number, end: number): void {
    const waited = end - done;
    this.contended = ((this.contended << 1) | (waited > CONTENDED_MS && waited > done - posted ? 1 : 0)) & ((1 << RECENT_JOBS) - 1);
    if (bitCount(this.contended) >= CONTENDED_OF) {
      this.quietUntil = end + QUIET_MS;
      this.contended = 0;
    }
  }
}

/** A started pool of GEMM workers; see the file comment for the protocol. */
export class GemmWorkers {
  /** The caller's own control block: takeChunks records its chunk there too. */
  private readonly own = new Int32Array(CONTROL_INTS).fill(-1);

  private constructor(
    private workers: NodeWorker[], private readonly job: Int32Array, private readonly controls: Int32Array[], private readonly poll: PollPolicy,
  ) {}

  /**
   * Starts `count` workers over `memory` (which must be shared) running
   * `module`, or returns null when worker threads are unavailable. Worker
   * `i` spills edge tiles to the scratch at `scratchBytes·(i + 1)` (the
   * caller's is at 0). Every thread polls for `pollMs` before it sleeps
   * ({@link POLL_MS} by default; 0 sleeps at once). The workers are
   * unref'd: they never keep the process alive.
   */
  static start(module: WebAssembly.Module, memory: WebAssembly.Memory, count: number, scratchBytes: number, pollMs = POLL_MS): GemmWorkers | null {
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
    return new GemmWorkers(workers, job, controls, new PollPolicy(Math.round(pollMs * 1000)));
  }

  /** Workers that are running (0 after {@link close}). */
  get count(): number {
    return this.workers.length;
  }

  /**
   * Computes `job` with every worker that wakes up in time, the caller
   * taking chunks too (with its own instance's `kernels` and the scratch
   * at 0). The workers are woken first; `packShared` then packs the
   * operand every thread reads (B, or A by columns) on the caller while
   * they pack their first chunks. Returns false if a worker
   * failed: its chunk has been redone here, and the caller should
   * {@link close} the pool.
   */
  run(job: GemmJob, kernels: ChunkKernels, packShared: () => void): boolean {
    const shared = this.job;
    shared.set(job.args, SLOT.A_PACK);
    shared[SLOT.COLUMNS] = job.columns ? 1 : 0;
    shared[SLOT.PANELS] = Math.ceil(job.args[job.columns ? 4 : 3]! / job.panelWidth);
    shared[SLOT.PANEL_WIDTH] = job.panelWidth;
    shared[SLOT.SHARES] = 2 * (1 + this.controls.length);
    shared[SLOT.MIN_CHUNK] = job.minChunk;
    shared[SLOT.MAX_CHUNK] = job.maxChunk;
    shared[SLOT.RAW] = job.raw;
    shared[SLOT.RAW_ROW_STRIDE] = job.rawRowStride;
    shared[SLOT.RAW_DEPTH_STRIDE] = job.rawDepthStride;
    shared[SLOT.SHARED_READY] = 0;
    const posted = performance.now();
    shared[SLOT.POLL_US] = this.poll.pollFor(posted);
    // The atomic stores publish the job block before any worker can join.
    Atomics.store(shared, SLOT.NEXT, 0);
    for (const control of this.controls) {
      Atomics.store(control, STATE, POSTED);
      Atomics.notify(control, STATE);
    }
    packShared();
    Atomics.store(shared, SLOT.SHARED_READY, 1);
    Atomics.notify(shared, SLOT.SHARED_READY);
    takeChunks(shared, this.own, kernels, 0);
    const done = performance.now();
    for (const control of this.controls) {
      // A worker that has not joined yet is left out: it finds IDLE when it wakes.
      if (Atomics.compareExchange(control, STATE, POSTED, IDLE) === POSTED) continue;
      waitWhile(control, STATE, RUNNING, shared[SLOT.POLL_US]! / 1000);
    }
    this.poll.observe(posted, done, performance.now());
    // Every worker is idle now: a failed worker's chunk is redone here, from its packing on.
    let ok = true;
    for (const control of this.controls) {
      if (Atomics.load(control, FAILED) === 0) continue;
      ok = false;
      const first = control[CHUNK]!;
      if (first < 0) continue;
      control[CHUNK] = -1;
      computeChunk(shared, first, control[CHUNK_SIZE]!, kernels, 0);
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
