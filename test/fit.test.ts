// fit(): minibatches, validation, metrics, callbacks, stopping rules,
// regularisation and repeatability.
import { describe, expect, it } from 'vitest';
import {
  Dense, Dropout, Random, SGD, Sequential, backward, classificationReport, evaluate, fit, getLoss, iris, mlp, tensor, trainTestSplit, type Dense as DenseT,
} from '../src/index.js';
import { rejection } from './helpers/errors.js';

const weights = (model: Sequential) => model.parameters().map((p) => Array.from(p.data));

/** Two separable blobs in 2-D with one-hot labels. */
function blobs(count: number, seed: number) {
  const random = new Random(seed);
  const x: number[][] = [];
  const y: number[][] = [];
  for (let i = 0; i < count; i++) {
    const label = i % 2;
    x.push([random.normal() * 0.5 + (label === 0 ? -1 : 1), random.normal() * 0.5]);
    y.push(label === 0 ? [1, 0] : [0, 1]);
  }
  return { x, y };
}

describe('metrics', () => {
  it('computes accuracy, the confusion matrix and per-class precision/recall', () => {
    // actual:    0 0 1 1 2 2
    // predicted: 0 1 1 1 2 0
    const targets = new Float64Array([1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 1]);
    const predictions = new Float64Array([0.8, 0.1, 0.1, 0.2, 0.7, 0.1, 0.1, 0.6, 0.3, 0, 1, 0, 0.1, 0.2, 0.7, 0.5, 0.2, 0.3]);
    const report = classificationReport(predictions, targets, 6, 3);
    expect(report.accuracy).toBe(4 / 6);
    expect(report.confusion).toEqual([[1, 1, 0], [0, 2, 0], [1, 0, 1]]);
    expect(report.perClass.map((c) => [c.precision, c.recall, c.support])).toEqual([[1 / 2, 1 / 2, 2], [2 / 3, 1, 2], [1, 1 / 2, 2]]);
  });

  it('treats one sigmoid column as two classes split at 0.5', () => {
    const report = classificationReport(new Float64Array([0.9, 0.2, 0.6]), new Float64Array([1, 0, 0]), 3, 1);
    expect(report.confusion).toEqual([[1, 1], [0, 1]]);
  });
});

describe('fit', () => {
  it('learns two blobs, reporting accuracy and validation figures per epoch', () => {
    const { x, y } = blobs(200, 1);
    const model = mlp([2, 8, 2], { activation: 'tanh', outputActivation: 'linear', seed: 1 });
    // The validation rows are trainTestSplit's, seeded and stratified, as the CLI's --val-split holds out.
    const { test } = trainTestSplit({ x, y }, { testFraction: 0.25, seed: 2, stratify: true });
    const before = evaluate(model, test.x, test.y, { loss: 'softmaxCrossEntropy' }).loss;
    const result = fit(model, x, y, { loss: 'softmaxCrossEntropy', lr: 0.5, epochs: 30, batchSize: 16, validationSplit: 0.25, seed: 2 });
    const last = result.history.at(-1)!;
    expect(result.history).toHaveLength(30);
    expect(last.accuracy).toBeGreaterThan(0.9);
    expect(last.valAccuracy).toBeGreaterThan(0.9);
    expect(result.validation!.classification!.accuracy).toBe(last.valAccuracy);
    expect(last.valLoss).toBeLessThan(before / 2);
    const check = evaluate(model, test.x, test.y, { loss: 'softmaxCrossEntropy' });
    expect(check.loss).toBe(result.validation!.loss);
  });

  it('holds out a shuffled, stratified validation set even when the rows are sorted by class', () => {
    const table = iris();
    const model = mlp([4, 3], { outputActivation: 'linear' });
    const result = fit(model, table.x, table.y, { loss: 'softmaxCrossEntropy', epochs: 1, validationSplit: 0.2, seed: 3 });
    expect(result.validation!.classification!.perClass.map((c) => c.support)).toEqual([10, 10, 10]);
  });

  it('takes class indices as targets, as one-hot rows', () => {
    const { x, y } = blobs(40, 4);
    const labels = y.map((row) => row.indexOf(1));
    const train = (targets: number[] | number[][]) => {
      const model = mlp([2, 4, 2], { seed: 1, outputActivation: 'linear' });
      fit(model, x, targets, { loss: 'softmaxCrossEntropy', lr: 0.3, epochs: 5, batchSize: 8 });
      return weights(model);
    };
    expect(train(labels)).toEqual(train(y));
    rejection(() => fit(mlp([2, 2]), x, labels.map((l) => l + 1), { loss: 'softmaxCrossEntropy' }), 'range', 'y[' + labels.findIndex((l) => l === 1) + ']');
  });

  it('checks targets as the loss needs them: probabilities for binaryCrossEntropy, distributions for softmaxCrossEntropy', () => {
    rejection(() => fit(mlp([1, 1]), [[0], [1]], [[0], [2]], { loss: 'binaryCrossEntropy' }), 'range', 'y[1][0]');
    rejection(() => fit(mlp([1, 2]), [[0], [1]], [[1, 0], [1, 1]], { loss: 'softmaxCrossEntropy' }), 'range', 'y[1]');
    rejection(() => evaluate(mlp([1, 2]), [[0]], [[-0.5, 1.5]], { loss: 'softmaxCrossEntropy' }), 'range', 'y[0]');
    // Class probabilities are allowed, as PyTorch's cross-entropy allows them.
    expect(() => fit(mlp([1, 2]), [[0], [1]], [[0.25, 0.75], [1, 0]], { loss: 'softmaxCrossEntropy', epochs: 1 })).not.toThrow();
  });

  it('is repeatable bit for bit from one seed, shuffling and dropout included', () => {
    const run = () => {
      const model = new Sequential([new Dense(2, 16, { activation: 'relu', seed: 3 }), new Dropout(16, 0.3, { seed: 4 }), new Dense(16, 2, { seed: 5 })]);
      const { x, y } = blobs(64, 2);
      const result = fit(model, x, y, { loss: 'softmaxCrossEntropy', lr: 0.1, epochs: 5, batchSize: 8, seed: 6 });
      return { weights: weights(model), history: result.history.map((h) => h.loss) };
    };
    const first = run();
    expect(run()).toEqual(first);
  });

  it('stops on maxSteps, on the time limit and when a batch callback says so', () => {
    const { x, y } = blobs(40, 3);
    const model = () => mlp([2, 4, 2], { seed: 2 });
    expect(fit(model(), x, y, { batchSize: 4, maxSteps: 7 })).toMatchObject({ steps: 7, stoppedBy: 'maxSteps', epochs: 1 });
    const limited = fit(model(), x, y, { batchSize: 1, epochs: 1e6, timeLimit: 0.05 });
    expect(limited.stoppedBy).toBe('timeLimit');
    expect(limited.history.at(-1)?.seconds ?? 0.05).toBeLessThan(5);
    const seen: number[] = [];
    const stopped = fit(model(), x, y, { batchSize: 4, onBatchEnd: (b) => { seen.push(b.batch); return b.batch < 3; } });
    expect(stopped).toMatchObject({ steps: 3, stoppedBy: 'callback' });
    expect(seen).toEqual([1, 2, 3]);
  });

  it('stops early when validation loss stops improving and restores the best weights', () => {
    const { x, y } = blobs(60, 4);
    // A tiny validation set and a big learning rate make the validation loss wander.
    const model = mlp([2, 32, 2], { activation: 'relu', outputActivation: 'linear', seed: 7 });
    const snapshots: number[][][] = [];
    const result = fit(model, x, y, {
      loss: 'softmaxCrossEntropy', lr: 2, epochs: 200, batchSize: 4, validationSplit: 0.1, seed: 1,
      earlyStopping: { patience: 3 }, onEpochEnd: () => { snapshots.push(weights(model)); },
    });
    expect(result.stoppedBy).toBe('earlyStopping');
    const best = result.history.reduce((a, b) => (b.valLoss! < a.valLoss! ? b : a));
    expect(result.bestEpoch).toBe(best.epoch);
    expect(result.epochs).toBe(best.epoch + 3);
    expect(weights(model)).toEqual(snapshots[best.epoch - 1]);
  });

  it('adds λ·w to weight gradients (not biases) for L2', () => {
    const x = [[0.5, -0.3]];
    const y = [[0.2]];
    const penalized = mlp([2, 1], { activation: 'linear', seed: 8, dtype: 'float64' });
    const plain = mlp([2, 1], { activation: 'linear', seed: 8, dtype: 'float64' });
    fit(penalized, x, y, { loss: 'mse', lr: 0.1, epochs: 1, l2: 0.5 });
    const layer = plain.layers[0] as DenseT;
    const loss = getLoss('mse')(plain.forward(tensor(x, { dtype: 'float64' })), tensor(y, { dtype: 'float64' }));
    backward(loss);
    const expectedWeights = Array.from(layer.weight.data, (w, i) => w - 0.1 * (layer.weight.grad!.data[i]! + 0.5 * w));
    const expectedBias = layer.bias!.data[0]! - 0.1 * layer.bias!.grad!.data[0]!;
    const trained = penalized.layers[0] as DenseT;
    Array.from(trained.weight.data).forEach((w, i) => expect(w).toBeCloseTo(expectedWeights[i]!, 15));
    expect(trained.bias!.data[0]).toBeCloseTo(expectedBias, 15);
  });

  it('rejects bad options and data before touching the model, naming the argument', () => {
    const model = mlp([2, 2], { seed: 1 });
    const before = weights(model);
    const bad: [object, string, string][] = [
      [{ validationSplit: 1 }, 'range', 'options.validationSplit'], [{ validationSplit: 0 }, 'range', 'options.validationSplit'],
      [{ timeLimit: 0 }, 'range', 'options.timeLimit'], [{ l2: -1 }, 'range', 'options.l2'], [{ clipNorm: 0 }, 'range', 'options.clipNorm'],
      [{ batchSize: 0 }, 'range', 'options.batchSize'], [{ epochs: 1.5 }, 'range', 'options.epochs'], [{ lr: 0 }, 'range', 'options.lr'],
      [{ earlyStopping: { patience: 0 } }, 'range', 'options.earlyStopping.patience'],
      [{ earlyStopping: { patience: 2, monitor: 'valLoss' } }, 'state', 'options.earlyStopping.monitor'],
      [{ maxSteps: -3 }, 'range', 'options.maxSteps'], [{ checkpointEvery: 0 }, 'range', 'options.checkpointEvery'],
      [{ validationData: { x: [[1, 2], [3, 4]], y: [[0, 1]] } }, 'shape', 'options.validationData.y'],
    ];
    for (const [options, code, argument] of bad) rejection(() => fit(model, [[1, 2]], [[0, 1]], options), code, argument);
    rejection(() => fit(model, [[1, 2], [3, 4]], [[0, 1]]), 'shape', 'y');
    expect(weights(model)).toEqual(before);
    expect(model.parameters().every((p) => p.grad === null)).toBe(true);
  });
});

describe('Dropout', () => {
  it('is the identity when not training and drops about `rate` of the values when training', () => {
    const layer = new Dropout(1000, 0.25, { seed: 1, dtype: 'float64' });
    const x = tensor([Array.from({ length: 1000 }, () => 1)], { dtype: 'float64' });
    expect(layer.forward(x)).toBe(x);
    const out = Array.from(layer.forward(x, true).data);
    const dropped = out.filter((v) => v === 0).length;
    expect(dropped).toBeGreaterThan(200);
    expect(dropped).toBeLessThan(300);
    expect(out.filter((v) => v !== 0).every((v) => v === 1 / 0.75)).toBe(true);
  });

  it('passes gradients only through kept units, scaled like the values', () => {
    const layer = new Dropout(6, 0.5, { seed: 2, dtype: 'float64' });
    const x = tensor([[1, 2, 3, 4, 5, 6]], { dtype: 'float64', requiresGrad: true });
    const out = layer.forward(x, true);
    backward(getLoss('squaredError')(out, tensor([[0, 0, 0, 0, 0, 0]], { dtype: 'float64' })));
    Array.from(out.data).forEach((v, i) => expect(x.grad!.data[i]).toBe(v * (v === 0 ? 0 : 2)));
  });
});

describe('SGD through fit and by hand agree', () => {
  it('takes the same steps', () => {
    const model = mlp([2, 3, 1], { seed: 9, dtype: 'float64' });
    const manual = mlp([2, 3, 1], { seed: 9, dtype: 'float64' });
    fit(model, [[0.1, 0.2], [0.3, -0.1]], [[1], [0]], { lr: 0.3, epochs: 4 });
    const optimizer = new SGD(manual.parameters(), 0.3);
    for (let i = 0; i < 4; i++) {
      optimizer.zeroGrad();
      backward(getLoss('squaredError')(manual.forward(tensor([[0.1, 0.2], [0.3, -0.1]], { dtype: 'float64' })), tensor([[1], [0]], { dtype: 'float64' })));
      optimizer.step();
    }
    expect(weights(model)).toEqual(weights(manual));
  });
});

describe('checkpoints', () => {
  it('an interrupted and resumed run ends with the same weights as an uninterrupted one', async () => {
    const { Adam, createOptimizer, modelFromJSON, modelToJSON, formatModelFile } = await import('../src/index.js');
    const build = () => new Sequential([new Dense(2, 12, { activation: 'relu', seed: 3 }), new Dropout(12, 0.2, { seed: 4 }), new Dense(12, 2, { seed: 5 })]);
    const { x, y } = blobs(48, 6);
    const options = { loss: 'softmaxCrossEntropy' as const, epochs: 6, batchSize: 8, seed: 7 };

    const whole = build();
    fit(whole, x, y, { ...options, optimizer: new Adam(whole.parameters(), { lr: 0.01 }) });

    // Run to epoch 3, keeping only what a checkpoint file keeps, then stop.
    const first = build();
    const firstOptimizer = new Adam(first.parameters(), { lr: 0.01 });
    let saved = '';
    fit(first, x, y, {
      ...options, optimizer: firstOptimizer, epochs: 3,
      onCheckpoint: (state) => { saved = formatModelFile(modelToJSON(first, { optimizerState: { ...firstOptimizer.getState(), fit: state } as never })); },
    });

    const loaded = modelFromJSON(saved);
    const state = loaded.optimizerState as unknown as ReturnType<typeof firstOptimizer.getState> & { fit: import('../src/index.js').FitState };
    const optimizer = createOptimizer(state.kind, loaded.model.parameters(), state.options as never);
    optimizer.setState(state);
    const resumed = fit(loaded.model, x, y, { ...options, optimizer, resume: JSON.parse(JSON.stringify(state.fit)) });
    expect(resumed.epochs).toBe(6);
    expect(resumed.history).toHaveLength(6);
    expect(weights(loaded.model)).toEqual(weights(whole));
  });

  it('rejects a malformed resume state', () => {
    rejection(() => fit(mlp([2, 2]), [[1, 2]], [[0, 1]], { resume: { epoch: 2, steps: 1, random: [1, 2, 3], history: [] } as never }), 'type', 'options.resume');
  });
});

describe('checkpoints with early stopping', () => {
  it('a resumed run stops at the same epoch with the same restored weights', () => {
    const { x, y } = blobs(60, 4);
    const build = () => mlp([2, 32, 2], { activation: 'relu', outputActivation: 'linear', seed: 7 });
    const options = {
      loss: 'softmaxCrossEntropy' as const, lr: 2, epochs: 200, batchSize: 4, validationSplit: 0.1, seed: 1, earlyStopping: { patience: 3 },
    };
    const whole = build();
    const expected = fit(whole, x, y, options);
    expect(expected.stoppedBy).toBe('earlyStopping');

    // Stop one epoch before the end, inside the patience wait, keeping only a JSON copy of everything.
    const first = build();
    let saved = '';
    fit(first, x, y, {
      ...options, epochs: expected.epochs - 1,
      onCheckpoint: (state) => { saved = JSON.stringify({ state, weights: weights(first) }); },
    });
    const { state, weights: savedWeights } = JSON.parse(saved);
    expect(state.earlyStopping.waited).toBeGreaterThan(0);
    const resumedModel = build();
    resumedModel.parameters().forEach((p, i) => p.data.set(savedWeights[i]));
    const resumed = fit(resumedModel, x, y, { ...options, resume: state });
    expect(resumed).toMatchObject({ stoppedBy: 'earlyStopping', epochs: expected.epochs, bestEpoch: expected.bestEpoch });
    expect(weights(resumedModel)).toEqual(weights(whole));
  });

  it('rejects an early-stopping memory that does not fit the model', () => {
    const model = mlp([2, 2]);
    const resume = { epoch: 1, steps: 1, random: [1, 2, 3, 4], history: [{}], earlyStopping: { best: 0.5, bestEpoch: 1, waited: 0, weights: [[1]] } };
    rejection(() => fit(model, [[1, 2]], [[0, 1]], { resume: resume as never, earlyStopping: { patience: 2 } }), 'type', 'options.resume.earlyStopping');
    expect(model.parameters().every((p) => p.grad === null)).toBe(true);
  });
});
