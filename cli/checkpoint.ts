/**
 * The checkpoint layout of `glassnet train --checkpoint`: an ordinary
 * `glassnet.model` file (so `info`, `predict` and `evaluate` read it) whose
 * `optimizerState` is `{ "optimizer": <Optimizer.getState()>, "fit": <FitState> }`
 * and whose `training.settings` holds the flags that fix the run. With the
 * weights (and each Dropout layer's generator, which the model file keeps),
 * that is everything `--resume` needs to continue bit for bit.
 */
import {
  GlassnetError, formatModelFile, modelToJSON,
  type EpochInfo, type FitState, type JsonObject, type LoadedModel, type Optimizer, type OptimizerState,
  type Preprocessing, type Sequential, type TrainingInfo,
} from '../src/index.js';

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

/** The text of a checkpoint file after `state.epoch` epochs. */
export function checkpointText(
  model: Sequential, preprocessing: Preprocessing, training: TrainingInfo, optimizer: Optimizer, state: FitState,
): string {
  const last = state.history[state.history.length - 1];
  const progress: TrainingInfo = {
    ...training, epochs: state.epoch, steps: state.steps, date: new Date().toISOString(),
    ...(last === undefined ? {} : { metrics: epochMetrics(last) }),
  };
  const optimizerState: CheckpointState = { optimizer: optimizer.getState(), fit: state };
  return formatModelFile(modelToJSON(model, { preprocessing, training: progress, optimizerState }));
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
