// The JSON model format: lossless round trips, and a precise error for every
// kind of bad file (the path in `argument` says where the problem is).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ARTICLE, Dense, Random, Sequential, articleNetwork, tensor, type Layer, type Tensor } from '../src/index.js';
import { Dropout } from '../src/nn/layers.js';
import { fitScaler } from '../src/data/scaling.js';
import { SGD } from '../src/optim/sgd.js';
import { MODEL_FORMAT, MODEL_VERSION, formatModelFile, modelFromJSON, modelToJSON, type ModelExtras } from '../src/io/modelfile.js';
import { allParameters, bitsOf, mixedModel } from './fixtures/io/models.js';
import { rejection } from './helpers/errors.js';

const INPUT = [[0.5, -1.25, 2], [-0.75, 0.1, 0.3]];

function text(model: Sequential, extras?: ModelExtras): string {
  return formatModelFile(modelToJSON(model, extras));
}

/** A valid file of the mixed model, parsed, then changed by `change`. */
/** A saved file changed by `change`; its checksum is dropped, as the format says to do for an edited file. */
function edited(change: (file: any) => void): any {
  const file = JSON.parse(text(mixedModel('float64')));
  delete file.checksum;
  change(file);
  return file;
}

function expectSameModel(loaded: Sequential, original: Sequential): void {
  expect(loaded.dtype).toBe(original.dtype);
  expect(loaded.layers.map(describeLayer)).toEqual(original.layers.map(describeLayer));
  const [a, b] = [allParameters(loaded), allParameters(original)];
  expect(a.length).toBe(b.length);
  a.forEach((t, i) => {
    expect(t.shape).toEqual(b[i]!.shape);
    expect(bitsOf(t), `parameter ${i}`).toEqual(bitsOf(b[i]!));
  });
  expect(bitsOf(loaded.predict(INPUT.map((r) => r.slice(0, loaded.inputSize))))).toEqual(
    bitsOf(original.predict(INPUT.map((r) => r.slice(0, original.inputSize)))),
  );
}

function describeLayer(layer: Layer): object {
  const d = layer as Dense;
  return {
    name: d.name, inputs: d.inputSize, units: d.outputSize, activation: d.activation,
    bias: d.bias === null ? null : { shape: d.bias.shape, trainable: d.bias.requiresGrad }, weightTrainable: d.weight.requiresGrad,
  };
}

describe('JSON model round trip', () => {
  it.each(['float64', 'float32'] as const)('keeps every %s weight bit for bit, every bias layout and the predictions', (dtype) => {
    const original = mixedModel(dtype);
    const { model } = modelFromJSON(text(original), { file: 'model.json' });
    expectSameModel(model, original);
    // The awkward values survive: -0 keeps its sign, the subnormal is not flushed.
    const w = (model.layers[0] as Dense).weight.data;
    expect(Object.is(w[0], -0)).toBe(true);
    expect(w[1]).toBe(dtype === 'float64' ? 5e-324 : Math.fround(1e-45));
  });

  it('keeps the article network: shared, frozen biases b1 and b2', () => {
    const original = articleNetwork();
    const file = modelToJSON(original);
    expect(file.architecture.layers.map((l) => l.type === 'dense' && [l.bias, l.biasTrainable])).toEqual([['shared', false], ['shared', false]]);
    expect(file.weights).toEqual([
      { weight: ARTICLE.hiddenWeights.flat(), bias: [ARTICLE.hiddenBias] },
      { weight: ARTICLE.outputWeights.flat(), bias: [ARTICLE.outputBias] },
    ]);
    const { model } = modelFromJSON(formatModelFile(file));
    expectSameModel(model, original);
    expect(model.parameters()).toHaveLength(2); // the frozen biases are not trained
  });

  it('writes float32 weights as the exact float64 value of each float32', () => {
    const file = modelToJSON(articleNetwork('float32'));
    expect(file.weights[0]!.weight![2]).toBe(Math.fround(0.15));
    expect(file.weights[0]!.weight![2]).not.toBe(0.15);
  });

  it('loads the example in docs/model-format.md, which is the article network', () => {
    const doc = readFileSync(new URL('../docs/model-format.md', import.meta.url), 'utf8');
    const example = /```json\n([\s\S]*?)```/.exec(doc)![1]!;
    const loaded = modelFromJSON(example, { file: 'docs example' });
    expectSameModel(loaded.model, articleNetwork());
    expect(loaded.preprocessing).toEqual({ featureNames: ['i1', 'i2'], targetName: 'o' });
  });

  it('keeps dropout layers: rate and mask generator state, so training resumes identically', () => {
    const original = new Sequential([
      new Dense(2, 6, { dtype: 'float64', seed: 1 }), new Dropout(6, 0.5, { seed: 9, dtype: 'float64' }), new Dense(6, 1, { dtype: 'float64', seed: 2 }),
    ]);
    const x = tensor([[0.3, -0.7], [1.1, 0.2]], { dtype: 'float64' });
    original.forward(x, true); // advance the mask stream past its seed
    const file = modelToJSON(original);
    expect(file.architecture.layers[1]).toEqual({ type: 'dropout', name: 'layer2', size: 6, rate: 0.5 });
    const { model } = modelFromJSON(formatModelFile(file));
    expect(bitsOf(model.forward(x, true))).toEqual(bitsOf(original.forward(x, true)));
    expect(bitsOf(model.predict(x))).toEqual(bitsOf(original.predict(x)));
  });

  it('reads the parsed object as well as the text, and JSON.stringify output too', () => {
    const original = mixedModel('float64');
    expectSameModel(modelFromJSON(JSON.parse(text(original))).model, original);
    // JSON.stringify writes -0 as 0, the one difference formatModelFile avoids.
    const viaStringify = modelFromJSON(JSON.stringify(modelToJSON(original))).model;
    expect(Object.is((viaStringify.layers[0] as Dense).weight.data[0], 0)).toBe(true);
  });

  it('is readable: fields indented, each number array on one line', () => {
    const lines = text(articleNetwork()).split('\n');
    expect(lines.slice(0, 3)).toEqual(['{', `  "format": "${MODEL_FORMAT}",`, `  "version": "${MODEL_VERSION}",`]);
    expect(lines).toContain('      "weight": [0.25, 0.25, 0.15, 0.2],');
    expect(lines).toContain(
      '      { "type": "dense", "name": "layer1", "inputSize": 2, "units": 2, "activation": "sigmoid", "bias": "shared", "biasTrainable": false },',
    );
  });

  it('keeps preprocessing, training metadata, optimizer and generator state', () => {
    const model = mixedModel('float64');
    const optimizer = new SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
    const random = new Random(42);
    random.uint32();
    const extras: ModelExtras = {
      preprocessing: {
        scaler: fitScaler('standard', [[1, 2, 3], [3, 2, 1]]).toJSON(), classes: ['setosa', 'versicolor'], featureNames: ['a', 'b', 'c'], targetName: 'species',
      },
      training: {
        loss: 'softmaxCrossEntropy', optimizer: { name: 'sgd', lr: 0.05, momentum: 0.9 }, epochs: 3, steps: 12, seed: 7,
        metrics: { loss: 0.125, accuracy: 1 }, date: '2024-05-01T12:00:00.000Z', notes: ['any', { json: true }],
      },
      optimizerState: optimizer.getState(),
      rngState: random.getState(),
    };
    const loaded = modelFromJSON(text(model, extras));
    expect(loaded.preprocessing).toEqual(extras.preprocessing);
    expect(loaded.training).toEqual(extras.training);
    expect(loaded.optimizerState).toEqual(optimizer.getState());
    const restored = new Random(0);
    restored.setState(loaded.rngState!);
    expect([restored.uint32(), restored.uint32()]).toEqual([random.uint32(), random.uint32()]);
  });

  it('returns copies: editing what was loaded does not reach the input', () => {
    const input = edited((f) => { f.preprocessing = { scaler: { kind: 'none' } }; });
    const loaded = modelFromJSON(input);
    (loaded.preprocessing!.scaler as any).kind = 'changed';
    expect(input.preprocessing.scaler.kind).toBe('none');
  });

  it('skips unknown fields of a newer minor version, but not of its own', () => {
    const newer = edited((f) => { f.version = '1.7'; f.futureField = { x: 1 }; f.architecture.layers[0].dropout = 0.5; });
    expect(modelFromJSON(newer).model.layers).toHaveLength(3);
    rejection(() => modelFromJSON(edited((f) => { f.futureField = 1; }), { file: 'm.json' }), 'unknown-name', 'm.json: futureField');
  });
});

describe('JSON model rejections', () => {
  it('a truncated file: names the file and where parsing stopped', () => {
    const full = text(mixedModel('float64'));
    const cut = full.slice(0, 200);
    const error = rejection(() => modelFromJSON(cut, { file: 'model.json' }), 'type', 'model.json');
    const lines = cut.split('\n');
    expect(error.found).toContain(`line ${lines.length}, column ${lines[lines.length - 1]!.length + 1} (character 200 of 200)`);
    expect(error.found).toContain('truncated');
    expect(error.cause).toBeInstanceOf(SyntaxError);
  });

  it('a syntax error in the middle: the line and column of the bad character', () => {
    const bad = text(articleNetwork()).replace(`"version": "${MODEL_VERSION}",`, `"version": "${MODEL_VERSION}",,`);
    const error = rejection(() => modelFromJSON(bad, { file: 'a.json' }), 'type', 'a.json');
    const column = bad.split('\n')[2]!.indexOf(',,') + 2; // 1-based column of the second comma
    expect(error.found).toContain(`line 3, column ${column} (`);
    expect(error.found).not.toContain('truncated');
  });

  it('a newer major version, naming found and expected', () => {
    const error = rejection(() => modelFromJSON(edited((f) => { f.version = '2.0'; }), { file: 'model.json' }), 'range', 'model.json: version');
    expect(error.message).toContain('from a newer glassnet version');
    expect(error.found).toContain('"2.0"');
    expect(error.expected).toContain('major version 1');
  });

  it.each([
    ['not a glassnet file', (f: any) => { f.format = 'keras'; }, 'unknown-name', 'format'],
    ['version not major.minor', (f: any) => { f.version = 1; }, 'type', 'version'],
    ['version 0', (f: any) => { f.version = '0.9'; }, 'range', 'version'],
    ['missing field', (f: any) => { delete f.weights; }, 'type', 'weights'],
    ['unknown dtype', (f: any) => { f.dtype = 'float16'; }, 'dtype', 'dtype'],
    ['unknown layer type', (f: any) => { f.architecture.layers[1].type = 'conv'; }, 'unknown-name', 'architecture.layers[1].type'],
    ['unknown activation', (f: any) => { f.architecture.layers[0].activation = 'swish'; }, 'unknown-name', 'architecture.layers[0].activation'],
    ['alpha on an activation without an option', (f: any) => { f.architecture.layers[0].activation = 'tanh'; f.architecture.layers[0].alpha = 0.2; }, 'type', 'architecture.layers[0].alpha'],
    ['alpha ELU does not take', (f: any) => { f.architecture.layers[0].activation = 'elu'; f.architecture.layers[0].alpha = -1; }, 'range', 'architecture.layers[0].alpha'],
    ['alpha not a number', (f: any) => { f.architecture.layers[0].activation = 'leakyRelu'; f.architecture.layers[0].alpha = '0.2'; }, 'range', 'architecture.layers[0].alpha'],
    ['inconsistent layer chain', (f: any) => { f.architecture.layers[1].inputSize = 5; }, 'shape', 'architecture.layers[1].inputSize'],
    ['non-integer size', (f: any) => { f.architecture.layers[2].units = 1.5; }, 'range', 'architecture.layers[2].units'],
    ['repeated layer name', (f: any) => { f.architecture.layers[2].name = 'layer1'; }, 'unknown-name', 'architecture.layers[2].name'],
    ['layer name with a dot', (f: any) => { f.architecture.layers[0].name = 'a.b'; }, 'unknown-name', 'architecture.layers[0].name'],
    ['unknown bias layout', (f: any) => { f.architecture.layers[0].bias = 'each'; }, 'unknown-name', 'architecture.layers[0].bias'],
    ['bias trainability missing', (f: any) => { delete f.architecture.layers[0].biasTrainable; }, 'type', 'architecture.layers[0].biasTrainable'],
    ['weight array too short', (f: any) => { f.weights[1].weight.pop(); }, 'shape', 'weights[1].weight'],
    ['a string for a weight', (f: any) => { f.weights[1].weight[5] = '0.5'; }, 'type', 'weights[1].weight[5]'],
    ['null for a weight', (f: any) => { f.weights[1].weight[5] = null; }, 'type', 'weights[1].weight[5]'],
    ['weights for fewer layers', (f: any) => { f.weights.pop(); }, 'shape', 'weights'],
    ['shared bias with a bias per unit', (f: any) => { f.weights[2].bias = [0.25, 0.25]; }, 'shape', 'weights[2].bias'],
    ['a bias where the layout says none', (f: any) => { f.weights[1].bias = [0, 0, 0]; }, 'type', 'weights[1].bias'],
    ['feature names not one per input', (f: any) => { f.preprocessing = { featureNames: ['a', 'b'] }; }, 'shape', 'preprocessing.featureNames'],
    ['repeated class label', (f: any) => { f.preprocessing = { classes: ['a', 'b', 'a'] }; }, 'state', 'preprocessing.classes[2]'],
    ['scaler not an object', (f: any) => { f.preprocessing = { scaler: [1, 2] }; }, 'type', 'preprocessing.scaler'],
    ['negative epochs', (f: any) => { f.training = { epochs: -1 }; }, 'range', 'training.epochs'],
    ['optimizer without a name', (f: any) => { f.training = { optimizer: { lr: 0.1 } }; }, 'type', 'training.optimizer.name'],
    ['unparseable date', (f: any) => { f.training = { date: 'yesterday' }; }, 'type', 'training.date'],
    ['optimizer state not an object', (f: any) => { f.optimizerState = 'adam'; }, 'type', 'optimizerState'],
    ['generator state of the wrong size', (f: any) => { f.rngState = [1, 2, 3]; }, 'shape', 'rngState'],
    ['generator word over 32 bits', (f: any) => { f.rngState = [1, 2, 3, 2 ** 32]; }, 'range', 'rngState[3]'],
    ['all-zero generator state', (f: any) => { f.rngState = [0, 0, 0, 0]; }, 'range', 'rngState'],
    ['dropout rate of 1', (f: any) => { f.architecture.layers.splice(1, 0, { type: 'dropout', name: 'd', size: 4, rate: 1 }); f.weights.splice(1, 0, {}); }, 'range', 'architecture.layers[1].rate'],
    ['dropout of the wrong size', (f: any) => { f.architecture.layers.splice(1, 0, { type: 'dropout', name: 'd', size: 3, rate: 0.1 }); f.weights.splice(1, 0, {}); }, 'shape', 'architecture.layers[1].size'],
    ['dropout with weights', (f: any) => { f.architecture.layers.splice(1, 0, { type: 'dropout', name: 'd', size: 4, rate: 0.1 }); f.weights.splice(1, 0, { weight: [] }); }, 'unknown-name', 'weights[1].weight'],
  ])('%s', (_, change, code, path) => {
    rejection(() => modelFromJSON(edited(change), { file: 'model.json' }), code, `model.json: ${path}`);
  });

  it('a number JSON cannot hold finitely (1e999 parses as Infinity)', () => {
    const bad = text(mixedModel('float64')).replace(/("weight": \[)[^,]+,/, '$1 1e999,');
    rejection(() => modelFromJSON(bad, { file: 'model.json' }), 'not-finite', 'model.json: weights[0].weight[0]');
  });

  it('a float32 model with a weight beyond float32 range', () => {
    const file = JSON.parse(text(mixedModel('float32')));
    file.weights[1].weight[3] = 1e39;
    rejection(() => modelFromJSON(file), 'not-finite', 'model: weights[1].weight[3]');
  });

  it('__proto__ keys anywhere, without polluting any prototype', () => {
    const top = text(articleNetwork()).replace('{\n', '{\n  "__proto__": { "polluted": true },\n');
    rejection(() => modelFromJSON(top, { file: 'model.json' }), 'unknown-name', 'model.json: __proto__');
    const nested = text(articleNetwork(), { preprocessing: { scaler: { kind: 'none' } } }).replace('"kind": "none"', '"kind": "none", "__proto__": { "polluted": true }');
    rejection(() => modelFromJSON(nested), 'unknown-name', 'model: preprocessing.scaler.__proto__');
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
  });

  it('fields inherited through a prototype do not count', () => {
    const sneaky = Object.create(JSON.parse(text(articleNetwork())));
    rejection(() => modelFromJSON(sneaky), 'type', 'model');
  });

  it('opaque JSON nested deeper than 64 levels', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 70; i++) deep = [deep];
    rejection(() => modelFromJSON(edited((f) => { f.optimizerState = { deep }; })), 'range', `model: optimizerState.deep${'[0]'.repeat(64)}`);
  });
});

describe('saving refuses what could not be loaded back', () => {
  it('NaN or infinite weights, naming the parameter and index', () => {
    const model = mixedModel('float64');
    (model.layers[1] as Dense).weight.data[4] = Number.NaN;
    rejection(() => modelToJSON(model), 'not-finite', 'layer2.weight[4]');
  });

  it('layers that are not Dense', () => {
    const identity: Layer = { name: 'id', inputSize: 2, outputSize: 2, dtype: 'float64', forward: (x: Tensor) => x, parameters: () => [], weights: () => [] };
    rejection(() => modelToJSON(new Sequential([identity])), 'type', 'model: layers[0]');
  });

  it('two layers with one name', () => {
    const model = new Sequential([new Dense(2, 2, { name: 'same' }), new Dense(2, 1, { name: 'same' })]);
    rejection(() => modelToJSON(model), 'unknown-name', 'model: layers[1].name');
  });

  it.each([
    ['an unknown extras field', { preprocesing: {} }, 'unknown-name', 'extras: preprocesing'],
    ['NaN in optimizer state', { optimizerState: { m: [0, Number.NaN] } }, 'not-finite', 'extras: optimizerState.m[1]'],
    ['a typed array in optimizer state', { optimizerState: { m: new Float64Array(2) } }, 'type', 'extras: optimizerState.m'],
    ['feature names not one per input', { preprocessing: { featureNames: ['x'] } }, 'shape', 'extras: preprocessing.featureNames'],
  ])('%s', (_, extras, code, argument) => {
    rejection(() => modelToJSON(mixedModel('float64'), extras as ModelExtras), code, argument);
  });
});
