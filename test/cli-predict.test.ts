// `glassnet predict`, `evaluate` and `info` as a user runs them, on a model
// trained once by `glassnet train`; predictions are checked against a float64
// forward pass of the saved weights written in the test helpers.
import { readFileSync, writeFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { glassnet } from './helpers/cli.js';
import { csvRows, expectOneLineError, forward, readModelJson, softmax, tempDir } from './helpers/cli-files.js';

const IRIS = 'data/iris.csv';
const FIXTURES = 'test/fixtures/cli';
const file = tempDir();
const MODEL = file('iris.json');

beforeAll(() => {
  const run = glassnet('train', IRIS, '--layers', '6', '--dropout', '0.1', '--lr', '0.05', '--epochs', '15', '--batch-size', '16', '--seed', '2', '--out', MODEL, '--quiet');
  expect(run.status).toBe(0);
});

/** Iris rows as features and labels. */
function iris(): { x: number[][]; labels: string[] } {
  const rows = csvRows(IRIS).slice(1);
  return { x: rows.map((r) => r.slice(0, 4).map(Number)), labels: rows.map((r) => r[4]!) };
}

describe('glassnet predict', () => {
  it('writes one CSV row per sample: the label, then softmax probabilities matching a float64 forward pass', () => {
    const run = glassnet('predict', MODEL, IRIS);
    expect(run.status).toBe(0);
    const [header, ...rows] = run.stdout.trimEnd().split('\n').map((l) => l.split(','));
    expect(header).toEqual(['label', 'p_setosa', 'p_versicolor', 'p_virginica']);
    expect(rows).toHaveLength(150);
    const model = readModelJson(MODEL);
    const classes = ['setosa', 'versicolor', 'virginica'];
    iris().x.forEach((x, r) => {
      const expected = softmax(forward(model, x));
      const got = rows[r]!.slice(1).map(Number);
      got.forEach((p, c) => expect(Math.abs(p - expected[c]!)).toBeLessThan(2e-6));
      expect(rows[r]![0]).toBe(classes[expected.indexOf(Math.max(...expected))]);
    });
  });

  it('reads a CSV by column name: target absent, columns reordered, extra columns ignored', () => {
    const run = glassnet('predict', MODEL, `${FIXTURES}/no-target.csv`, '--format', 'json');
    expect(run.status).toBe(0);
    const predictions = JSON.parse(run.stdout) as { label: string; probabilities: Record<string, number> }[];
    const model = readModelJson(MODEL);
    // no-target.csv holds these three flowers with columns id, petal_width, petal_length, sepal_width, sepal_length.
    const inputs = [[5.1, 3.5, 1.4, 0.2], [5.7, 2.8, 4.5, 1.3], [6.3, 3.3, 6.0, 2.5]];
    expect(predictions).toHaveLength(3);
    predictions.forEach((p, r) => {
      const expected = softmax(forward(model, inputs[r]!));
      expect(Object.keys(p.probabilities)).toEqual(['setosa', 'versicolor', 'virginica']);
      Object.values(p.probabilities).forEach((v, c) => expect(Math.abs(v - expected[c]!)).toBeLessThan(2e-6));
    });
  });

  it('writes to --out, and gives regression outputs under the target name', () => {
    const regression = file('reg.json');
    expect(glassnet('train', `${FIXTURES}/regression.csv`, '--layers', 'none', '--epochs', '3', '--out', regression, '--quiet').status).toBe(0);
    const run = glassnet('predict', regression, `${FIXTURES}/regression.csv`, '--out', file('reg.csv'));
    expect(run.status).toBe(0);
    expect(run.stdout).toBe('');
    const [header, ...rows] = readFileSync(file('reg.csv'), 'utf8').trimEnd().split('\n');
    expect(header).toBe('y');
    const model = readModelJson(regression);
    const data = csvRows(`${FIXTURES}/regression.csv`).slice(1).map((r) => r.slice(0, 2).map(Number));
    // Outputs are in target units: the standardisation of the target is undone.
    const { mean, std } = model.preprocessing!.targetScaler! as { mean: number[]; std: number[] };
    rows.forEach((row, r) => expect(Math.abs(Number(row) - (forward(model, data[r]!)[0]! * std[0]! + mean[0]!))).toBeLessThan(1e-5));
  });

  it('gives both class probabilities for a one-output binaryCrossEntropy model', () => {
    const binary = file('fruit.json');
    expect(glassnet('train', `${FIXTURES}/fruit.csv`, '--loss', 'binaryCrossEntropy', '--epochs', '5', '--out', binary, '--quiet').status).toBe(0);
    const [header, ...rows] = glassnet('predict', binary, `${FIXTURES}/fruit.csv`).stdout.trimEnd().split('\n').map((l) => l.split(','));
    expect(header).toEqual(['label', 'p_apple', 'p_pear']);
    const model = readModelJson(binary);
    const data = csvRows(`${FIXTURES}/fruit.csv`).slice(1).map((r) => r.slice(0, 2).map(Number));
    rows.forEach((row, r) => {
      const pear = forward(model, data[r]!)[0]!;
      expect(Math.abs(Number(row[2]) - pear)).toBeLessThan(2e-6);
      expect(Math.abs(Number(row[1]) - (1 - pear))).toBeLessThan(2e-6);
      expect(row[0]).toBe(pear >= 0.5 ? 'pear' : 'apple');
    });
  });

  it('gives σ(logit) as the probability for a binaryCrossEntropyWithLogits model', () => {
    const binary = file('fruit-logits.json');
    expect(glassnet('train', `${FIXTURES}/fruit.csv`, '--loss', 'binaryCrossEntropyWithLogits', '--epochs', '5', '--out', binary, '--quiet').status).toBe(0);
    const [header, ...rows] = glassnet('predict', binary, `${FIXTURES}/fruit.csv`).stdout.trimEnd().split('\n').map((l) => l.split(','));
    expect(header).toEqual(['label', 'p_apple', 'p_pear']);
    const model = readModelJson(binary);
    const data = csvRows(`${FIXTURES}/fruit.csv`).slice(1).map((r) => r.slice(0, 2).map(Number));
    rows.forEach((row, r) => {
      const logit = forward(model, data[r]!)[0]!;
      const pear = 1 / (1 + Math.exp(-logit));
      expect(Math.abs(Number(row[2]) - pear)).toBeLessThan(2e-6);
      expect(row[0]).toBe(logit >= 0 ? 'pear' : 'apple');
    });
  });
});

describe('glassnet evaluate', () => {
  it('reports loss, accuracy, confusion matrix and per-class precision/recall that agree with the predictions', () => {
    const run = glassnet('evaluate', MODEL, IRIS, '--json');
    expect(run.status).toBe(0);
    const result = JSON.parse(run.stdout);
    const model = readModelJson(MODEL);
    const { x, labels } = iris();
    const classes = ['setosa', 'versicolor', 'virginica'];
    const confusion = classes.map(() => [0, 0, 0]);
    let loss = 0;
    x.forEach((row, r) => {
      const p = softmax(forward(model, row));
      const actual = classes.indexOf(labels[r]!);
      confusion[actual]![p.indexOf(Math.max(...p))]!++;
      loss -= Math.log(p[actual]!) / x.length;
    });
    expect(result.confusion).toEqual(confusion);
    expect(result.accuracy).toBe(confusion.reduce((s, row, i) => s + row[i]!, 0) / 150);
    expect(Math.abs(result.loss - loss)).toBeLessThan(1e-5);
    result.perClass.forEach((c: { class: string; precision: number; recall: number; support: number }, i: number) => {
      expect(c.class).toBe(classes[i]);
      expect(c.support).toBe(50);
      expect(c.recall).toBeCloseTo(confusion[i]![i]! / 50, 12);
      expect(c.precision).toBeCloseTo(confusion[i]![i]! / confusion.reduce((s, row) => s + row[i]!, 0), 12);
    });

    const text = glassnet('evaluate', MODEL, 'iris');
    expect(text.status).toBe(0);
    expect(text.stdout).toContain(`accuracy ${(100 * result.accuracy).toFixed(1)}%`);
    expect(text.stdout).toMatch(/confusion matrix \(rows: actual, columns: predicted\)\n\s+setosa\s+versicolor\s+virginica\nsetosa\s+\d+\s+\d+\s+\d+/);
  });

  it('rejects a label the model never saw, naming file, line and column', () => {
    expectOneLineError(glassnet('evaluate', MODEL, `${FIXTURES}/unseen-label.csv`),
      /^glassnet: test\/fixtures\/cli\/unseen-label\.csv:3:5 \(species\): expected one of the classes seen in training: "setosa", "versicolor", "virginica", found "unknownia"$/);
  });
});

describe('glassnet info', () => {
  it('summarises layers, parameter count, preprocessing and training metadata', () => {
    const run = glassnet('info', MODEL);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/: glassnet\.model 1\.1, float32\n/);
    expect(run.stdout).toMatch(/layer1 +dense +4 -> 6 +relu +bias per-unit +30 parameters/);
    expect(run.stdout).toMatch(/layer2 +dropout +6 -> 6 +rate 0\.1/);
    expect(run.stdout).toMatch(/layer3 +dense +6 -> 3 +linear +bias per-unit +21 parameters/);
    expect(run.stdout).toContain('parameters: 51 (51 trainable)');
    expect(run.stdout).toContain('classes (3) setosa, versicolor, virginica');
    expect(run.stdout).toMatch(/optimizer adam lr=0\.05 /);
    expect(run.stdout).toMatch(/15 epochs, 150 steps, seed 2, stopped by epochs/);
    const json = JSON.parse(glassnet('info', MODEL, '--json').stdout);
    expect(json).toMatchObject({ version: '1.1', dtype: 'float32', parameters: 4 * 6 + 6 + 6 * 3 + 3, trainableParameters: 51 });
    expect(json.checkpoint).toBeUndefined();
  });
});

describe('model file and data errors', () => {
  const text = (): string => readFileSync(MODEL, 'utf8');
  const broken = (name: string, content: string): string => {
    writeFileSync(file(name), content);
    return file(name);
  };

  it('reports a truncated model file in one line', () => {
    const path = broken('truncated.json', text().slice(0, text().length / 2));
    for (const command of [['info', path], ['predict', path, IRIS], ['evaluate', path, IRIS]]) {
      expectOneLineError(glassnet(...command), /^glassnet: .*truncated\.json: expected well-formed JSON, found .*the text ends too early \(truncated\?\)$/);
    }
  });

  it('reports a model from a newer glassnet', () => {
    const path = broken('newer.json', text().replace(/"version": "1\.\d+"/, '"version": "2.0"'));
    expectOneLineError(glassnet('predict', path, IRIS), /^glassnet: .*newer\.json: version: expected major version 1 .*newer glassnet version; upgrade glassnet/);
  });

  it('reports weights of the wrong shape', () => {
    const model = JSON.parse(text());
    model.weights[0].weight.pop();
    expectOneLineError(glassnet('info', broken('short.json', JSON.stringify(model))), /^glassnet: .*short\.json: weights\[0\]\.weight: expected .*24/);
  });

  it('reports non-finite weights', () => {
    const path = broken('infinite.json', text().replace(/"weight": \[([^,\]]+)/, '"weight": [1e999'));
    expectOneLineError(glassnet('evaluate', path, IRIS), /^glassnet: .*infinite\.json: weights\[0\]\.weight\[0\]: expected a finite number \(finite in float32\), found Infinity$/);
  });

  it('reports data whose columns do not match the model', () => {
    expectOneLineError(glassnet('predict', MODEL, `${FIXTURES}/fruit.csv`), /^glassnet: test\/fixtures\/cli\/fruit\.csv: expected the feature columns the model was trained on .*found no column "sepal_length"/);
    const headerless = broken('headerless.csv', '1,2,3\n4,5,6\n');
    expectOneLineError(glassnet('predict', MODEL, headerless), /^glassnet: .*headerless\.csv: expected 4 feature columns \(as the model was trained on\), found 3$/);
    expectOneLineError(glassnet('predict', MODEL, IRIS, '--format', 'xml'), /^glassnet: --format: expected one of "csv", "json", found "xml"$/, 2);
  });
});
