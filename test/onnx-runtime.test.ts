// Every exported model run in ONNX Runtime (onnxruntime-node) and compared
// with glassnet's own predictions: each activation, each loss's output
// layer, the 8-3-8 auto-encoder, and a model with preprocessing.
import { describe, expect, it } from 'vitest';
import {
  ACTIVATIONS, AUTOENCODER_8_3_8, Dense, Dropout, LOSSES, LOSS_RECORDS, Random, Sequential, TrainedModel, fit, fitScaler, loadFeatures, loadTable, mlp, noGrad, oneHotCodes,
  onnxInputs, sigmoid, softmax, tensor,
  type Scaler,
} from '../src/index.js';
import { ACTIVATION_INTEROP, type ActivationInterop } from '../src/io/interop-activations.js';
import { toOnnx, type OnnxExportOptions } from '../src/io/onnx-export.js';
import { feedsOf, runOnnx, runOnnxFeeds, shopCsv } from './helpers/onnx.js';

/** float32 agreement bound: outputs are O(1), and both sides round to float32 in a different order. */
const TOLERANCE = 1e-5;

function rows(count: number, width: number, seed: number, spread = 2): number[][] {
  const random = new Random(seed);
  return Array.from({ length: count }, () => Array.from({ length: width }, () => random.uniform(-spread, spread)));
}

function expectClose(actual: number[][], expected: number[][]): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  actual.forEach((row, r) => row.forEach((v, c) => (worst = Math.max(worst, Math.abs(v - expected[r]![c]!)))));
  expect(worst).toBeLessThanOrEqual(TOLERANCE);
  expect(actual[0]!.length).toBe(expected[0]!.length);
}

async function compare(model: Sequential, x: number[][], options: OnnxExportOptions = {}, glassnet = (input: number[][]) => model.predict(input).toArray() as number[][]): Promise<number[][]> {
  const onnx = await runOnnx(toOnnx(model, options), x);
  const ours = glassnet(x);
  expectClose(onnx, ours);
  return onnx;
}

describe('ONNX Runtime runs exported models as glassnet predicts them', () => {
  it.each(ACTIVATIONS)('activation %s, hidden and output', async (activation) => {
    const model = mlp([4, 7, 5, 3], { activation, seed: 5 });
    // A batch of 9 rows: the batch dimension is dynamic.
    await compare(model, rows(9, 4, 1));
  });

  it('an activation written as several operators with constants (sigmoid as 0.5·(1 + tanh(x/2)), as GELU or SiLU will need)', async () => {
    const table = ACTIVATION_INTEROP as Record<string, ActivationInterop>;
    const original = table['sigmoid']!;
    table['sigmoid'] = { ...original, onnx: () => [
      { op: 'Div', inputs: ['x', 2] }, { op: 'Tanh', inputs: ['$0'] }, { op: 'Add', inputs: ['$1', 1] }, { op: 'Mul', inputs: ['$2', 0.5] },
    ] };
    try {
      const model = mlp([3, 4, 2], { activation: 'sigmoid', seed: 6 });
      const bytes = toOnnx(model);
      await compare(model, rows(5, 3, 9));
      // The form really was used: two layers, four nodes each after the Gemm.
      expect(new TextDecoder().decode(bytes)).toContain('layer2_sigmoid_3');
    } finally {
      table['sigmoid'] = original;
    }
  });

  it('a float64 model with Dropout, exported as float32 (Dropout the identity at prediction time)', async () => {
    const model = new Sequential([
      new Dense(3, 6, { activation: 'tanh', dtype: 'float64', seed: 3 }), new Dropout(6, 0.5, { dtype: 'float64' }), new Dense(6, 2, { dtype: 'float64', seed: 4 }),
    ]);
    await compare(model, rows(5, 3, 2));
  });

  it.each(LOSSES)('the output layer of a %s model (the softmax or sigmoid a loss keeps inside itself appended, as predict reports)', async (loss) => {
    const record = LOSS_RECORDS[loss];
    const outputs = record.task === 'binary' ? 1 : 3;
    const model = mlp([4, 6, outputs], { activation: 'relu', outputActivation: record.outputActivation, seed: 8 });
    const appended = record.probabilities === 'softmax' || record.probabilities === 'sigmoid' ? record.probabilities : undefined;
    const onnx = await compare(model, rows(6, 4, 4), appended === undefined ? {} : { outputActivation: appended }, (x) => {
      const out = model.predict(x);
      const scores = appended === 'softmax' ? noGrad(() => softmax(out)) : appended === 'sigmoid' ? noGrad(() => sigmoid(out)) : out;
      return scores.toArray() as number[][];
    });
    if (appended === 'softmax') for (const row of onnx) expect(Math.abs(row.reduce((a, b) => a + b) - 1)).toBeLessThan(1e-6);
    if (record.task === 'binary') for (const [p] of onnx) expect(p! > 0 && p! < 1).toBe(true);
  });

  it('the 8-3-8 auto-encoder, trained as trainAutoencoder trains it: every code comes back', async () => {
    const recipe = AUTOENCODER_8_3_8;
    const model = mlp(recipe.sizes, { activation: 'sigmoid', seed: recipe.seed, dtype: 'float64' });
    const { x } = oneHotCodes(8);
    fit(model, x, x, { lr: recipe.lr, epochs: recipe.maxEpochs, errorThreshold: recipe.errorThreshold });
    const onnx = await compare(model, x);
    onnx.forEach((row, i) => expect(row.indexOf(Math.max(...row))).toBe(i));
  });

  it.each(['standard', 'minmax'] as const)('a model with %s scaling takes the raw rows', async (kind) => {
    const raw = rows(20, 3, 6, 50).map((r) => [r[0]! + 100, r[1]! * 0.01, r[2]!]);
    const scaler: Scaler = fitScaler(kind, raw);
    const model = mlp([3, 5, 2], { activation: 'sigmoid', seed: 2 });
    await compare(model, raw, { scaler }, (x) => model.predict(scaler.transform(x)).toArray() as number[][]);
  });

  it('a model whose outputs differ from the unscaled network: the scaling is really applied', async () => {
    const raw = [[100, 0.01, 3], [120, 0.03, -3]];
    const scaler = fitScaler('standard', raw);
    const model = mlp([3, 2], { seed: 1 });
    const scaled = await runOnnx(toOnnx(model, { scaler }), raw);
    const unscaled = model.predict(tensor(raw)).toArray() as number[][];
    expect(Math.abs(scaled[0]![0]! - unscaled[0]![0]!)).toBeGreaterThan(100 * TOLERANCE);
  });
});

describe('a model with categorical columns takes the raw cells in ONNX Runtime', () => {
  const csv = shopCsv(60, 11);
  const data = loadTable(csv, { target: 'price band' });
  const scaler = fitScaler('standard', data.x);
  const model = mlp([data.x[0]!.length, 6, 2], { activation: 'tanh', seed: 3 });
  fit(model, scaler.transform(data.x), data.y, { loss: 'softmaxCrossEntropy', lr: 0.1, epochs: 20, seed: 1 });
  const trained = new TrainedModel(model, { loss: 'softmaxCrossEntropy', classes: data.classes!, scaler, encoding: data.encoding, featureNames: data.featureNames });
  const options = { scaler, encoding: data.encoding, featureNames: data.featureNames, outputActivation: 'softmax' } as const;
  const inputs = onnxInputs(model.inputSize, options);

  it('one float input for the numeric columns, one string input per categorical column', () => {
    expect(data.featureNames).toEqual(['size', 'color=blue', 'color=green', 'color=red', 'weight', 'shape=round', 'shape=square']);
    expect(inputs).toEqual([
      { name: 'input', type: 'float32', width: 2, columns: ['size', 'weight'] },
      { name: 'color', type: 'string', width: 1, column: 'color', categories: ['blue', 'green', 'red'] },
      { name: 'shape', type: 'string', width: 1, column: 'shape', categories: ['round', 'square'] },
    ]);
  });

  it('gives the class probabilities glassnet predicts from the same rows, to 1e-5', async () => {
    const rows = shopCsv(25, 12);
    const x = loadFeatures(rows.split('\n').map((l) => l.split(',').slice(0, 4).join(',')).join('\n'), { encoding: data.encoding }).x;
    const ours = trained.predictProba(x);
    const onnx = await runOnnxFeeds(toOnnx(model, options), feedsOf(rows, inputs));
    expectClose(onnx, ours);
    // The columns really are reordered and encoded: a wrong order would change the outputs.
    expect(new Set(ours.map((r) => r[0]! > 0.5)).size).toBe(2);
  });

  it('an unseen category is an error in ONNX Runtime (OneHotEncoder with zeros = 0), as in glassnet predict', async () => {
    const feeds = feedsOf(shopCsv(2, 13), inputs);
    await expect(runOnnxFeeds(toOnnx(model, options), { ...feeds, color: [['purple'], ['red']] })).rejects.toThrow(/Unknown Category/);
  });

  it('a categorical column named like another value of the graph is refused, naming it', () => {
    const renamed = { ...data.encoding, columns: data.encoding.columns.map((c) => (c === 'color' ? 'output' : c === 'shape' ? 'layer1.weight' : c)) };
    expect(() => toOnnx(model, { ...options, encoding: renamed })).toThrow(/options\.encoding\.columns\[1\].*"output"/);
    expect(() => toOnnx(model, { ...options, encoding: { ...renamed, columns: data.encoding.columns.map((c) => (c === 'shape' ? 'layer1.weight' : c)) } })).toThrow(/"layer1\.weight"/);
  });
});
