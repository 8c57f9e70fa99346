// Regression as a user runs it on real data: the diabetes fixture (scripts/make-regression-fixture.py),
// whose reference figures come from scikit-learn.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { regressionReport } from '../src/train/metrics.js';
import { glassnet } from './helpers/cli.js';
import { csvRows, readModelJson, tempDir } from './helpers/cli-files.js';

const DIR = 'test/fixtures/regression';
const TRAIN = `${DIR}/diabetes-train.csv`;
const TEST = `${DIR}/diabetes-test.csv`;
const reference = JSON.parse(readFileSync(`${DIR}/diabetes-reference.json`, 'utf8')) as {
  linear: { r2: number; rmse: number; mae: number; predictions: number[] };
  meanBaseline: { r2: number; rmse: number };
};
const targets = (path: string): number[] => csvRows(path).slice(1).map((r) => Number(r.at(-1)));

describe('regression metrics', () => {
  it('agree with scikit-learn on the linear model\'s test predictions, and the training-mean baseline too', () => {
    const actual = targets(TEST);
    const report = regressionReport(reference.linear.predictions, actual, actual.length, 1);
    expect(report.r2).toBeCloseTo(reference.linear.r2, 12);
    expect(report.rmse).toBeCloseTo(reference.linear.rmse, 10);
    expect(report.mae).toBeCloseTo(reference.linear.mae, 10);
    expect(report.worseThanBaseline).toBe(false);
    const train = targets(TRAIN);
    const mean = train.reduce((s, v) => s + v, 0) / train.length;
    const against = regressionReport(reference.linear.predictions, actual, actual.length, 1, [mean]);
    expect(against.baseline.r2).toBeCloseTo(reference.meanBaseline.r2, 12);
    expect(against.baseline.rmse).toBeCloseTo(reference.meanBaseline.rmse, 10);
  });

  it('average R² over target columns and flag a model worse than the mean', () => {
    // Column 1 predicted exactly (R² 1), column 2 by a constant 0 (R² = 1 - Σt² / Σ(t - t̄)² = 1 - 14/2 = -6).
    const report = regressionReport([1, 0, 2, 0, 3, 0], [1, 1, 2, 2, 3, 3], 3, 2);
    expect(report.r2).toBeCloseTo((1 + (1 - 14 / 2)) / 2, 15);
    expect(report.rmse).toBeCloseTo(Math.sqrt(14 / 6), 15);
    expect(report.worseThanBaseline).toBe(true);
  });
});

describe('glassnet train on the diabetes data', () => {
  const file = tempDir();
  const model = file('diabetes.json');
  const train = glassnet('train', TRAIN, '--out', model);

  it('with default flags reaches at least the linear model\'s test R² (seed 0)', () => {
    expect(train.status).toBe(0);
    expect(train.stdout).toContain('task regression (target "progression" holds numbers (more than 10 distinct values); --task to change)');
    const run = glassnet('evaluate', model, TEST, '--json');
    expect(run.status).toBe(0);
    const result = JSON.parse(run.stdout) as { r2: number; rmse: number; baseline: { r2: number; rmse: number }; worseThanBaseline: boolean };
    expect(result.r2).toBeGreaterThanOrEqual(reference.linear.r2);
    // The baseline is the training mean, as in the reference script.
    expect(result.baseline.r2).toBeCloseTo(reference.meanBaseline.r2, 10);
    expect(result.worseThanBaseline).toBe(false);
    const text = glassnet('evaluate', model, TEST);
    expect(text.stdout).toMatch(/^R² 0\.\d{4} {2}RMSE \d+\.\d+ {2}MAE \d+\.\d+$/m);
    expect(text.stdout).toMatch(/^predicting the training mean: R² -0\.0031 {2}RMSE 71\.398 {2}MAE/m);
  });

  it('stores the target\'s training mean and standard deviation, and predicts in target units', () => {
    const y = targets(TRAIN);
    const mean = y.reduce((s, v) => s + v, 0) / y.length;
    const std = Math.sqrt(y.reduce((s, v) => s + (v - mean) ** 2, 0) / y.length);
    const saved = readModelJson(model).preprocessing!.targetScaler!;
    expect(saved.kind).toBe('standard');
    expect(saved.mean![0]).toBeCloseTo(mean, 10);
    expect(saved.std![0]).toBeCloseTo(std, 10);
    const predict = glassnet('predict', model, TEST);
    expect(predict.status).toBe(0);
    const [header, ...rows] = predict.stdout.trimEnd().split('\n');
    expect(header).toBe('progression');
    const predicted = rows.map(Number);
    const actual = targets(TEST);
    const r2 = regressionReport(predicted, actual, actual.length, 1).r2;
    const evaluated = JSON.parse(glassnet('evaluate', model, TEST, '--json').stdout) as { r2: number };
    expect(r2).toBeCloseTo(evaluated.r2, 6);
  });

  it('trains several targets from --target a,b and names the outputs after them', () => {
    const multi = file('multi.json');
    const run = glassnet('train', TRAIN, '--target', 's5,progression', '--epochs', '20', '--out', multi, '--json');
    expect(run.status).toBe(0);
    const saved = readModelJson(multi);
    expect(saved.architecture.layers.at(-1)!.units).toBe(2);
    expect(saved.preprocessing).toMatchObject({ targetNames: ['s5', 'progression'], task: 'regression' });
    expect((saved.preprocessing as { featureNames: string[] }).featureNames).not.toContain('s5');
    const predict = glassnet('predict', multi, TEST);
    expect(predict.stdout.split('\n')[0]).toBe('s5,progression');
    const evaluated = glassnet('evaluate', multi, TEST, '--json');
    expect(evaluated.status).toBe(0);
    expect(typeof (JSON.parse(evaluated.stdout) as { r2: number }).r2).toBe('number');
  });

  it('warns when the model does worse than predicting the training mean', () => {
    const run = glassnet('train', TRAIN, '--layers', 'none', '--optimizer', 'sgd', '--lr', '1e-6', '--epochs', '1', '--scale-target', 'none', '--quiet');
    expect(run.status).toBe(0);
    expect(run.stderr).toMatch(/^glassnet: warning: on the training rows the model does worse than predicting the training mean/);
  });
});
