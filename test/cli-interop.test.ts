// `glassnet export` and `glassnet import` as a user runs them: a model trained
// by `glassnet train` with scaling runs in ONNX Runtime on raw rows and gives
// what `glassnet predict` prints; a PyTorch-trained network imported from
// ONNX is explained with the loss and gradients PyTorch computed.
import { readFileSync, writeFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { glassnet } from './helpers/cli.js';
import { csvRows, expectOneLineError, tempDir } from './helpers/cli-files.js';
import { feedsOf, runOnnx, runOnnxFeeds, shopCsv } from './helpers/onnx.js';
import type { OnnxInput } from '../src/index.js';

const IRIS = 'data/iris.csv';
const file = tempDir();
const MODEL = file('iris.json');
const irisRows = (): number[][] => csvRows(IRIS).slice(1).map((r) => r.slice(0, 4).map(Number));

beforeAll(() => {
  const run = glassnet('train', IRIS, '--layers', '6', '--dropout', '0.1', '--epochs', '10', '--seed', '3', '--out', MODEL, '--quiet');
  expect(run.status).toBe(0);
});

/**
 * A model trained on 60 rows of the shop CSV (text columns among numbers;
 * rows drawn with seed `seed`) and `count` more rows to predict (seed
 * `seed + 1`), as files named after `name`.
 */
function trainShop(name: string, seed: number, count: number): { model: string; rows: string } {
  const csv = file(`${name}.csv`);
  const rows = file(`${name}-rows.csv`);
  writeFileSync(csv, shopCsv(60, seed));
  writeFileSync(rows, shopCsv(count, seed + 1));
  const model = file(`${name}.json`);
  expect(glassnet('train', csv, '--target', 'price band', '--layers', '5', '--epochs', '15', '--seed', '2', '--out', model, '--quiet').status).toBe(0);
  return { model, rows };
}

describe('glassnet export --format onnx', () => {
  it('writes a file ONNX Runtime runs on the raw rows, giving the probabilities glassnet predict prints', async () => {
    const out = file('iris.onnx');
    const run = glassnet('export', MODEL, '--format', 'onnx', '--out', out);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const predicted = JSON.parse(glassnet('predict', MODEL, IRIS, '--format', 'json').stdout) as { probabilities: Record<string, number> }[];
    const onnx = await runOnnx(new Uint8Array(readFileSync(out)), irisRows());
    let worst = 0;
    onnx.forEach((row, r) => Object.values(predicted[r]!.probabilities).forEach((p, c) => (worst = Math.max(worst, Math.abs(p - row[c]!)))));
    expect(worst).toBeLessThanOrEqual(1e-5);
  });

  it('--raw leaves the softmax out: the logits', async () => {
    const out = file('raw.onnx');
    expect(glassnet('export', MODEL, '--format', 'onnx', '--raw', '--out', out).status).toBe(0);
    const [row] = await runOnnx(new Uint8Array(readFileSync(out)), irisRows().slice(0, 1));
    expect(Math.abs(row!.reduce((a, b) => a + b) - 1)).toBeGreaterThan(1e-3);
  });

  it('a model trained on a CSV with text columns: the file takes the raw cells (strings for the categorical columns) and gives what glassnet predict prints', async () => {
    const { model, rows } = trainShop('shop', 21, 20);
    const out = file('shop.onnx');
    const run = glassnet('export', model, '--format', 'onnx', '--out', out);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const info = glassnet('info', model);
    expect(info.stdout).toContain('  one-hot color (3), shape (2)\n');
    expect(info.stdout).not.toContain('missing cells');
    expect(info.stdout).toContain('onnx inputs:\n  input [batch, 2] float32: size, weight\n  color [batch, 1] string, one of "blue", "green", "red"\n  shape [batch, 1] string, one of "round", "square"\n');
    const inputs = JSON.parse(glassnet('info', model, '--json').stdout).onnxInputs as OnnxInput[];
    const predicted = JSON.parse(glassnet('predict', model, rows, '--format', 'json').stdout) as { probabilities: Record<string, number> }[];
    const onnx = await runOnnxFeeds(new Uint8Array(readFileSync(out)), feedsOf(readFileSync(rows, 'utf8'), inputs));
    expect(onnx.length).toBe(20);
    let worst = 0;
    // Two price bands train one logit: the file gives the second band's probability, σ(logit).
    expect(onnx[0]!.length).toBe(1);
    onnx.forEach((row, r) => (worst = Math.max(worst, Math.abs(Object.values(predicted[r]!.probabilities)[1]! - row[0]!))));
    expect(worst).toBeLessThanOrEqual(1e-5);
    // TF.js and PyTorch get the network alone, with a note saying what it takes.
    const tfjs = glassnet('export', model, '--format', 'tfjs', '--out', file('shop-tfjs'));
    expect(tfjs.status).toBe(0);
    expect(tfjs.stderr).toBe('note: the tfjs export gives the network\'s logits (binaryCrossEntropyWithLogits): apply sigmoid for the class probabilities glassnet predict reports\n'
      + 'note: the tfjs export holds the network only: it takes the 7 one-hot encoded and standard-scaled inputs glassnet info lists, not the raw rows; --format onnx carries the preprocessing\n');
  });

  it('a regression model: the file gives the targets in their own units, as glassnet predict prints them', async () => {
    const data = 'test/fixtures/cli/regression.csv';
    const model = file('regression.json');
    expect(glassnet('train', data, '--layers', '8', '--epochs', '20', '--seed', '4', '--out', model, '--quiet').status).toBe(0);
    expect(glassnet('info', model).stdout).toContain('preprocessing:\n  scaler standard\n  target scaler standard (undone on the outputs)\n');
    const filled = file('filled.json');
    expect(glassnet('train', data, '--missing', 'median', '--epochs', '1', '--out', filled, '--quiet').status).toBe(0);
    expect(glassnet('info', filled).stdout).toContain('  missing cells filled with the training median (glassnet only; exports take complete rows)\n');
    const out = file('regression.onnx');
    expect(glassnet('export', model, '--format', 'onnx', '--out', out).status).toBe(0);
    const predicted = JSON.parse(glassnet('predict', model, data, '--format', 'json').stdout) as { y: number }[];
    const onnx = await runOnnx(new Uint8Array(readFileSync(out)), csvRows(data).slice(1).map((r) => r.slice(0, 2).map(Number)));
    expect(onnx.length).toBe(30);
    // Outputs of a few units: 1e-5 relative to the target's size.
    const scale = Math.max(...predicted.map((p) => Math.abs(p.y)));
    onnx.forEach(([y], r) => expect(Math.abs(y! - predicted[r]!.y)).toBeLessThanOrEqual(1e-5 * Math.max(1, scale)));
    expect(scale).toBeGreaterThan(1);
  });

  it('an unknown format is a one-line error naming the flag', () => {
    expectOneLineError(glassnet('export', MODEL, '--format', 'caffe', '--out', file('x')), /--format: expected one of "onnx"/, 2);
  });
});

describe('glassnet info', () => {
  it('names the input and output columns, the preprocessing and the export formats', () => {
    const run = glassnet('info', MODEL);
    expect(run.stdout).toContain('inputs (4): sepal_length, sepal_width, petal_length, petal_width\n');
    expect(run.stdout).toContain('outputs (3): p_setosa, p_versicolor, p_virginica\n');
    expect(run.stdout).toContain('preprocessing:\n  scaler standard\n');
    expect(run.stdout).toContain('exports to: onnx, torch, tfjs');
    const json = JSON.parse(glassnet('info', MODEL, '--json').stdout);
    expect(json).toMatchObject({ inputs: { count: 4 }, outputs: { count: 3, names: ['p_setosa', 'p_versicolor', 'p_virginica'] }, exportFormats: ['onnx', 'torch', 'tfjs'] });
  });

  it('says where an imported model came from, and names unnamed columns by position', () => {
    const model = file('imported.json');
    expect(glassnet('import', 'test/fixtures/onnx/torch-mlp.onnx', '--out', model).status).toBe(0);
    const run = glassnet('info', model);
    expect(run.stdout).toContain('inputs (4): unnamed columns\n');
    expect(run.stdout).toContain('outputs (3): output1, output2, output3\n');
    expect(run.stdout).toContain('  imported from onnx (pytorch 1.13.0)\n');
  });
});

describe('glassnet import', () => {
  it.each([[[]], [['--raw']]])('round-trips a trained model through ONNX (export flags %j): glassnet predict gives the same, scaling, class names and loss kept', (flags) => {
    const onnx = file(`trip${flags.length}.onnx`);
    const back = file(`trip${flags.length}.json`);
    expect(glassnet('export', MODEL, '--format', 'onnx', ...flags, '--out', onnx).status).toBe(0);
    const run = glassnet('import', onnx, '--out', back);
    expect(run.stderr).toBe('');
    // The softmax export appends for the probabilities is taken off again: the loss applies it, as in the original.
    const info = JSON.parse(glassnet('info', back, '--json').stdout);
    expect(info.layers.map((l: { activation?: string }) => l.activation ?? 'dropout')).toEqual(['relu', 'dropout', 'linear']);
    expect(info.preprocessing.classes).toEqual(['setosa', 'versicolor', 'virginica']);
    expect(info.preprocessing.scaler.kind).toBe('standard');
    expect(info.training.loss).toBe('softmaxCrossEntropy');
    expectSamePredictions(MODEL, back, IRIS, 'label');
  });

  it('round-trips a model trained on a CSV with text columns: glassnet predict gives the same labels and probabilities to 1e-6', () => {
    const { model, rows } = trainShop('shop-trip', 31, 25);
    expect(glassnet('export', model, '--format', 'onnx', '--out', file('shop-trip.onnx')).status).toBe(0);
    const back = file('shop-trip-back.json');
    const run = glassnet('import', file('shop-trip.onnx'), '--out', back);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    // The same columns, categories, scaler kind and loss: the import rebuilt the preprocessing from the graph.
    const info = (path: string) => JSON.parse(glassnet('info', path, '--json').stdout) as { preprocessing: Record<string, unknown>; training: Record<string, unknown>; onnxInputs: unknown };
    const [before, after] = [info(model), info(back)];
    expect(after.preprocessing['encoding']).toEqual(before.preprocessing['encoding']);
    expect(after.preprocessing['featureNames']).toEqual(before.preprocessing['featureNames']);
    expect(after.training['loss']).toBe(before.training['loss']);
    expect(after.onnxInputs).toEqual(before.onnxInputs);
    expectSamePredictions(model, back, rows, 'label');
  });

  it('round-trips a regression model trained with missing cells filled: the fill values, target scaling and categories come back', () => {
    const model = file('messy.json');
    expect(glassnet('train', 'test/fixtures/data/messy.csv', '--missing', 'mean', '--epochs', '3', '--seed', '1', '--out', model, '--quiet').status).toBe(0);
    expect(glassnet('export', model, '--format', 'onnx', '--out', file('messy.onnx')).status).toBe(0);
    const back = file('messy-back.json');
    expect(glassnet('import', file('messy.onnx'), '--out', back).status).toBe(0);
    const rows = file('messy-rows.csv');
    // Missing cells (filled with the training means) and categories between numeric columns.
    writeFileSync(rows, 'age;sex;city;"income; net";score\n34;M;Oslo;;7.5\nNA;F;Bergen;61000;6.0\n41;F;Oslo;52000;\n');
    expect(glassnet('info', back).stdout).toContain('  missing cells filled with the training mean');
    expectSamePredictions(model, back, rows, 'score');
  });

  it('explains a PyTorch-trained network with the loss and gradients PyTorch computed (float64)', () => {
    const step = JSON.parse(readFileSync('test/fixtures/onnx/torch-small.step.json', 'utf8'));
    const model = file('torch-small.json');
    expect(glassnet('import', 'test/fixtures/onnx/torch-small.onnx', '--dtype', 'float64', '--out', model).status).toBe(0);
    const run = glassnet('explain', '--model', model, '--input', step.x[0].join(','), '--target', step.t[0].join(','), '--format', 'json');
    expect(run.stderr).toBe('');
    const explained = JSON.parse(run.stdout);
    expect(Math.abs(explained.summary.loss - step.loss)).toBeLessThanOrEqual(1e-15);
    // Weights are named w<layer>.<unit>.<input>, the [units][inputs] order PyTorch flattens in.
    const ours = [1, 2].flatMap((l) => Object.entries(explained.gradients).filter(([k]) => k.startsWith(`w${l}.`)).map(([, v]) => v as number));
    const theirs = [...step.grad['layer1.weight'], ...step.grad['layer2.weight']] as number[];
    expect(ours.length).toBe(theirs.length);
    ours.forEach((g, i) => expect(Math.abs(g - theirs[i]!)).toBeLessThanOrEqual(1e-15));
  });

  it.each([['torch', 'state.safetensors'], ['tfjs', 'tfjs-dir']] as const)('round-trips through --format %s: the same network, bit for bit', (format, name) => {
    const out = file(name);
    const exported = glassnet('export', MODEL, '--format', format, '--out', out);
    // The iris model is scaled, which the network alone does not do.
    expect(exported.stderr).toBe(`note: the ${format} export gives the network's logits (softmaxCrossEntropy): apply softmax for the class probabilities glassnet predict reports\n`
      + `note: the ${format} export holds the network only: it takes the 4 standard-scaled inputs glassnet info lists, not the raw rows; --format onnx carries the preprocessing\n`);
    if (format === 'torch') expect(exported.stdout).toBe('nn.Sequential(nn.Linear(4, 6), nn.ReLU(), nn.Dropout(p=0.1), nn.Linear(6, 3))\n');
    const back = file(`${name}.json`);
    expect(glassnet('import', format === 'torch' ? out : `${out}/model.json`, '--out', back).status).toBe(0);
    const read = (path: string) => {
      const json = JSON.parse(readFileSync(path, 'utf8')) as { weights: { weight?: number[]; bias?: number[] }[]; architecture: { layers: { type: string; activation?: string; rate?: number }[] } };
      // The dropout masks' generator state is training state, not part of the network.
      return { weights: json.weights.map((w) => [w.weight, w.bias]), layers: json.architecture.layers.map((l) => [l.type, l.activation, l.rate]) };
    };
    expect(read(back)).toEqual(read(MODEL));
  });

  it('a state dict without recorded activations needs --activations', () => {
    expectOneLineError(glassnet('import', 'test/fixtures/onnx/torch-state.safetensors', '--out', file('s.json')), /--activations: expected one activation per Linear layer/);
    expect(glassnet('import', 'test/fixtures/onnx/torch-state.safetensors', '--activations', 'tanh,relu,linear', '--out', file('s.json')).status).toBe(0);
  });

  it('an unsupported graph is a one-line error naming the node and its op type', () => {
    expectOneLineError(glassnet('import', 'test/fixtures/onnx/unsupported-conv.onnx', '--out', file('c.json')), /graph\.node\[0\] "conv0" \(Conv\).*op type "Conv"/);
  });
});

/**
 * `glassnet predict` of two models on the same CSV: equal labels (or equal
 * columns for regression) and numbers within 1e-6 of each other, relative
 * to their size (the imported scaler's statistics went through float32).
 */
function expectSamePredictions(model: string, back: string, rows: string, first: string): void {
  const [before, after] = [model, back].map((m) => {
    const run = glassnet('predict', m, rows);
    expect(run.stderr).toBe('');
    return run.stdout.trim().split('\n').map((line) => line.split(','));
  });
  expect(after![0]).toEqual(before![0]);
  expect(after![0]![0]).toBe(first);
  expect(after!.length).toBe(before!.length);
  after!.slice(1).forEach((row, r) => row.forEach((cell, c) => {
    const original = before![r + 1]![c]!;
    if (Number.isNaN(Number(original))) expect(cell).toBe(original);
    else expect(Math.abs(Number(cell) - Number(original))).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(Number(original))));
  }));
}
