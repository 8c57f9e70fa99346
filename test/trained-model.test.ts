// One model, one save: a TrainedModel saved from the library works in the CLI, and a CLI model in the library.
import { describe, expect, it } from 'vitest';
import { TrainedModel, fit, fitScaler, iris, mlp, trainTestSplit } from '../src/index.js';
import { loadTrained, saveTrained } from '../src/io/node.js';
import { glassnet } from './helpers/cli.js';
import { csvRows, tempDir } from './helpers/cli-files.js';
import { rejection } from './helpers/errors.js';

describe('TrainedModel', () => {
  const file = tempDir();
  const table = iris();
  const scaler = fitScaler('standard', table.x);
  const model = mlp([4, 8, 3], { activation: 'relu', outputActivation: 'linear', seed: 1 });
  // Integer class labels, as PyTorch takes them.
  const labels = table.y.map((row) => row.indexOf(1));
  fit(model, scaler.transform(table.x), labels, { loss: 'softmaxCrossEntropy', lr: 0.1, epochs: 60, batchSize: 16, seed: 1 });
  const trained = new TrainedModel(model, { loss: 'softmaxCrossEntropy', classes: table.classes!, scaler, featureNames: table.featureNames, targetNames: [table.targetName] });

  it('gives probabilities, labels and its own loss\'s evaluation on raw rows', () => {
    const proba = trained.predictProba(table.x);
    proba.forEach((row) => expect(row.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 6));
    const classes = trained.classify(table.x);
    expect(classes.slice(0, 3)).toEqual(['setosa', 'setosa', 'setosa']);
    const result = trained.evaluate(table.x, table.y);
    const correct = classes.filter((c, i) => c === table.classes![labels[i]!]).length;
    expect(result.classification!.accuracy).toBe(correct / 150);
    expect(result.classification!.accuracy).toBeGreaterThan(0.9);
  });

  it('saved from the library, works in glassnet evaluate and predict with the same figures', async () => {
    await saveTrained(file('lib.json'), trained);
    const run = glassnet('evaluate', file('lib.json'), 'data/iris.csv', '--json');
    expect(run.status).toBe(0);
    const summary = JSON.parse(run.stdout) as { lossName: string; accuracy: number; loss: number };
    const result = trained.evaluate(table.x, table.y);
    expect(summary.lossName).toBe('softmaxCrossEntropy');
    expect(summary.accuracy).toBe(result.classification!.accuracy);
    expect(summary.loss).toBeCloseTo(result.loss, 6);
    expect(glassnet('predict', file('lib.json'), 'data/iris.csv', '--out', file('p.csv')).status).toBe(0);
    const predicted = csvRows(file('p.csv')).slice(1).map((r) => r[0]);
    expect(predicted).toEqual(trained.classify(table.x));
  });

  it('loads a model the CLI trained, agreeing with glassnet predict', async () => {
    expect(glassnet('train', 'iris', '--epochs', '5', '--val-split', '0.2', '--out', file('cli.json'), '--quiet').status).toBe(0);
    const loaded = await loadTrained(file('cli.json'));
    expect(loaded.loss).toBe('softmaxCrossEntropy');
    const rows = glassnet('predict', file('cli.json'), 'data/iris.csv').stdout.trimEnd().split('\n').slice(1).map((l) => l.split(','));
    expect(rows.map((r) => r[0])).toEqual(loaded.classify(table.x));
    loaded.predictProba(table.x).forEach((row, i) => row.forEach((p, j) => expect(p).toBeCloseTo(Number(rows[i]![j + 1]), 6)));
  });

  it('predicts regression outputs in target units and refuses class methods', () => {
    const x = [[0], [1], [2], [3]];
    const y = [[100], [120], [140], [160]];
    const targetScaler = fitScaler('standard', y);
    const net = mlp([1, 1], { outputActivation: 'linear' });
    fit(net, x, targetScaler.transform(y), { loss: 'mse', lr: 0.1, epochs: 500 });
    const reg = new TrainedModel(net, { loss: 'mse', targetScaler });
    expect(reg.task).toBe('regression');
    reg.predict(x).forEach((row, i) => expect(row[0]).toBeCloseTo(y[i]![0]!, 1));
    expect(reg.evaluate(x, y).regression!.r2).toBeGreaterThan(0.999);
    rejection(() => reg.classify(x), 'state', 'classify');
  });

  it('summarises its layers and parameter count', () => {
    expect(model.summary().split('\n')).toEqual([
      'layer1   dense    4 -> 8  relu  40 parameters',
      'layer2   dense    8 -> 3  linear  27 parameters',
      '67 parameters, 4 inputs, 3 outputs',
    ]);
    expect(trained.summary()).toContain('loss softmaxCrossEntropy, task classification, classes setosa, versicolor, virginica');
  });

  it('validationSplit holds out the same rows as trainTestSplit', () => {
    const { test } = trainTestSplit(table, { testFraction: 0.2, seed: 5, stratify: true });
    const net = mlp([4, 3], { outputActivation: 'linear' });
    const result = fit(net, table.x, table.y, { loss: 'softmaxCrossEntropy', epochs: 1, validationSplit: 0.2, seed: 5, batchSize: 150 });
    expect(result.validation!.loss).toBe(new TrainedModel(net, { loss: 'softmaxCrossEntropy' }).evaluate(test.x, test.y).loss);
  });
});
