/**
 * The worker side of train-run.ts: rebuilds the model and optimizer from
 * plain data, runs `fit`, and reports batches, epochs, checkpoints and the
 * outcome as messages.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createOptimizer, fit, modelFromJSON, modelToJSON, type OptimizerName, type OptimizerOptionsMap } from '../src/index.js';
import { checkpointText } from './checkpoint.js';
import type { Interruption, WorkerInput, WorkerMessage } from './train-run.js';

const job = workerData as WorkerInput;
const post = (message: WorkerMessage): void => parentPort!.postMessage(message);

try {
  const { model } = modelFromJSON(job.model);
  const saved = job.optimizer;
  // The state's options are the resolved settings, so the same kind rebuilds the same optimizer.
  const optimizer = createOptimizer(saved.kind as OptimizerName, model.parameters(), saved.options as OptimizerOptionsMap[OptimizerName]);
  optimizer.setState(saved);
  const stop = new Int32Array(job.stop);
  let interrupted: Interruption | undefined;
  let lastReport = 0;
  const { checkpoint } = job;
  const result = fit(model, job.train.x, job.train.y, {
    ...job.fit,
    optimizer,
    ...(job.validation === undefined ? {} : { validationData: job.validation }),
    onBatchEnd: (info) => {
      if (job.batchInterval !== null && performance.now() - lastReport >= job.batchInterval) {
        lastReport = performance.now();
        post({ type: 'batch', info });
      }
      if (Atomics.load(stop, 0) === 0) return true;
      interrupted = { epoch: info.epoch, batch: info.batch };
      return false;
    },
    onEpochEnd: (info) => post({ type: 'epoch', info }),
    ...(checkpoint === undefined ? {} : {
      checkpointEvery: checkpoint.every,
      // After a stop mid-epoch the state is not an epoch boundary, so it must not replace the last good checkpoint.
      onCheckpoint: (state) => {
        if (interrupted === undefined) post({ type: 'checkpoint', epoch: state.epoch, text: checkpointText(model, checkpoint.preprocessing, checkpoint.training, optimizer, state) });
      },
    }),
  });
  post({ type: 'done', result, model: modelToJSON(model), ...(interrupted === undefined ? {} : { interrupted }) });
} catch (error) {
  const { message, stack } = error instanceof Error ? error : new Error(String(error));
  post({ type: 'failed', message, ...(stack === undefined ? {} : { stack }) });
}
