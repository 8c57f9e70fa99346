import type { NestedNumbers, Tensor } from '../tensor/tensor.js';
import type { Sequential } from '../nn/model.js';
import { withWasmThreads } from '../backend/index.js';
import { Random } from '../util/random.js';
import { BestWeights } from './early-stopping.js';
import { evaluateTensors } from './evaluate.js';
import { checkFitOptions } from './fit-options.js';
import type { EpochInfo, FitOptions, FitResult, FitState, StopReason } from './fit-types.js';
import { EpochCursor, epochInfo, scoreHeldOut } from './session.js';
import { Trainer } from './trainer.js';

export type { BatchInfo, EarlyStoppingOptions, EarlyStoppingState, EpochInfo, FitOptions, FitResult, FitState, StopReason } from './fit-types.js';

/**
 * Trains `model` on inputs `x` and targets `y` with minibatch gradient
 * descent: for each batch, forward, loss, zeroGrad, backward, step. For an
 * auto-encoder pass the same data twice: `fit(model, x, x)`.
 * Validates every argument before touching the model.
 */
export function fit(model: Sequential, x: NestedNumbers | Tensor, y: NestedNumbers | Tensor, options: FitOptions = {}): FitResult {
  const settings = checkFitOptions(model, x, y, options);
  return settings.threads === null ? run(model, settings, options) : withWasmThreads(settings.threads, () => run(model, settings, options));
}

/** fit's loop, on the backend it runs on. */
function run(model: Sequential, settings: ReturnType<typeof checkFitOptions>, options: FitOptions): FitResult {
  const { train, validation, lossName, batchSize, shuffle, epochs, maxSteps, threshold } = settings;
  const lossOptions = options.lossOptions ?? {};
  // What can still refuse the call comes before the Trainer, which allocates the parameters' gradients.
  const monitor = new BestWeights(model, options.earlyStopping, validation !== null);
  if (options.resume?.earlyStopping !== undefined && options.earlyStopping !== undefined) monitor.setState(options.resume.earlyStopping);
  const random = new Random(options.seed ?? 0);
  if (options.resume !== undefined) random.setState(options.resume.random);
  // The Trainer builds the default optimizer (plain SGD with options.lr).
  const trainer = new Trainer(model, { ...options, loss: lossName, batchSize });
  const optimizer = trainer.optimizer;
  const cursor = new EpochCursor(trainer, train, batchSize, shuffle, random);
  const trainLoss = (): number => evaluateTensors(model, train.x, train.y, lossName, lossOptions).loss;
  const started = performance.now();
  const seconds = (): number => (performance.now() - started) / 1000;

  const history: EpochInfo[] = options.resume?.history.slice() ?? [];
  let steps = options.resume?.steps ?? 0;
  let epoch = options.resume?.epoch ?? 0;
  let stoppedBy: StopReason | null = threshold !== undefined && trainLoss() < threshold ? 'threshold' : null;
  while (stoppedBy === null && epoch < epochs) {
    epoch++;
    cursor.begin(epoch);
    while (!cursor.done && stoppedBy === null) {
      const loss = cursor.next();
      steps++;
      if (options.onBatchEnd?.({ epoch, batch: cursor.batch, steps, loss }) === false) stoppedBy = 'callback';
      else if (steps >= maxSteps) stoppedBy = 'maxSteps';
      else if (settings.timeLimit !== undefined && seconds() >= settings.timeLimit) stoppedBy = 'timeLimit';
    }
    const info = epochInfo(epoch, steps, cursor, optimizer.lr);
    if (validation !== null) scoreHeldOut(info, model, validation, lossName, lossOptions);
    info.seconds = seconds();
    history.push(info);
    const improvedEnough = monitor.observe(info);
    if (options.onEpochEnd?.(info) === false) stoppedBy ??= 'callback';
    if (threshold !== undefined && trainLoss() < threshold) stoppedBy = 'threshold';
    else if (!improvedEnough) stoppedBy ??= 'earlyStopping';
    if (options.onCheckpoint !== undefined && epoch % settings.checkpointEvery === 0) {
      const state: FitState = { epoch, steps, random: random.getState(), history: history.slice() };
      const memory = monitor.getState();
      if (memory !== undefined) state.earlyStopping = memory;
      options.onCheckpoint(state);
    }
  }
  const bestEpoch = stoppedBy === 'earlyStopping' ? monitor.restore() : undefined;
  const result: FitResult = { epochs: epoch, steps, stoppedBy: stoppedBy ?? 'epochs', loss: trainLoss(), history };
  if (validation !== null) result.validation = evaluateTensors(model, validation.x, validation.y, lossName, lossOptions);
  if (bestEpoch !== undefined) result.bestEpoch = bestEpoch;
  return result;
}
