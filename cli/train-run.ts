/**
 * Runs `fit` in a worker thread. `fit` is synchronous, so in the main
 * thread it would hold the event loop for the whole run: no SIGINT handler
 * and no asynchronous checkpoint write could run until it returned. In a
 * worker, the main thread stays free to show progress, write checkpoints
 * atomically, and turn Ctrl-C into a stop flag that the worker reads after
 * every batch.
 */
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type {
  BatchInfo, DType, EpochInfo, FitOptions, FitResult, FitState, Matrix, ModelFile, OptimizerState, Preprocessing, TrainingInfo,
} from 'glassnet';
import type { BackendName, FloatArray } from 'glassnet/backend';
import { GlassnetError, Tensor } from 'glassnet';
import { removeTempFilesSync, writeFileAtomic } from 'glassnet/node';
import type { SpreadSample } from './distributions.js';
import type { Progress } from './progress.js';

/** The fit options that cross to the worker (plain data, no callbacks). */
export type JobFitOptions = Pick<FitOptions, 'loss' | 'lossOptions' | 'epochs' | 'batchSize' | 'shuffle' | 'seed' | 'l2' | 'earlyStopping' | 'timeLimit' | 'errorThreshold' | 'clipNorm' | 'maxSteps' | 'threads'> & {
  resume?: FitState;
  /** The learning-rate schedule as `--schedule` spells it (a schedule is a function, which a message cannot carry). */
  schedule?: string;
};

/** A tensor as it crosses to the worker: its numbers sit on shared memory, so neither thread copies them. */
export interface SharedTensor {
  data: FloatArray;
  shape: [number, number];
}

/** Inputs and targets for `fit`, as shared tensors. */
export interface SharedSamples {
  x: SharedTensor;
  y: SharedTensor;
}

/**
 * A matrix's numbers in `dtype` (the model's) on a SharedArrayBuffer: the
 * worker reads them in place, and `fit` and `evaluate` take a tensor of the
 * model's dtype without a copy. With `reuse`, a matrix already on shared
 * memory is converted in place and must not be used after: float32 value
 * `i` takes bytes 4i..4i+3, which only float64 values already read
 * occupied, so a large table is never held twice.
 */
export function sharedTensor(m: Matrix, dtype: DType, reuse = false): Tensor {
  const size = m.rows * m.cols;
  const { buffer, byteOffset } = m.data;
  if (reuse && buffer instanceof SharedArrayBuffer) {
    if (dtype === 'float64') return new Tensor(m.data, [m.rows, m.cols]);
    const data = new Float32Array(buffer, byteOffset, size);
    for (let i = 0; i < size; i++) data[i] = m.data[i]!;
    return new Tensor(data, [m.rows, m.cols]);
  }
  const data = dtype === 'float64' ? new Float64Array(new SharedArrayBuffer(size * 8)) : new Float32Array(new SharedArrayBuffer(size * 4));
  data.set(m.data);
  return new Tensor(data, [m.rows, m.cols]);
}

/** The plain-data form of a tensor made by {@link sharedTensor}, for a message to the worker. */
export function shared(t: Tensor): SharedTensor {
  return { data: t.data, shape: [t.rows, t.cols] };
}

/** Everything the worker needs, as structured-clonable data. */
export interface Job {
  model: ModelFile;
  /** Built from `createOptimizer(kind, params, options)` then `setState`. */
  optimizer: OptimizerState;
  fit: JobFitOptions;
  /** The backend to train on (default: the fastest, as `selectBestBackend` picks). */
  backend?: BackendName;
  train: SharedSamples;
  validation?: SharedSamples;
  /** Checkpoint every `every` epochs, or else at most every `seconds` and at the end, with these extras in the file. */
  checkpoint?: { every?: number; seconds: number; preprocessing: Preprocessing; training: TrainingInfo };
  /** Milliseconds between batch reports, or null for none (only the live bar shows batches). */
  batchInterval: number | null;
  /** Whether to sample each layer's weight and gradient spread for the report. */
  spreads: boolean;
}

/** Where Ctrl-C stopped a run. */
export interface Interruption {
  epoch: number;
  batch: number;
}

/** Messages from the worker, in the order it sends them. */
export type WorkerMessage =
  | { type: 'batch'; info: BatchInfo }
  | { type: 'epoch'; info: EpochInfo }
  | { type: 'checkpoint'; epoch: number; text: string }
  | { type: 'done'; result: FitResult; model: ModelFile; spreads: SpreadSample[]; interrupted?: Interruption }
  | { type: 'failed'; message: string; stack?: string };

/** The job plus the shared stop flag (an Int32Array view: 0 = run, 1 = stop after this batch). */
export interface WorkerInput extends Job {
  stop: SharedArrayBuffer;
}

/** How a run ended. */
export interface RunOutcome {
  result: FitResult;
  /** The trained model as a model file (weights only). */
  model: ModelFile;
  /** Each layer's weight and gradient spread at sampled epochs (empty unless the job asked). */
  spreads: SpreadSample[];
  interrupted?: Interruption;
  /** The epoch held by the checkpoint file after this run, if one was written. */
  checkpointEpoch?: number;
}

/**
 * Writes an output of a run atomically. When that fails (disk full, I/O
 * error, permission), the content is not lost: it goes to a fallback file
 * in the temporary directory (or the working directory), and the error
 * says where. Only when no fallback can be written either does the error
 * say that nothing was kept.
 * @throws GlassnetError naming `path`, the failed operation, and the fallback file.
 */
export async function writeOrKeep(path: string, data: string, what: string): Promise<void> {
  try {
    await writeFileAtomic(path, data);
  } catch (error) {
    const kept = await writeFallback(path, data);
    const { argument, expected, found } = error instanceof GlassnetError ? error : { argument: path, expected: 'to write the file', found: String(error) };
    throw new GlassnetError({
      code: 'io', argument, expected,
      found: `${found}; ${kept === null ? `${what} could not be saved anywhere else either` : `${what} was saved to ${kept} instead`}`, cause: error,
    });
  }
}

/** Writes `data` to the first place that takes it; returns that path, or null. */
async function writeFallback(path: string, data: string): Promise<string | null> {
  const name = `glassnet-${process.pid}-${basename(path)}`;
  for (const dir of new Set([tmpdir(), process.cwd()])) {
    const fallback = join(dir, name);
    try {
      await writeFileAtomic(fallback, data);
      return fallback;
    } catch {
      // Try the next place.
    }
  }
  return null;
}

/**
 * Trains in a worker; the first Ctrl-C (or SIGTERM) asks it to stop after
 * the current batch, a second one exits at once (an atomic write in flight
 * leaves the checkpoint whole either way, and its temporary file is removed).
 * @throws Error with the worker's message when training fails, e.g. on a
 * non-finite loss; checkpoints already written are kept.
 */
export async function runTraining(job: Job, progress: Progress, checkpointPath?: string): Promise<RunOutcome> {
  const stop = new SharedArrayBuffer(4);
  const flag = new Int32Array(stop);
  const writer = new CheckpointWriter(checkpointPath, () => Atomics.store(flag, 0, 1));
  const onSigint = (): void => {
    if (Atomics.load(flag, 0) !== 0) {
      removeTempFilesSync();
      process.exit(130);
    }
    Atomics.store(flag, 0, 1);
  };
  // SIGTERM (kill, a container stopping) is treated exactly as Ctrl-C.
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  const input: WorkerInput = { ...job, stop };
  const worker = new Worker(new URL('./train-worker.js', import.meta.url), { workerData: input });
  try {
    const last = await new Promise<Extract<WorkerMessage, { type: 'done' | 'failed' }>>((resolve, reject) => {
      worker.on('message', (message: WorkerMessage) => {
        switch (message.type) {
          case 'batch':
            return progress.batch(message.info);
          case 'epoch':
            return progress.epoch(message.info);
          case 'checkpoint':
            return writer.write(message.epoch, message.text);
          case 'done':
          case 'failed':
            return resolve(message);
          default:
            return message satisfies never;
        }
      });
      worker.on('error', reject);
      worker.on('exit', (code) => reject(new Error(`the training worker exited (code ${code}) before finishing`)));
    });
    progress.stop();
    await writer.flush();
    const kept = writer.epoch === undefined ? '' : ` (the checkpoint ${checkpointPath} holds epoch ${writer.epoch})`;
    if (last.type === 'failed') {
      const error = new Error(`${last.message}${kept}`);
      if (last.stack !== undefined) error.stack = last.stack;
      throw error;
    }
    return { result: last.result, model: last.model, spreads: last.spreads, ...(last.interrupted === undefined ? {} : { interrupted: last.interrupted }), ...(writer.epoch === undefined ? {} : { checkpointEpoch: writer.epoch }) };
  } finally {
    progress.stop();
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
    await worker.terminate();
  }
}

/**
 * Writes checkpoints one at a time, atomically. When the worker produces
 * them faster than the disk takes them, only the newest waiting one is
 * written: each is a complete state, so skipping older ones loses nothing.
 */
class CheckpointWriter {
  /** The epoch of the last checkpoint written. */
  epoch: number | undefined;
  private pending: { epoch: number; text: string } | null = null;
  private active: Promise<void> | null = null;
  private failure: unknown = null;

  constructor(private readonly path: string | undefined, private readonly abort: () => void) {}

  write(epoch: number, text: string): void {
    this.pending = { epoch, text };
    this.active ??= this.drain();
  }

  /** Waits for every write; rethrows the first that failed. */
  async flush(): Promise<void> {
    await this.active;
    if (this.failure !== null) throw this.failure;
  }

  private async drain(): Promise<void> {
    while (this.pending !== null && this.path !== undefined && this.failure === null) {
      const { epoch, text } = this.pending;
      this.pending = null;
      try {
        await writeOrKeep(this.path, text, `the checkpoint of epoch ${epoch}`);
        this.epoch = epoch;
      } catch (error) {
        this.failure = error;
        this.abort();
      }
    }
    this.active = null;
  }
}
