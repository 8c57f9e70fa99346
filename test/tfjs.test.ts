// TensorFlow.js layers models: glassnet's exports loaded by @tensorflow/tfjs
// (tf.loadLayersModel through an in-memory handler) predict what glassnet
// predicts, and models TF.js itself saved (tf.io.withSaveHandler) import and
// predict what TF.js predicts.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTIVATIONS, Dense, Dropout, Random, Sequential } from '../src/index.js';
import { loadTfjs, saveTfjs } from '../src/io/node.js';
import { fromTfjs, toTfjs, type TfjsModelJson } from '../src/io/tfjs.js';
import { ACTIVATION_INTEROP } from '../src/io/interop-activations.js';
import { rejection } from './helpers/errors.js';
import { worst } from './helpers/compare.js';

const dir = mkdtempSync(join(tmpdir(), 'glassnet-tfjs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(async () => {
  await tf.setBackend('cpu');
});

function rows(count: number, width: number, seed: number): number[][] {
  const random = new Random(seed);
  return Array.from({ length: count }, () => Array.from({ length: width }, () => random.uniform(-2, 2)));
}


async function tfPredict(model: tf.LayersModel, x: number[][]): Promise<number[][]> {
  const input = tf.tensor2d(x);
  const output = model.predict(input) as tf.Tensor;
  const result = (await output.array()) as number[][];
  input.dispose();
  output.dispose();
  return result;
}

/** The activations TF.js layers models can hold. */
const TFJS_ACTIVATIONS = ACTIVATIONS.filter((name) => ACTIVATION_INTEROP[name].tfjs(0) !== null);

/** Every activation TF.js can hold, a Dropout, a shared bias and a layer without bias. */
function glassnetModel(): Sequential {
  const random = new Random(4);
  const layers = [];
  let width = 3;
  for (const activation of TFJS_ACTIVATIONS) {
    layers.push(new Dense(width, 4, { activation, random }));
    width = 4;
  }
  layers.push(new Dropout(4, 0.3), new Dense(4, 3, { activation: 'tanh', bias: 0.2, sharedBias: true, random }), new Dense(3, 2, { bias: false, random }));
  return new Sequential(layers);
}

describe('glassnet → TF.js', () => {
  it('refuses an activation TF.js cannot load back, naming the layer', () => {
    expect(() => toTfjs(new Sequential([new Dense(2, 2, { activation: 'geluTanh', seed: 1 })]))).toThrow(/layer1\.activation: expected an activation TF\.js layers models can hold, found "geluTanh"/);
  });

  it('tf.loadLayersModel loads the export and predicts what glassnet predicts (float32, 1e-5)', async () => {
    const model = glassnetModel();
    const { modelJson, weights } = toTfjs(model);
    const loaded = await tf.loadLayersModel(tf.io.fromMemory({
      modelTopology: modelJson.modelTopology as never, weightSpecs: modelJson.weightsManifest[0]!.weights, weightData: weights.slice().buffer,
    }));
    const activationLayers = TFJS_ACTIVATIONS.flatMap((name) => {
      const form = ACTIVATION_INTEROP[name].tfjs(name === 'leakyRelu' ? 0.01 : 1)!;
      return 'layer' in form ? ['Dense', form.layer] : ['Dense'];
    });
    expect(loaded.layers.map((l) => l.getClassName())).toEqual([...activationLayers, 'Dropout', 'Dense', 'Dense']);
    expect(activationLayers).toContain('LeakyReLU');
    const x = rows(7, 3, 1);
    expect(worst(await tfPredict(loaded, x), model.predict(x).toArray() as number[][])).toBeLessThanOrEqual(1e-5);
    loaded.dispose();
  });

  it('reads back a non-default leaky slope and ELU alpha (TF.js writes both as layers)', () => {
    const original = new Sequential([
      new Dense(3, 4, { activation: 'leakyRelu', alpha: 0.25, seed: 1 }),
      new Dense(4, 2, { activation: 'elu', alpha: 0.5, seed: 2 }),
    ]);
    const { modelJson, weights } = toTfjs(original);
    const classes = (modelJson.modelTopology as { config: { layers: { class_name: string }[] } }).config.layers.map((l) => l.class_name);
    expect(classes).toEqual(['Dense', 'LeakyReLU', 'Dense', 'ELU']);
    const back = fromTfjs(modelJson, weights);
    expect(back.layers.map((l) => (l as Dense).alpha)).toEqual([0.25, 0.5]);
    const x = rows(5, 3, 4);
    expect(back.predict(x).toArray()).toEqual(original.predict(x).toArray());
  });

  it('saveTfjs writes model.json and weights.bin that loadTfjs reads back bit for bit', async () => {
    const model = glassnetModel();
    await saveTfjs(join(dir, 'saved'), model);
    const json = JSON.parse(readFileSync(join(dir, 'saved', 'model.json'), 'utf8')) as TfjsModelJson;
    expect(json.weightsManifest[0]!.paths).toEqual(['weights.bin']);
    const back = await loadTfjs(join(dir, 'saved', 'model.json'));
    const x = rows(4, 3, 2);
    expect(back.predict(x).toArray()).toEqual(model.predict(x).toArray());
  });
});

describe('TF.js → glassnet', () => {
  let artifacts: tf.io.ModelArtifacts;
  let original: tf.Sequential;
  beforeAll(async () => {
    original = tf.sequential();
    original.add(tf.layers.dense({ units: 5, inputShape: [3], activation: 'tanh', kernelInitializer: tf.initializers.glorotNormal({ seed: 1 }), biasInitializer: tf.initializers.randomNormal({ seed: 2 }) }));
    original.add(tf.layers.dropout({ rate: 0.25 }));
    original.add(tf.layers.dense({ units: 4, kernelInitializer: tf.initializers.glorotNormal({ seed: 3 }), biasInitializer: tf.initializers.randomNormal({ seed: 4 }) }));
    original.add(tf.layers.leakyReLU({ alpha: 0.01 }));
    original.add(tf.layers.dense({ units: 3, useBias: false, kernelInitializer: tf.initializers.glorotNormal({ seed: 5 }) }));
    original.add(tf.layers.activation({ activation: 'softmax' }));
    await original.save(tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }));
  });
  /** A fresh copy each time, so a test's edits stay its own. */
  const modelJson = (): TfjsModelJson => structuredClone({
    format: 'layers-model', generatedBy: artifacts.generatedBy!, convertedBy: null,
    modelTopology: artifacts.modelTopology as never, weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs as never }],
  });
  const bytes = (): Uint8Array => new Uint8Array(artifacts.weightData as ArrayBuffer);

  it('imports a model TF.js saved and predicts what TF.js predicts', async () => {
    const model = fromTfjs(modelJson(), bytes());
    expect(model.layers.map((l) => (l instanceof Dense ? `${l.inputSize}-${l.outputSize} ${l.activation}${l.bias === null ? ' no bias' : ''}` : 'dropout'))).toEqual(
      ['3-5 tanh', 'dropout', '5-4 leakyRelu', '4-3 softmax no bias'],
    );
    const x = rows(6, 3, 3);
    expect(worst(model.predict(x).toArray() as number[][], await tfPredict(original, x))).toBeLessThanOrEqual(1e-6);
  });

  it("reads Keras' model_config wrapper and the older layer list written as the config itself", async () => {
    const x = rows(3, 3, 5);
    const expected = await tfPredict(original, x);
    const wrapped = modelJson();
    wrapped.modelTopology = { model_config: wrapped.modelTopology, keras_version: '2.15.0' };
    expect(worst(fromTfjs(wrapped, bytes()).predict(x).toArray() as number[][], expected)).toBeLessThanOrEqual(1e-6);
    const older = modelJson();
    const topology = older.modelTopology as { config: { layers: unknown[] } };
    older.modelTopology = { class_name: 'Sequential', config: topology.config.layers as never };
    expect(worst(fromTfjs(older, bytes()).predict(x).toArray() as number[][], expected)).toBeLessThanOrEqual(1e-6);
  });

  it('refuses a layer it does not import, naming it', () => {
    const json = modelJson();
    const layers = (json.modelTopology as { config: { layers: { class_name: string }[] } }).config.layers;
    layers[1]!.class_name = 'Conv2D';
    rejection(() => fromTfjs(json, bytes(), { file: 'm.json' }), 'unknown-name', 'm.json: modelTopology.config.layers[1].class_name');
  });

  it('refuses weight bytes that the manifest does not cover exactly, and duplicate weight names', () => {
    rejection(() => fromTfjs(modelJson(), bytes().subarray(0, bytes().length - 4), { file: 'm.json' }), 'shape', 'm.json: weightsManifest[0].weights[4].shape');
    const json = modelJson();
    json.weightsManifest[0]!.weights.push({ ...json.weightsManifest[0]!.weights[0]! });
    rejection(() => fromTfjs(json, bytes(), { file: 'm.json' }), 'unknown-name', 'm.json: weightsManifest[0].weights[5].name');
  });

  it('keeps another LeakyReLU slope, refuses one that is not a number, and a __proto__ key', () => {
    const json = modelJson();
    const layers = (json.modelTopology as { config: { layers: { config: { alpha?: unknown } }[] } }).config.layers;
    layers[3]!.config.alpha = 0.3;
    const sloped = fromTfjs(json, bytes(), { file: 'm.json' }).layers.find((l) => l instanceof Dense && l.activation === 'leakyRelu') as Dense;
    expect(sloped.alpha).toBe(0.3);
    layers[3]!.config.alpha = 'steep';
    rejection(() => fromTfjs(json, bytes(), { file: 'm.json' }), 'range', 'm.json: modelTopology.config.layers[3].config.alpha');
    const text = JSON.stringify(modelJson()).replace('"format":', '"__proto__": {"polluted": 1}, "format":');
    rejection(() => fromTfjs(text, bytes(), { file: 'm.json' }), 'unknown-name', 'm.json: __proto__');
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('loadTfjs refuses a manifest path that leaves the directory, before reading it', async () => {
    const path = join(dir, 'climb.json');
    writeFileSync(path, JSON.stringify({ ...modelJson(), weightsManifest: [{ paths: ['../secret.bin'], weights: [] }] }));
    await expect(loadTfjs(path)).rejects.toThrow(/climb\.json: weightsManifest\[0\]\.paths\[0\]: expected a plain file name/);
  });
});
