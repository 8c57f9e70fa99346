/**
 * The worker side of train-run.ts: rebuilds the model and optimizer from
 * plain data, runs `fit`, and reports batches, epochs, checkpoints and the
 * outcome as messages.
 *
 * Checkpoints: with `every` set, one per that many epochs. Otherwise one at
 * most every `seconds`, and one at the end, so the cost per epoch stays
 * constant however long the run (a checkpoint's history grows with every
 * epoch, so writing one per epoch costs O(epochs²) in all). A run that ends
 * at an epoch boundary writes its final state; one that ends otherwise
 * (Ctrl-C, a non-finite loss, early stopping, which then restores older
 * weights) writes the newest snapshot, a copy of an epoch end's state taken
 * at most every SNAPSHOT_MS.
 */
import { parentPort, workerData } from 'node:worker_threads';
import {
  Tensor, createOptimizer, fit, modelFromJSON, modelToJSON, scheduleFrom, type FitResult, type FitState, type OptimizerName, type OptimizerOptionsMap,
} from 'glassnet';
import { setBackend } from 'glassnet/backend';
import { checkpointText, snapshot, type Snapshot } from './checkpoint.js';
import { isSampled, spreadOf, type SpreadSample } from './distributions.js';
import { scheduleSpec } from './train-settings.js';
import type { Interruption, SharedTensor, WorkerInput, WorkerMessage } from './train-run.js';

/** Milliseconds between snapshots: a copy costs O(parameters), so this bounds its share of the run. */
const SNAPSHOT_MS = 250;

const job = workerData as WorkerInput;
/** The shared numbers as a tensor again (the message carried its data and shape only). */
const tensorOf = (t: SharedTensor): Tensor => new Tensor(t.data, t.shape);
const post = (message: WorkerMessage): void => parentPort!.postMessage(message);
const { checkpoint } = job;
/** The epoch of the last checkpoint posted. */
let written = -1;
let lastWrite = performance.now();

function write(snap: Snapshot): void {
  if (snap.state.epoch <= written) return;
  post({ type: 'checkpoint', epoch: snap.state.epoch, text: checkpointText(snap, checkpoint!.preprocessing, checkpoint!.training) });
  written = snap.state.epoch;
  lastWrite = performance.now();
}

try {
  if (job.backend !== undefined) setBackend(job.backend);
  const { model } = modelFromJSON(job.model);
  const saved = job.optimizer;
  // The state's options are the resolved settings, so the same kind rebuilds the same optimizer.
  const optimizer = createOptimizer(saved.kind as OptimizerName, model.parameters(), saved.options as OptimizerOptionsMap[OptimizerName]);
  optimizer.setState(saved);
  const stop = new Int32Array(job.stop);
  let interrupted: Interruption | undefined;
  let lastReport = 0;
  /** The newest epoch end's state, and a snapshot of a recent one. */
  let last: FitState | null = null;
  let pending: Snapshot | null = null;
  let lastSnapshot = -Infinity;
  let result: FitResult;
  const spreads: SpreadSample[] = [];
  try {
    const { schedule, ...fitOptions } = job.fit;
    const lrSchedule = schedule === undefined ? undefined : scheduleFrom(scheduleSpec(schedule));
    result = fit(model, tensorOf(job.train.x), tensorOf(job.train.y), {
      ...fitOptions,
      ...(lrSchedule === undefined ? {} : { schedule: lrSchedule }),
      optimizer,
      ...(job.validation === undefined ? {} : { validationData: { x: tensorOf(job.validation.x), y: tensorOf(job.validation.y) } }),
      onBatchEnd: (info) => {
        if (job.batchInterval !== null && performance.now() - lastReport >= job.batchInterval) {
          lastReport = performance.now();
          post({ type: 'batch', info });
        }
        if (Atomics.load(stop, 0) === 0) return true;
        interrupted = { epoch: info.epoch, batch: info.batch };
        return false;
      },
      onEpochEnd: (info) => {
        if (job.spreads && isSampled(info.epoch, job.fit.epochs ?? info.epoch)) spreads.push(spreadOf(model, info.epoch));
        post({ type: 'epoch', info });
      },
      ...(checkpoint === undefined ? {} : {
        checkpointEvery: checkpoint.every ?? 1,
        // After a stop mid-epoch the state is not an epoch boundary, so it must not replace the last good checkpoint.
        onCheckpoint: (state) => {
          if (interrupted !== undefined) return;
          last = state;
          const now = performance.now();
          if (checkpoint.every !== undefined || now - lastWrite >= checkpoint.seconds * 1000) write(snapshot(model, optimizer, state));
          else if (now - lastSnapshot >= SNAPSHOT_MS) {
            pending = snapshot(model, optimizer, state);
            lastSnapshot = now;
          }
        },
      }),
    });
  } catch (error) {
    // A failed run (a non-finite loss) keeps the newest whole epoch it saw.
    if (pending !== null) write(pending);
    throw error;
  }
  if (checkpoint !== undefined && checkpoint.every === undefined) {
    const atBoundary = interrupted === undefined && result.stoppedBy !== 'earlyStopping';
    if (atBoundary && last !== null) write(snapshot(model, optimizer, last));
    else if (pending !== null) write(pending);
  }
  // A run that stopped early ends on an epoch the sampling did not pick: its last state is the one the report must show.
  const lastEpoch = result.history.at(-1)?.epoch;
  if (job.spreads && lastEpoch !== undefined && spreads.at(-1)?.epoch !== lastEpoch) spreads.push(spreadOf(model, lastEpoch));
  post({ type: 'done', result, model: modelToJSON(model), spreads, ...(interrupted === undefined ? {} : { interrupted }) });
} catch (error) {
  const { message, stack } = error instanceof Error ? error : new Error(String(error));
  post({ type: 'failed', message, ...(stack === undefined ? {} : { stack }) });
}
