/**
 * The checkpoint layout of `glassnet train --checkpoint`: an ordinary
 * `glassnet.model` file (so `info`, `predict` and `evaluate` read it) whose
 * `optimizerState` is `{ "optimizer": <Optimizer.getState()>, "fit": <FitState> }`
 * and whose `training.settings` holds the flags that fix the run. With the
 * weights (and each Dropout layer's generator, which the model file keeps),
 * that is everything `--resume` needs to continue bit for bit.
 */
import {
  GlassnetError, formatModelFile, modelFromJSON, modelToJSON,
  type EpochInfo, type FitState, type JsonObject, type LoadedModel, type ModelFile, type Optimizer, type OptimizerState,
  type Matrix, type Preprocessing, type Sequential, type TrainingInfo,
} from 'glassnet';
import { crc32Float64 } from 'glassnet/node';
import { UsageError } from './flags.js';

/** Seconds between checkpoints when `--checkpoint-every` is not given (one more is written at the end). */
export const CHECKPOINT_SECONDS = 30;

/** What a checkpoint's `optimizerState` holds. */
export interface CheckpointState {
  optimizer: OptimizerState;
  fit: FitState;
}

/** The figures of an epoch as model files record them (`training.metrics`). */
function epochMetrics(info: EpochInfo): Record<string, number> {
  const metrics: Record<string, number> = { loss: info.loss };
  if (info.accuracy !== undefined) metrics['accuracy'] = info.accuracy;
  if (info.valLoss !== undefined) metrics['valLoss'] = info.valLoss;
  if (info.valAccuracy !== undefined) metrics['valAccuracy'] = info.valAccuracy;
  return metrics;
}

/**
 * A run's state at an epoch end, copied (O(parameters)) so it can be
 * written later: the text, whose history grows with every epoch, is only
 * made for the checkpoints actually written.
 */
export interface Snapshot {
  model: ModelFile;
  optimizer: OptimizerState;
  state: FitState;
}

/** Copies the model, optimizer and run state after `state.epoch` epochs. */
export function snapshot(model: Sequential, optimizer: Optimizer, state: FitState): Snapshot {
  return { model: modelToJSON(model), optimizer: optimizer.getState(), state };
}

/** The text of a checkpoint file holding `snap`. */
export function checkpointText({ model, optimizer, state }: Snapshot, preprocessing: Preprocessing, training: TrainingInfo): string {
  const last = state.history[state.history.length - 1];
  const progress: TrainingInfo = {
    ...training, epochs: state.epoch, steps: state.steps, date: new Date().toISOString(),
    ...(last === undefined ? {} : { metrics: epochMetrics(last) }),
  };
  const optimizerState: CheckpointState = { optimizer, fit: state };
  return formatModelFile(modelToJSON(modelFromJSON(model).model, { preprocessing, training: progress, optimizerState }));
}

/**
 * What a checkpoint records of the training data (`training.data`): row
 * count and a CRC-32 of every feature and target value, so a resume can
 * tell that the data changed.
 */
export function dataFingerprint(table: { x: Matrix; y: Matrix }): JsonObject {
  let crc = 0;
  // The inputs then the targets, row after row, a slice at a time: a large table is not copied whole.
  for (const { data } of [table.x, table.y]) {
    for (let at = 0; at < data.length; at += FINGERPRINT_SLICE) crc = crc32Float64(data.subarray(at, at + FINGERPRINT_SLICE), crc);
  }
  return { rows: table.x.rows, crc32: crc.toString(16).padStart(8, '0') };
}

/** Numbers checksummed at a time by {@link dataFingerprint}. */
const FINGERPRINT_SLICE = 1 << 16;

/**
 * Refuses to resume on data other than the checkpoint's, unless `force`.
 * Checkpoints written before the fingerprint existed are not checked.
 * @throws UsageError saying what changed and how to override.
 */
export function checkResumeData(saved: unknown, now: JsonObject, path: string, force: boolean): void {
  if (force || typeof saved !== 'object' || saved === null) return;
  const was = saved as JsonObject;
  if (was['rows'] === now['rows'] && was['crc32'] === now['crc32']) return;
  const fingerprint = (f: JsonObject): string => `${String(f['rows'])} rows with CRC-32 ${String(f['crc32'])}`;
  throw new UsageError({
    code: 'state', argument: 'DATA',
    expected: `the data the checkpoint ${path} was trained on (${fingerprint(was)}; --force-resume continues anyway)`,
    found: `${fingerprint(now)}: ${was['rows'] === now['rows'] ? 'the values changed' : 'the row count changed'}`,
  });
}

/**
 * The run state and settings in a loaded checkpoint file.
 * @throws GlassnetError when the file is a model without checkpoint state.
 */
export function readCheckpoint(loaded: LoadedModel, path: string): { state: CheckpointState; settings: JsonObject } {
  const state = loaded.optimizerState;
  const settings = loaded.training?.['settings'];
  const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObject(state) || !isObject(state['optimizer']) || !isObject(state['fit']) || !isObject(settings)) {
    throw new GlassnetError({
      code: 'state', argument: path,
      expected: 'a checkpoint written by glassnet train --checkpoint (optimizerState.optimizer, optimizerState.fit, training.settings)',
      found: 'a model file without them',
    });
  }
  return { state: state as unknown as CheckpointState, settings };
}
