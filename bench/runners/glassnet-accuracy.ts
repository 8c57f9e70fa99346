/**
 * glassnet's accuracy tasks: `node bench/results/build/bench/runners/glassnet-accuracy.js
 * --workload iris ...` (flags in lib/protocol.ts; recipes in lib/accuracy.ts).
 * The measurement is the task's figure (held-out accuracy, or steps to
 * converge); `extra` carries the cells of the accuracy table: `result`,
 * `target`, `seconds` (training time, data loading excluded) and `run`.
 */
import {
  ARTICLE, Adam, AdamW, Dense, Dropout, Sequential, articleNetwork, cosineAnnealing, evaluate, fit, fitScaler, iris, mlp, tensor,
  trainAutoencoder, trainTestSplit, type NestedNumbers,
} from '../../src/index.js';
import { getBackend } from '../../src/backend/index.js';
import { digits } from '../../cli/digits.js';
import { ARTICLE_RUN, AUTOENCODER_CODES, DIGITS, IRIS, binaryCodes, meanAndMin, reproducedCodes } from '../lib/accuracy.js';
import { runGlassnetRunner } from '../lib/glassnet-backend.js';
import { SETTINGS } from '../lib/plan.js';
import type { Outcome, RunnerArgs } from '../lib/protocol.js';
import { summarize } from '../lib/timing.js';

/** Seconds `run` takes, with what it returns. */
function timed<T>(run: () => T): { value: T; seconds: number } {
  const start = performance.now();
  const value = run();
  return { value, seconds: (performance.now() - start) / 1000 };
}

function heldOutAccuracy(model: Sequential, x: NestedNumbers, y: NestedNumbers): number {
  return evaluate(model, x, y, { loss: 'softmaxCrossEntropy' }).classification!.accuracy;
}

/** Trains the Iris recipe on one split and scores its test part. */
function irisSplit(splitSeed: number): { accuracy: number; tested: number; seconds: number } {
  const { train, test } = trainTestSplit(iris(), { testFraction: IRIS.testFraction, seed: splitSeed, stratify: true });
  const scaler = fitScaler('standard', train.x);
  const model = mlp(IRIS.sizes, { activation: 'tanh', outputActivation: 'linear', seed: IRIS.modelSeed });
  const { seconds } = timed(() => fit(model, scaler.transform(train.x), train.y, {
    loss: 'softmaxCrossEntropy', optimizer: new Adam(model.parameters(), { lr: IRIS.lr }), epochs: IRIS.epochs, batchSize: IRIS.batchSize, seed: IRIS.shuffleSeed,
  }));
  return { accuracy: heldOutAccuracy(model, scaler.transform(test.x), test.y), tested: test.x.length, seconds };
}

function irisTask(): Outcome {
  const runs = IRIS.splitSeeds.map(irisSplit);
  const accuracies = runs.map((r) => r.accuracy);
  const headline = accuracies[IRIS.splitSeeds.indexOf(IRIS.headlineSeed)]!;
  const { mean, min } = meanAndMin(accuracies);
  const seeds = `${IRIS.splitSeeds[0]}–${IRIS.splitSeeds[IRIS.splitSeeds.length - 1]}`;
  return {
    measurement: summarize([headline], 'accuracy'),
    check: {
      ok: headline >= IRIS.target,
      detail: `split seed ${IRIS.headlineSeed}: ${headline.toFixed(3)} on ${runs[0]!.tested} flowers (need >= ${IRIS.target}); `
        + `split seeds ${seeds}: ${accuracies.map((a) => a.toFixed(3)).join(', ')}`,
    },
    config: { recipe: `mlp 4-16-3 tanh, Adam lr ${IRIS.lr}, ${IRIS.epochs} epochs, batch ${IRIS.batchSize}, standard scaling fitted on the training part` },
    extra: {
      result: `${headline.toFixed(3)} (split seed ${IRIS.headlineSeed}); mean ${mean.toFixed(3)}, min ${min.toFixed(3)} over split seeds ${seeds}`,
      target: `≥ ${IRIS.target} on split seed ${IRIS.headlineSeed}`,
      seconds: runs.reduce((s, r) => s + r.seconds, 0),
      run: `${runs.length} trainings`,
      splitSeeds: [...IRIS.splitSeeds],
      accuracies,
      mean,
      min,
    },
  };
}

/** The digits recipe's network: 784-512-256-10 ReLU with dropout after each hidden layer. */
function digitsNetwork(): Sequential {
  return new Sequential([
    new Dense(784, 512, { activation: 'relu', seed: 1 }),
    new Dropout(512, DIGITS.dropout, { seed: 2 }),
    new Dense(512, 256, { activation: 'relu', seed: 3 }),
    new Dropout(256, DIGITS.dropout, { seed: 4 }),
    new Dense(256, 10, { seed: 5 }),
  ]);
}

async function digitsTask(args: RunnerArgs): Promise<Outcome> {
  const run = SETTINGS[args.mode].digits;
  const { train, test } = trainTestSplit(await digits({ count: run.samples }), { testFraction: DIGITS.testFraction, seed: DIGITS.splitSeed, stratify: true });
  const model = digitsNetwork();
  // Converted once here so the timing is training alone (fit() takes a tensor of the model's dtype as it is).
  const x = tensor(train.x);
  const y = tensor(train.y);
  const steps = run.epochs * Math.ceil(train.x.length / DIGITS.batchSize);
  const { value: result, seconds } = timed(() => fit(model, x, y, {
    loss: 'softmaxCrossEntropy',
    optimizer: new AdamW(model.parameters(), { lr: DIGITS.lr, weightDecay: DIGITS.weightDecay }),
    schedule: cosineAnnealing({ tMax: steps, etaMin: 0 }),
    epochs: run.epochs,
    batchSize: DIGITS.batchSize,
    seed: DIGITS.shuffleSeed,
  }));
  const accuracy = heldOutAccuracy(model, test.x, test.y);
  const sizes = `${train.x.length}/${test.x.length} digits, ${run.epochs} epochs`;
  const backend = getBackend().name;
  return {
    measurement: summarize([accuracy], 'accuracy'),
    // A smoke run is too short to be held to the target, only to a floor far above chance.
    check: run.smoke
      ? { ok: accuracy > DIGITS.smokeFloor, detail: `smoke run (${sizes}): held-out accuracy ${accuracy.toFixed(4)} (need > ${DIGITS.smokeFloor}), not the accuracy figure` }
      : { ok: accuracy >= DIGITS.target, detail: `held-out accuracy ${accuracy.toFixed(4)} on ${test.x.length} digits (need >= ${DIGITS.target}); ${sizes}` },
    config: { recipe: `AdamW lr ${DIGITS.lr} weight decay ${DIGITS.weightDecay}, cosine to 0 over ${steps} steps, batch ${DIGITS.batchSize}, dropout ${DIGITS.dropout}` },
    extra: {
      result: `${run.smoke ? 'SMOKE RUN, not the accuracy figure: ' : ''}${accuracy.toFixed(4)} on ${test.x.length} held-out digits`,
      target: run.smoke ? `> ${DIGITS.smokeFloor} (smoke run; chance is 0.1)` : `≥ ${DIGITS.target}`,
      seconds,
      run: `${sizes} (${(seconds / run.epochs).toFixed(1)} s per epoch), backend ${backend}`,
      epochs: run.epochs,
      trainSamples: train.x.length,
      testSamples: test.x.length,
      trainLoss: result.history.map((h) => h.loss),
      trainAccuracy: result.history.map((h) => h.accuracy!),
    },
  };
}

function autoencoderTask(): Outcome {
  const { value: { fit: result, hidden, outputs }, seconds } = timed(() => trainAutoencoder());
  const reproduced = reproducedCodes(outputs);
  const codes = binaryCodes(hidden);
  const distinct = new Set(codes).size;
  const ok = result.stoppedBy === 'threshold' && reproduced === AUTOENCODER_CODES && distinct === AUTOENCODER_CODES;
  const summary = `stopped by ${result.stoppedBy} after ${result.steps} steps; ${reproduced}/${AUTOENCODER_CODES} codes reproduced; `
    + `${distinct} distinct hidden codes (${codes.join(' ')})`;
  return {
    measurement: summarize([result.steps], 'steps'),
    check: { ok, detail: summary },
    config: { recipe: 'AUTOENCODER_8_3_8: sigmoid 8-3-8, full-batch SGD, float64' },
    extra: {
      result: summary,
      target: `error threshold reached, all ${AUTOENCODER_CODES} codes reproduced through ${AUTOENCODER_CODES} distinct hidden codes`,
      seconds,
      run: `${result.steps} full-batch steps`,
      stoppedBy: result.stoppedBy,
      hiddenCodes: codes.join(' '),
      reproduced,
    },
  };
}

function articleTask(): Outcome {
  const model = articleNetwork();
  const { value: result, seconds } = timed(() => fit(model, [[...ARTICLE.inputs]], [[...ARTICLE.targets]], {
    lr: ARTICLE_RUN.lr, errorThreshold: ARTICLE_RUN.errorThreshold, epochs: ARTICLE_RUN.maxEpochs,
  }));
  const outputs = Array.from(model.predict([[...ARTICLE.inputs]]).data);
  const summary = `${result.steps} steps (stopped by ${result.stoppedBy}), E_total ${result.loss.toExponential(3)}, `
    + `outputs ${outputs.map((o) => o.toFixed(6)).join(', ')} for targets ${ARTICLE.targets.join(', ')}`;
  return {
    measurement: summarize([result.steps], 'steps'),
    check: { ok: result.stoppedBy === 'threshold' && result.steps === ARTICLE_RUN.expectedSteps, detail: `${summary} (expected ${ARTICLE_RUN.expectedSteps} steps)` },
    config: { recipe: `articleNetwork() float64, SGD lr ${ARTICLE_RUN.lr}, one sample` },
    extra: {
      result: summary,
      target: `${ARTICLE_RUN.expectedSteps} steps to E_total < ${ARTICLE_RUN.errorThreshold.toExponential(0)} (float64 PyTorch fixture)`,
      seconds,
      run: `${result.steps} steps`,
      outputs,
      loss: result.loss,
    },
  };
}

await runGlassnetRunner({ iris: irisTask, digits: digitsTask, autoencoder: autoencoderTask, article: articleTask });
