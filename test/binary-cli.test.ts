// Binary classification through the command line: two classes train one
// logit under binaryCrossEntropyWithLogits by default, and every command
// reads it as the loss says. Expected values come from a float64 forward
// pass over the saved weights (test/helpers/cli-files.ts), not from glassnet.
import { readFileSync, writeFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { glassnet } from './helpers/cli.js';
import { csvRows, expectOneLineError, forward, readModelJson, softmax, tempDir } from './helpers/cli-files.js';
import { runOnnx } from './helpers/onnx.js';

const FRUIT = 'test/fixtures/cli/fruit.csv';
const file = tempDir();
const MODEL = file('fruit.json');
const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));
const rows = (): { x: number[][]; labels: string[] } => {
  const body = csvRows(FRUIT).slice(1);
  return { x: body.map((r) => [Number(r[0]), Number(r[1])]), labels: body.map((r) => r[2]!) };
};

beforeAll(() => {
  // Few epochs at a small rate: the model is still wrong on some rows, so accuracy and the confusion matrix have something to count.
  const run = glassnet('train', FRUIT, '--layers', '4', '--lr', '0.001', '--epochs', '1', '--batch-size', '8', '--seed', '1', '--out', MODEL, '--report', file('report.html'), '--quiet');
  expect(run.status, run.stderr).toBe(0);
});

describe('glassnet train on two classes', () => {
  it('defaults to binaryCrossEntropyWithLogits: one linear output, both labels stored, info saying the loss', () => {
    const saved = readModelJson(MODEL) as ReturnType<typeof readModelJson> & { preprocessing: { classes: string[] }; training: { loss: string } };
    expect(saved.training.loss).toBe('binaryCrossEntropyWithLogits');
    expect(saved.preprocessing.classes).toEqual(['apple', 'pear']);
    expect(saved.architecture.layers.map((l) => [l.units, l.activation])).toEqual([[4, 'relu'], [1, 'linear']]);
    const info = glassnet('info', MODEL);
    expect(info.stdout).toContain('  loss binaryCrossEntropyWithLogits (the network gives logits; the probabilities are their sigmoid)\n');
    expect(info.stdout).toContain('outputs (1): p_pear\n');
    const report = readFileSync(file('report.html'), 'utf8');
    expect(report).toContain('binaryCrossEntropyWithLogits');
    expect(report).toContain('apple');
  });

  it('predict gives the label and σ(logit) of each row', () => {
    const model = readModelJson(MODEL);
    const { x } = rows();
    const predicted = JSON.parse(glassnet('predict', MODEL, FRUIT, '--format', 'json').stdout) as { label: string; probabilities: Record<string, number> }[];
    expect(predicted.length).toBe(x.length);
    predicted.forEach((p, r) => {
      const z = forward(model, x[r]!)[0]!;
      // The network runs in float32; the oracle in float64.
      expect(Math.abs(p.probabilities['pear']! - sigmoid(z)), `row ${r}`).toBeLessThanOrEqual(1e-6);
      expect(Math.abs(p.probabilities['apple']! - sigmoid(-z)), `row ${r}`).toBeLessThanOrEqual(1e-6);
      if (Math.abs(z) > 1e-4) expect(p.label, `row ${r}`).toBe(z >= 0 ? 'pear' : 'apple');
    });
  });

  it('evaluate counts accuracy and the confusion matrix from the logits', () => {
    const model = readModelJson(MODEL);
    const { x, labels } = rows();
    const confusion = [[0, 0], [0, 0]];
    let loss = 0;
    x.forEach((row, r) => {
      const z = forward(model, row)[0]!;
      const t = labels[r] === 'pear' ? 1 : 0;
      confusion[t]![z >= 0 ? 1 : 0]!++;
      loss += Math.max(z, 0) - z * t + Math.log1p(Math.exp(-Math.abs(z)));
    });
    const result = JSON.parse(glassnet('evaluate', MODEL, FRUIT, '--json').stdout) as { lossName: string; loss: number; accuracy: number; confusion: number[][] };
    expect(result.lossName).toBe('binaryCrossEntropyWithLogits');
    expect(result.confusion).toEqual(confusion);
    expect(result.accuracy).toBe((confusion[0]![0]! + confusion[1]![1]!) / x.length);
    expect(result.accuracy).toBeLessThan(1);
    expect(Math.abs(result.loss - loss / x.length)).toBeLessThanOrEqual(1e-5);
  });

  it('explain --model writes out the loss of one step on the logit', () => {
    const model = readModelJson(MODEL);
    const [row] = rows().x;
    const run = glassnet('explain', '--model', MODEL, '--input', row!.join(','), '--target', '1', '--format', 'json');
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const z = forward(model, row!)[0]!;
    const explained = JSON.parse(run.stdout) as { summary: { loss: number } };
    expect(Math.abs(explained.summary.loss - (Math.max(z, 0) - z + Math.log1p(Math.exp(-Math.abs(z)))))).toBeLessThanOrEqual(1e-6);
  });

  it('explain --model without --target draws class labels (0 or 1) as the targets', () => {
    const seen = new Set<number>();
    for (const seed of ['0', '1', '2', '3']) {
      const run = glassnet('explain', '--model', MODEL, '--seed', seed, '--format', 'json');
      expect(run.status, run.stderr).toBe(0);
      seen.add((JSON.parse(run.stdout) as { targets: { o1: number } }).targets.o1);
    }
    expect([...seen].sort()).toEqual([0, 1]);
  });

  it('--loss softmaxCrossEntropy still trains two outputs, read by softmax', () => {
    const out = file('softmax.json');
    expect(glassnet('train', FRUIT, '--loss', 'softmaxCrossEntropy', '--layers', '4', '--epochs', '2', '--seed', '5', '--out', out, '--quiet').status).toBe(0);
    const model = readModelJson(out);
    expect(model.architecture.layers.at(-1)!.units).toBe(2);
    const predicted = JSON.parse(glassnet('predict', out, FRUIT, '--format', 'json').stdout) as { label: string; probabilities: Record<string, number> }[];
    const { x } = rows();
    predicted.forEach((p, r) => {
      const expected = softmax(forward(model, x[r]!));
      expect(Math.abs(p.probabilities['apple']! - expected[0]!)).toBeLessThanOrEqual(1e-6);
      expect(Math.abs(p.probabilities['pear']! - expected[1]!)).toBeLessThanOrEqual(1e-6);
    });
  });
});

describe('exporting a binary model', () => {
  it('ONNX gives the probability σ(logit) glassnet predict prints (to 1e-6); --raw gives the logit', async () => {
    const out = file('fruit.onnx');
    const run = glassnet('export', MODEL, '--format', 'onnx', '--out', out);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const { x } = rows();
    const predicted = JSON.parse(glassnet('predict', MODEL, FRUIT, '--format', 'json').stdout) as { probabilities: Record<string, number> }[];
    const onnx = await runOnnx(new Uint8Array(readFileSync(out)), x);
    expect(onnx[0]!.length).toBe(1);
    let worst = 0;
    onnx.forEach(([p], r) => (worst = Math.max(worst, Math.abs(p! - predicted[r]!.probabilities['pear']!))));
    expect(worst).toBeLessThanOrEqual(1e-6);
    const raw = file('raw.onnx');
    expect(glassnet('export', MODEL, '--format', 'onnx', '--raw', '--out', raw).status).toBe(0);
    const logits = await runOnnx(new Uint8Array(readFileSync(raw)), x);
    const model = readModelJson(MODEL);
    logits.forEach(([z], r) => {
      const want = forward(model, x[r]!)[0]!;
      // float32 (ONNX Runtime) against float64 on the same float32 weights: a few float32 roundings of the logit.
      expect(Math.abs(z! - want), `row ${r}`).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(want)));
    });
  });

  it.each([['torch', 'fruit.safetensors'], ['tfjs', 'fruit-tfjs']] as const)('--format %s says the network gives logits', (format, name) => {
    const run = glassnet('export', MODEL, '--format', format, '--out', file(name));
    expect(run.status).toBe(0);
    expect(run.stderr).toContain(`note: the ${format} export gives the network's logits (binaryCrossEntropyWithLogits): apply sigmoid for the class probabilities glassnet predict reports\n`);
  });
});

describe('--class-weights', () => {
  // 20 apples, 8 pears: balanced weights are 28 / (2 · 20) and 28 / (2 · 8).
  const csv = file('uneven.csv');
  beforeAll(() => {
    const [header, ...body] = readFileSync(FRUIT, 'utf8').trim().split('\n');
    let pears = 0;
    writeFileSync(csv, `${[header, ...body.filter((line) => !line.endsWith('pear') || pears++ < 8)].join('\n')}\n`);
  });

  it('balanced: computed from the training counts, stored, and weighting the loss', () => {
    const out = file('balanced.json');
    const run = glassnet('train', csv, '--loss', 'softmaxCrossEntropy', '--class-weights', 'balanced', '--layers', '3', '--epochs', '3', '--seed', '1', '--out', out, '--json');
    expect(run.status, run.stderr).toBe(0);
    const model = readModelJson(out) as ReturnType<typeof readModelJson> & { training: { classWeights: number[]; settings: { classWeights: string }; metrics: { loss: number } } };
    const weights = [28 / 40, 28 / 16];
    expect(model.training.classWeights).toEqual(weights);
    expect(model.training.settings.classWeights).toBe('balanced');
    expect(glassnet('info', out).stdout).toContain(`class weights ${weights.join(', ')}`);
    // The final training loss is the weighted mean: Σ w_c·(−ln p_c) / Σ w_c over the rows.
    const body = csvRows(csv).slice(1);
    let sum = 0;
    let total = 0;
    for (const r of body) {
      const c = r[2] === 'pear' ? 1 : 0;
      const p = softmax(forward(model, [Number(r[0]), Number(r[1])]));
      sum += weights[c]! * -Math.log(p[c]!);
      total += weights[c]!;
    }
    expect(Math.abs(model.training.metrics.loss - sum / total)).toBeLessThanOrEqual(1e-5);
    expect((JSON.parse(run.stdout) as { loss: number }).loss).toBe(model.training.metrics.loss);
    // evaluate reads the weights from the model file: the same weighted loss on the same rows.
    const evaluated = JSON.parse(glassnet('evaluate', out, csv, '--json').stdout) as { loss: number };
    expect(Math.abs(evaluated.loss - model.training.metrics.loss)).toBeLessThanOrEqual(1e-7);
  });

  it('a resumed run weighs the classes as the first part did', () => {
    const checkpoint = file('ck.json');
    const common = ['--loss', 'softmaxCrossEntropy', '--class-weights', 'balanced', '--layers', '3', '--seed', '1', '--quiet'];
    expect(glassnet('train', csv, ...common, '--epochs', '1', '--checkpoint', checkpoint).status).toBe(0);
    const resumed = file('resumed.json');
    const run = glassnet('train', csv, '--resume', checkpoint, '--epochs', '3', '--out', resumed, '--quiet');
    expect(run.status, run.stderr).toBe(0);
    const whole = file('whole.json');
    expect(glassnet('train', csv, ...common, '--epochs', '3', '--out', whole).status).toBe(0);
    const read = (path: string) => readModelJson(path) as unknown as { weights: unknown; training: { classWeights: number[] } };
    expect(read(resumed).training.classWeights).toEqual([28 / 40, 28 / 16]);
    expect(read(resumed).weights).toEqual(read(whole).weights);
  });

  it('given weights are kept as given', () => {
    const out = file('given.json');
    expect(glassnet('train', 'iris', '--class-weights', '1,2,0.5', '--epochs', '1', '--out', out, '--quiet').status).toBe(0);
    expect((readModelJson(out) as unknown as { training: { classWeights: number[] } }).training.classWeights).toEqual([1, 2, 0.5]);
  });

  it('is refused for regression, with the wrong count, or on one binary output', () => {
    expectOneLineError(glassnet('train', 'test/fixtures/cli/regression.csv', '--class-weights', '1'), /^glassnet: --class-weights: expected a classification loss \(mse has no classes to weight\), found 1$/, 2);
    expectOneLineError(glassnet('train', 'iris', '--class-weights', '1,2'), /^glassnet: --class-weights: expected 3 weights \(one per class\), found 2 \(1,2\)$/, 2);
    expectOneLineError(glassnet('train', FRUIT, '--class-weights', 'balanced'), /^glassnet: --class-weights: expected --loss softmaxCrossEntropy for two classes/, 2);
    expectOneLineError(glassnet('train', FRUIT, '--class-weights', '1,-2'), /^glassnet: --class-weights: expected a finite number >= 0, found "-2"$/, 2);
    expectOneLineError(glassnet('train', 'iris', '--class-weights', '0,0,0'), /^glassnet: --class-weights: expected weights not all 0 \(all 0 would weigh every row out of the loss\), found 0,0,0$/, 2);
  });
});
