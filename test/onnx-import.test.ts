// ONNX import: graphs PyTorch's torch.onnx.export wrote and the MatMul + Add
// form of Keras converters (scripts/make-onnx-fixtures.py) predict what
// PyTorch / numpy computed; glassnet's own exports come back with their
// scaling; unsupported and hostile graphs are refused by name.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  ACTIVATIONS, Dense, Dropout, GlassnetError, Random, Sequential, TrainedModel, fitScaler, loadFeatures, loadTable, mlp, type LossName,
} from '../src/index.js';
import { toOnnx } from '../src/io/onnx-export.js';
import { fromOnnx } from '../src/io/onnx-import.js';
import { MODEL, type OnnxAttribute, type OnnxModel, type OnnxTensor } from '../src/io/onnx-schema.js';
import { decodeMessage, encodeMessage } from '../src/io/protobuf.js';
import { rejection } from './helpers/errors.js';
import { runOnnx, shopCsv } from './helpers/onnx.js';
import { worst } from './helpers/compare.js';

const FIXTURES = new URL('./fixtures/onnx/', import.meta.url);
const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(name, FIXTURES)));
const json = (name: string): { x: number[][]; y: number[][] } => JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8'));


describe('importing graphs written by other tools', () => {
  it("PyTorch's export of Flatten, Linear, every activation and Dropout predicts what PyTorch computed (float32)", () => {
    const { model, producer } = fromOnnx(fixture('torch-mlp.onnx'), { file: 'torch-mlp.onnx' });
    expect(producer).toBe('pytorch 1.13.0');
    expect(model.layers.map((l) => (l instanceof Dense ? `${l.inputSize}-${l.outputSize} ${l.activation}` : 'dropout'))).toEqual(
      ['4-8 relu', '8-6 tanh', '6-5 sigmoid', '5-4 leakyRelu', '4-3 softmax'],
    );
    expect(model.dtype).toBe('float32');
    const { x, y } = json('torch-mlp.expected.json');
    expect(worst(model.predict(x).toArray() as number[][], y)).toBeLessThanOrEqual(1e-6);
  });

  it('the MatMul + Add form of Keras converters, with Identity and Dropout, predicts what numpy computed in float64', () => {
    const { model } = fromOnnx(fixture('keras-style.onnx'));
    expect(model.layers.map((l) => l.constructor.name)).toEqual(['Dense', 'Dropout', 'Dense']);
    expect((model.layers[1] as Dropout).rate).toBe(0.5);
    const { x, y } = json('keras-style.expected.json');
    // float32 weights and arithmetic against a float64 reference.
    expect(worst(model.predict(x).toArray() as number[][], y)).toBeLessThanOrEqual(1e-6);
  });

  it('takes the bias on either side of Add (PyTorch writes Add(bias, x) for MatMul)', () => {
    const decoded = decodeMessage(MODEL, fixture('keras-style.onnx'), 'keras-style.onnx');
    for (const node of decoded.graph!.node) if (node.opType === 'Add') node.input.reverse();
    const { model } = fromOnnx(encodeMessage(MODEL, decoded));
    const { x, y } = json('keras-style.expected.json');
    expect(worst(model.predict(x).toArray() as number[][], y)).toBeLessThanOrEqual(1e-6);
  });

  it("PyTorch's opset-17 export of GELU, GELU(approximate='tanh') and SiLU (several nodes with Constant scalars), Softplus and ELU(alpha=0.5) predicts what PyTorch computed", () => {
    const { model } = fromOnnx(fixture('torch-activations.onnx'), { file: 'torch-activations.onnx' });
    expect(model.layers.map((l) => (l instanceof Dense ? `${l.inputSize}-${l.outputSize} ${l.activation} ${l.alpha}` : 'dropout'))).toEqual(
      ['4-6 gelu 0', '6-6 geluTanh 0', '6-5 silu 0', '5-5 softplus 0', '5-4 elu 0.5', '4-3 linear 0'],
    );
    const { x, y } = json('torch-activations.expected.json');
    expect(worst(model.predict(x).toArray() as number[][], y)).toBeLessThanOrEqual(1e-6);
  });

  it.each([
    ['in another topological order (every Constant first, the last first: scripts/make-onnx-fixtures.py)', (): Uint8Array => fixture('torch-activations-reordered.onnx')],
    ['listed backwards (no longer in topological order)', (): Uint8Array => {
      const m = decodeMessage(MODEL, fixture('torch-activations.onnx'), 'x');
      m.graph!.node.reverse();
      return encodeMessage(MODEL, m);
    }],
  ])('the same nodes %s: the forms are matched by data flow, predicting what PyTorch computed', (_, bytes) => {
    const { model } = fromOnnx(bytes(), { file: 'reordered.onnx' });
    expect(model.layers.map((l) => (l as Dense).activation)).toEqual(['gelu', 'geluTanh', 'silu', 'softplus', 'elu', 'linear']);
    const { x, y } = json('torch-activations.expected.json');
    expect(worst(model.predict(x).toArray() as number[][], y)).toBeLessThanOrEqual(1e-6);
  });

  it('the same in float64 (DOUBLE Constant scalars, equal to the forms\' constants exactly) predicts what PyTorch computed to 1e-12', () => {
    const { model } = fromOnnx(fixture('torch-activations-f64.onnx'));
    expect(model.dtype).toBe('float64');
    expect(model.layers.map((l) => (l as Dense).activation)).toEqual(['gelu', 'geluTanh', 'silu', 'softplus', 'elu', 'linear']);
    const { x, y } = json('torch-activations-f64.expected.json');
    expect(worst(model.predict(x).toArray() as number[][], y)).toBeLessThanOrEqual(1e-12);
  });

  it('as float64 on request, the PyTorch-trained small network matches PyTorch to float32 rounding of its inputs', () => {
    const { model } = fromOnnx(fixture('torch-small.onnx'), { dtype: 'float64' });
    expect(model.dtype).toBe('float64');
    const { x, y } = json('torch-small.expected.json');
    expect(worst(model.predict(x).toArray() as number[][], y)).toBeLessThanOrEqual(1e-6);
  });
});

describe('glassnet → ONNX → glassnet', () => {
  it('keeps every float32 weight bit for bit, the layers, the scaler and the metadata', () => {
    const model = new Sequential([
      new Dense(3, 4, { activation: 'leakyRelu', seed: 1 }), new Dropout(4, 0.3),
      new Dense(4, 2, { activation: 'sigmoid', bias: 0.25, sharedBias: true, seed: 2 }), new Dense(2, 2, { bias: false, activation: 'softmax', seed: 3 }),
    ]);
    const scaler = fitScaler('standard', [[1, 2, 3], [4, 8, 5], [0, 1, 9]]);
    const back = fromOnnx(toOnnx(model, { scaler, featureNames: ['a', 'b', 'c'], classes: ['no', 'yes'], targetName: 'answer' }));
    expect(back.model.layers.map((l) => (l instanceof Dense ? l.activation : 'dropout'))).toEqual(['leakyRelu', 'dropout', 'sigmoid', 'softmax']);
    const dense = (m: Sequential) => m.layers.filter((l): l is Dense => l instanceof Dense);
    dense(back.model).forEach((l, k) => {
      const original = dense(model)[k]!;
      expect(Array.from(l.weight.data)).toEqual(Array.from(original.weight.data));
      // A shared bias comes back as one value per unit (ONNX broadcasts it).
      expect(l.bias === null ? null : Array.from(l.bias.data)).toEqual(
        original.bias === null ? null : Array.from({ length: l.outputSize }, (_, u) => original.bias!.data[original.bias!.size === 1 ? 0 : u]!),
      );
    });
    expect(back.preprocessing).toEqual({
      featureNames: ['a', 'b', 'c'], classes: ['no', 'yes'], targetName: 'answer',
      scaler: { kind: 'standard', mean: scaler.offset.map(Math.fround), std: scaler.scale.map(Math.fround) },
    });
  });
});

describe('glassnet → ONNX → glassnet with categorical columns, scaling and the loss', () => {
  const data = loadTable(shopCsv(60, 11), { target: 'price band' });
  const scaler = fitScaler('standard', data.x);
  /** Rows the model never saw, as glassnet reads them with the encoding `trained` holds. */
  const rows = (trained: TrainedModel): number[][] => loadFeatures(shopCsv(30, 12), { encoding: trained.encoding!, features: ['size', 'color', 'weight', 'shape'] }).x;
  const exported = (loss: LossName, outputs: number, raw = false) => {
    const model = mlp([data.x[0]!.length, 6, outputs], { activation: 'tanh', outputActivation: loss === 'binaryCrossEntropy' ? 'sigmoid' : 'linear', seed: 3, dtype: 'float32' });
    const trained = new TrainedModel(model, { loss, classes: data.classes!, scaler, encoding: data.encoding, featureNames: data.featureNames });
    const probabilities = raw ? null : { softmaxCrossEntropy: 'softmax', binaryCrossEntropyWithLogits: 'sigmoid' }[loss as string] ?? null;
    const bytes = toOnnx(model, {
      scaler, encoding: data.encoding, featureNames: data.featureNames, classes: data.classes!, loss,
      ...(probabilities === null ? {} : { outputActivation: probabilities as 'softmax' | 'sigmoid' }),
    });
    return { trained, bytes };
  };
  const restore = (bytes: Uint8Array): TrainedModel => {
    const { model, preprocessing, loss } = fromOnnx(bytes, { file: 'shop.onnx' });
    return TrainedModel.fromLoaded({ model, version: '1.0', ...(preprocessing === undefined ? {} : { preprocessing }), training: loss === undefined ? {} : { loss } });
  };

  it.each([
    ['softmaxCrossEntropy', 2, false], ['softmaxCrossEntropy', 2, true], ['binaryCrossEntropyWithLogits', 1, false], ['binaryCrossEntropy', 1, false],
  ] as const)('%s (%i outputs, raw %s): the network, its encoding, scaler and loss come back, predicting the raw rows as the original', (loss, outputs, raw) => {
    const { trained, bytes } = exported(loss, outputs, raw);
    const back = restore(bytes);
    expect(back.loss).toBe(loss);
    // The appended softmax or sigmoid is taken off again: the network is the one trained.
    expect(back.model.layers.map((l) => (l as Dense).activation)).toEqual(trained.model.layers.map((l) => (l as Dense).activation));
    expect(back.encoding).toEqual({ ...data.encoding, fill: [null, null, null, null] });
    expect(back.featureNames).toEqual(data.featureNames);
    expect(back.classes).toEqual(data.classes);
    // float32 weights bit for bit; the scaler's statistics went through float32.
    back.model.layers.forEach((l, k) => expect(Array.from((l as Dense).weight.data)).toEqual(Array.from((trained.model.layers[k] as Dense).weight.data)));
    const x = rows(back);
    expect(x).toEqual(rows(trained));
    expect(worst(back.predictProba(x), trained.predictProba(x))).toBeLessThanOrEqual(1e-6);
    expect(back.classify(x)).toEqual(trained.classify(x));
    // The rows really are encoded and scaled: a model without that predicts otherwise.
    expect(worst(back.model.predict(x).toArray() as number[][], trained.model.predict(scaler.transform(x)).toArray() as number[][])).toBeGreaterThan(1e-3);
  });

  it('a regression model: the trailing Mul and Add are its target scaler again, and predictions are in target units', () => {
    const y = data.x.map((r) => [r[0]! * 3 + 100, r[4]! / 10]);
    const targetScaler = fitScaler('standard', y);
    const model = mlp([data.x[0]!.length, 5, 2], { activation: 'relu', outputActivation: 'linear', seed: 5, dtype: 'float32' });
    const trained = new TrainedModel(model, { loss: 'mse', scaler, targetScaler, encoding: data.encoding, featureNames: data.featureNames, targetNames: ['a', 'b'] });
    const back = restore(toOnnx(model, { scaler, targetScaler, encoding: data.encoding, featureNames: data.featureNames, targetName: 'a,b', loss: 'mse' }));
    expect([back.task, back.targetScaler.kind, back.loss]).toEqual(['regression', 'standard', 'mse']);
    const x = rows(back);
    const [before, after] = [trained.predict(x), back.predict(x)];
    expect(worst(after, before)).toBeLessThanOrEqual(1e-6 * Math.max(...before.flat().map(Math.abs)));
  });

  describe('anything but the exact form the export writes is refused, naming the node', () => {
    const edited = (edit: (m: OnnxModel) => void): Uint8Array => {
      const m = decodeMessage(MODEL, exported('softmaxCrossEntropy', 2).bytes, 'x');
      edit(m);
      return encodeMessage(MODEL, m);
    };
    const node = (m: OnnxModel, name: string) => m.graph!.node.find((n) => n.name === name)!;
    const file = { file: 'bad.onnx' };

    it('a OneHotEncoder whose unseen categories give zeros (zeros = 1), or whose categories repeat', () => {
      rejection(() => fromOnnx(edited((m) => { node(m, 'onehot1').attribute[1]!.i = 1; }), file), 'range', 'bad.onnx: graph.node[0] "onehot1" (OneHotEncoder) zeros');
      const repeated = rejection(() => fromOnnx(edited((m) => { const a = node(m, 'onehot1').attribute[0]!; a.strings = [a.strings[0]!, a.strings[0]!, a.strings[2]!]; }), file), 'state', 'bad.onnx: graph.node[0] "onehot1" (OneHotEncoder) cats_strings[1]');
      expect(repeated.found).toBe('"blue"');
      // More categories than a glassnet column may have are refused before any is decoded or compared.
      const many = rejection(() => fromOnnx(edited((m) => { node(m, 'onehot1').attribute[0]!.strings = Array.from({ length: 1001 }, (_, i) => new TextEncoder().encode(`c${i}`)); }), file), 'range', 'bad.onnx: graph.node[0] "onehot1" (OneHotEncoder) cats_strings');
      expect(many.found).toBe('1001');
    });

    it('a Flatten on another axis, a Concat in another order, a Gather in another column order', () => {
      rejection(() => fromOnnx(edited((m) => { node(m, 'onehot1_flatten').attribute[0]!.i = 2; }), file), 'range', 'bad.onnx: graph.node[1] "onehot1_flatten" (Flatten) axis');
      const concat = rejection(() => fromOnnx(edited((m) => { node(m, 'encode_concat').input.reverse(); }), file), 'shape', 'bad.onnx: graph.node[4] "encode_concat" (Concat).input');
      expect(concat.expected).toBe('["input","onehot1_flatten.out","onehot2_flatten.out"]');
      const swap = (i: number, j: number) => edited((m) => {
        const order = m.graph!.initializer.find((t) => t.name === 'encode.order')!.int64Data;
        [order[i], order[j]] = [order[j]!, order[i]!];
      });
      // Numeric columns swapped: another order than the export's; a block cut in two: no column order at all.
      const numeric = rejection(() => fromOnnx(swap(0, 4), file), 'shape', 'bad.onnx: graph.node[5] "encode_order" (Gather).input[1] "encode.order"');
      expect([numeric.expected, numeric.found]).toEqual(['a Gather by [0, 2, 3, 4, 1, 5, 6] (numeric columns, then each categorical column\'s block, in the model\'s column order)', '[1, 2, 3, 4, 0, 5, 6]']);
      expect(rejection(() => fromOnnx(swap(0, 1), file), 'shape', 'bad.onnx: graph.node[5] "encode_order" (Gather).input[1] "encode.order"').expected).toMatch(/^indices that take each numeric column once/);
    });

    it('a column order index out of range, or one beyond 2^53, allocates nothing and names the initializer', () => {
      rejection(() => fromOnnx(edited((m) => { m.graph!.initializer.find((t) => t.name === 'encode.order')!.int64Data[3] = 99; }), file), 'shape', 'bad.onnx: graph.node[5] "encode_order" (Gather).input[1] "encode.order"');
      rejection(() => fromOnnx(edited((m) => { m.graph!.initializer.find((t) => t.name === 'encode.order')!.dims = [2 ** 40]; }), file), 'shape', 'bad.onnx: graph.initializer[0] "encode.order"');
    });

    it('metadata that names other columns than the graph, or none for the numeric columns', () => {
      rejection(() => fromOnnx(edited((m) => { m.metadataProps = m.metadataProps.filter((e) => e.key !== 'glassnet.inputs'); }), file), 'empty', 'bad.onnx: metadata_props');
      const other = edited((m) => { const e = m.metadataProps.find((p) => p.key === 'glassnet.inputs')!; e.value = e.value!.replace('"round"', '"oval"'); });
      rejection(() => fromOnnx(other, file), 'state', 'bad.onnx: metadata_props[4] "glassnet.inputs"');
      const names = edited((m) => { const e = m.metadataProps.find((p) => p.key === 'glassnet.featureNames')!; e.value = e.value!.replace('"size"', '"length"'); });
      rejection(() => fromOnnx(names, file), 'state', 'bad.onnx: metadata_props "glassnet.featureNames"');
    });

    it('an appended output activation the graph does not end with; one the loss does not apply stays in the network', () => {
      const other = edited((m) => { m.metadataProps.find((p) => p.key === 'glassnet.outputActivation')!.value = '"sigmoid"'; });
      rejection(() => fromOnnx(other, file), 'state', 'bad.onnx: metadata_props[2] "glassnet.outputActivation"');
      const loss = edited((m) => { m.metadataProps.find((p) => p.key === 'glassnet.loss')!.value = '"mse"'; });
      const back = fromOnnx(loss, file);
      expect([back.loss, (back.model.layers[1] as Dense).activation]).toEqual(['mse', 'softmax']);
    });
  });
});

describe('glassnet → ONNX → glassnet, every activation', () => {
  it.each(ACTIVATIONS)('%s, hidden and output, comes back as itself with the same predictions', (activation) => {
    const model = mlp([3, 5, 2], { activation, outputActivation: activation, seed: 4 });
    const back = fromOnnx(toOnnx(model)).model;
    expect(back.layers.map((l) => (l as Dense).activation)).toEqual([activation, activation]);
    const x = [[-2, 0.5, 1], [3, -1, 0.25]];
    expect(back.predict(x).toArray()).toEqual(model.predict(x).toArray());
  });
});

describe("opset 20's Gelu operator, as newer exporters write it", () => {
  /** glassnet's export with the hidden Relu replaced by Gelu(approximate), opset 20. */
  function withGelu(approximate: string | null): Uint8Array {
    const m = decodeMessage(MODEL, toOnnx(mlp([3, 4, 2], { activation: 'relu', seed: 9 })), 'x');
    const relu = m.graph!.node.find((n) => n.opType === 'Relu')!;
    relu.opType = 'Gelu';
    relu.attribute = approximate === null ? [] : [{ name: 'approximate', type: 3, s: new TextEncoder().encode(approximate), floats: [], ints: [], strings: [] }];
    m.opsetImport = [{ domain: '', version: 20 }];
    return encodeMessage(MODEL, m);
  }

  it.each([[null, 'gelu'], ['none', 'gelu'], ['tanh', 'geluTanh']] as const)('approximate %s is %s, predicting what ONNX Runtime computes from the file', async (approximate, activation) => {
    const bytes = withGelu(approximate);
    const { model } = fromOnnx(bytes);
    expect((model.layers[0] as Dense).activation).toBe(activation);
    const x = [[-3, 0.5, 1], [2, -1, 0.25], [0.1, 0.2, -4]];
    expect(worst(model.predict(x).toArray() as number[][], await runOnnx(bytes, x))).toBeLessThanOrEqual(1e-6);
  });

  it('another approximation is refused, naming the attribute', () => {
    const error = rejection(() => fromOnnx(withGelu('__proto__'), { file: 'bad.onnx' }), 'range', 'bad.onnx: graph.node[1] "layer1_relu" (Gelu) approximate');
    expect(error.found).toBe('"__proto__"');
  });
});

describe('activations of several nodes that do not match', () => {
  const torch = (): OnnxModel => decodeMessage(MODEL, fixture('torch-activations.onnx'), 'torch-activations.onnx');
  /** The Constant node that holds `value` (the first such), as PyTorch wrote it. */
  const constantHolding = (m: OnnxModel, value: number) => m.graph!.node.find((n) => n.opType === 'Constant' && new DataView(n.attribute[0]!.t!.rawData!.buffer, n.attribute[0]!.t!.rawData!.byteOffset).getFloat32(0, true) === Math.fround(value))!;
  const setConstant = (m: OnnxModel, value: number, to: number): void => {
    const raw = constantHolding(m, value).attribute[0]!.t!.rawData!;
    new DataView(raw.buffer, raw.byteOffset).setFloat32(0, to, true);
  };

  it("GELU's √2 that is not √2 in float32: refused at the Div, naming the form", () => {
    const m = torch();
    setConstant(m, Math.SQRT2, 1.4142);
    const error = rejection(() => fromOnnx(encodeMessage(MODEL, m), { file: 'bad.onnx' }), 'unknown-name', 'bad.onnx: graph.node[2] "/1/Div" (Div)');
    expect(error.expected).toMatch(/; as the first node of gelu \(Div, Erf, Add, Mul, Mul\): Div\("\/0\/Gemm_output_0", 1\.41421353816986\d*\)$/);
    expect(error.found).toBe('op type "Div": Div("/0/Gemm_output_0", "/1/Constant_output_0" = 1.414199948310852)');
  });

  it("the tanh approximation's 0.044715 changed: refused at the Mul that uses it", () => {
    const m = torch();
    setConstant(m, 0.044715, 0.045);
    const error = rejection(() => fromOnnx(encodeMessage(MODEL, m), { file: 'bad.onnx' }), 'unknown-name', 'bad.onnx: graph.node[13] "/3/Mul_2" (Mul)');
    expect(error.expected).toContain('the nodes of geluTanh (Mul, Mul, Mul, Add, Mul, Tanh, Add, Mul, Mul)');
  });

  it("SiLU's Mul reading something else than the layer's NET: a lone Sigmoid, then a Mul that is refused", () => {
    const m = torch();
    const mul = m.graph!.node.find((n) => n.name === '/5/Mul')!;
    mul.input = [mul.input[1]!, mul.input[1]!];
    rejection(() => fromOnnx(encodeMessage(MODEL, m), { file: 'bad.onnx' }), 'shape', 'bad.onnx: graph.node[25] "/5/Mul" (Mul)');
  });

  it('an unknown pattern after a layer (x · 2) keeps the error naming the node and its op type', () => {
    const m = decodeMessage(MODEL, toOnnx(mlp([3, 2], { activation: 'silu' })), 'x');
    const mul = m.graph!.node[2]!;
    mul.input = [mul.input[0]!, 'two'];
    m.graph!.node.splice(1, 1);
    mul.input[0] = m.graph!.node[0]!.output[0]!;
    m.graph!.initializer.push({ name: 'two', dims: [], dataType: 1, floatData: [2], int64Data: [], doubleData: [] });
    const error = rejection(() => fromOnnx(encodeMessage(MODEL, m), { file: 'bad.onnx' }), 'unknown-name', 'bad.onnx: graph.node[1] "layer1_silu_1" (Mul)');
    expect(error.expected).toContain('one of the operators glassnet imports (Gemm, MatMul, Add, Sigmoid');
    expect(error.found).toBe('op type "Mul": Mul("layer1_gemm.out", "two" = 2)');
  });
});

describe('refusals', () => {
  /** A valid export, edited as decoded data and encoded again. */
  function edited(edit: (m: OnnxModel) => void, model = mlp([3, 4, 2], { activation: 'relu' })): Uint8Array {
    const decoded = decodeMessage(MODEL, toOnnx(model), 'x');
    edit(decoded);
    return encodeMessage(MODEL, decoded);
  }
  const file = { file: 'bad.onnx' };

  it('an unsupported operator, naming the node and its op type', () => {
    const error = rejection(() => fromOnnx(fixture('unsupported-conv.onnx'), file), 'unknown-name', 'bad.onnx: graph.node[0] "conv0" (Conv)');
    expect(error.found).toBe('op type "Conv"');
  });

  it('a value produced twice: by two nodes, or by a node and an initializer', () => {
    const twice = edited((m) => { m.graph!.node[1]!.output = [...m.graph!.node[0]!.output]; });
    rejection(() => fromOnnx(twice, file), 'unknown-name', 'bad.onnx: graph.node[1] "layer1_relu" (Relu).output');
    const shadow = edited((m) => { m.graph!.node[0]!.output = ['layer2.weight']; });
    rejection(() => fromOnnx(shadow, file), 'unknown-name', 'bad.onnx: graph.node[0] "layer1_gemm" (Gemm).output');
    const inputTwice = edited((m) => { m.graph!.input.push({ ...m.graph!.input[0]! }); });
    rejection(() => fromOnnx(inputTwice, file), 'unknown-name', 'bad.onnx: graph.input[1]');
  });

  it('duplicate initializer names', () => {
    const bytes = edited((m) => m.graph!.initializer.push({ ...m.graph!.initializer[0]! }));
    rejection(() => fromOnnx(bytes, file), 'unknown-name', 'bad.onnx: graph.initializer[4].name');
  });

  it('dims that disagree with the stored bytes (a huge declared size allocates nothing)', () => {
    const bytes = edited((m) => { m.graph!.initializer[0]!.dims = [2 ** 40, 2 ** 12]; });
    const error = rejection(() => fromOnnx(bytes, file), 'shape', 'bad.onnx: graph.initializer[0] "layer1.weight"');
    expect(error.found).toBe('48 bytes of raw_data');
  });

  it('a branch: a value used by two nodes', () => {
    const bytes = edited((m) => { m.graph!.node[1]!.input = [m.graph!.node[0]!.input[0]!]; });
    rejection(() => fromOnnx(bytes, file), 'shape', 'bad.onnx: graph.node[0] "layer1_gemm" (Gemm)');
  });

  it('an activation option the activation does not take (Elu alpha −1)', () => {
    const bytes = edited((m) => { m.graph!.node[1]!.attribute[0]!.f = -1; }, mlp([3, 2], { activation: 'elu' }));
    rejection(() => fromOnnx(bytes, file), 'range', 'bad.onnx: graph.node[1] "layer1_elu" (Elu) alpha');
  });

  it('keeps a layer\'s own option: a LeakyRelu slope of 0.2 (float32, as ONNX stores it), and the default slope exactly', () => {
    const sloped = fromOnnx(toOnnx(new Sequential([new Dense(3, 2, { activation: 'leakyRelu', alpha: 0.2, seed: 1 })])), file).model.layers[0] as Dense;
    expect([sloped.activation, sloped.alpha]).toEqual(['leakyRelu', Math.fround(0.2)]);
    const plain = fromOnnx(toOnnx(mlp([3, 2], { activation: 'leakyRelu', seed: 1 })), file).model.layers[0] as Dense;
    expect(plain.alpha).toBe(0.01);
  });

  it('weights that are not data but references to another file, and integer weights', () => {
    rejection(() => fromOnnx(edited((m) => { m.graph!.initializer[0]!.dataLocation = 1; }), file), 'type', 'bad.onnx: graph.initializer[0] "layer1.weight".data_location');
    rejection(() => fromOnnx(edited((m) => { m.graph!.initializer[0]!.dataType = 7; }), file), 'dtype', 'bad.onnx: graph.initializer[0] "layer1.weight".data_type');
  });

  it('metadata JSON with a __proto__ key, or repeated metadata keys', () => {
    const proto = edited((m) => { m.metadataProps = [{ key: 'glassnet.classes', value: '[{"__proto__": {"x": 1}}]' }]; });
    rejection(() => fromOnnx(proto, file), 'unknown-name', 'bad.onnx: metadata_props[0][0].__proto__');
    const twice = edited((m) => { m.metadataProps = [{ key: 'a', value: '1' }, { key: 'a', value: '2' }]; });
    rejection(() => fromOnnx(twice, file), 'unknown-name', 'bad.onnx: metadata_props[1]');
  });

  it('a constant that is not finite, naming the tensor and the value: NaN weights, an infinite target scale, a NaN Constant scalar', () => {
    /** Sets value `i` of a float32 tensor stored in raw_data. */
    const set = (t: OnnxTensor, i: number, value: number): void => {
      new DataView(t.rawData!.buffer, t.rawData!.byteOffset, t.rawData!.byteLength).setFloat32(4 * i, value, true);
    };
    const nan = rejection(() => fromOnnx(edited((m) => set(m.graph!.initializer[0]!, 2, NaN)), file), 'not-finite', 'bad.onnx: graph.initializer[0] "layer1.weight"[2]');
    expect([nan.expected, nan.found]).toEqual(['a finite number', 'NaN']);

    // The target scaler's numbers are constants too, though they never become weights.
    const regression = decodeMessage(MODEL, toOnnx(mlp([3, 2]), { targetScaler: fitScaler('standard', [[1, 5], [3, 9]]) }), 'x');
    const at = regression.graph!.initializer.findIndex((t) => t.name === 'targetScaler.scale');
    set(regression.graph!.initializer[at]!, 1, Infinity);
    const infinite = rejection(() => fromOnnx(encodeMessage(MODEL, regression), file), 'not-finite', `bad.onnx: graph.initializer[${at}] "targetScaler.scale"[1]`);
    expect(infinite.found).toBe('Infinity');

    // PyTorch writes an activation's scalars as Constant nodes.
    const torch = decodeMessage(MODEL, fixture('torch-activations.onnx'), 'x');
    const k = torch.graph!.node.findIndex((n) => n.opType === 'Constant');
    const node = torch.graph!.node[k]!;
    const scalar: OnnxAttribute = { name: 'value_float', type: 1, f: NaN, floats: [], ints: [], strings: [] };
    node.attribute = [scalar];
    rejection(() => fromOnnx(encodeMessage(MODEL, torch), file), 'not-finite', `bad.onnx: graph.node[${k}] "${node.name ?? ''}" (Constant)[0]`);
  });

  it('an IR version or opset it does not know', () => {
    rejection(() => fromOnnx(edited((m) => { m.irVersion = 99; }), file), 'range', 'bad.onnx: ir_version');
    rejection(() => fromOnnx(edited((m) => { m.opsetImport = []; }), file), 'range', 'bad.onnx: opset_import');
  });
});

describe('corrupted files', () => {
  /** glassnet's export of a model with categorical columns between numeric ones, target scaling and fill values. */
  const categorical = (): Uint8Array => {
    const encoding = { columns: ['size', 'color', 'weight'], categories: [null, ['blue', 'red'], null], fill: [1.5, 'red', 2] };
    const targetScaler = fitScaler('standard', [[1], [3]]);
    return toOnnx(mlp([4, 3, 1], { activation: 'gelu', outputActivation: 'linear' }), { encoding, targetScaler, featureNames: ['size', 'color=blue', 'color=red', 'weight'], loss: 'mse', missing: 'mean' });
  };
  const files: Record<string, () => Uint8Array> = {
    'torch-mlp.onnx': () => fixture('torch-mlp.onnx'), 'torch-activations.onnx': () => fixture('torch-activations.onnx'), 'a glassnet export with categorical columns': categorical,
  };

  it('the categorical export the corruptions start from imports', () => {
    const { preprocessing } = fromOnnx(categorical());
    expect(preprocessing?.encoding).toEqual({ columns: ['size', 'color', 'weight'], categories: [null, ['blue', 'red'], null], fill: [1.5, 'red', 2] });
    expect(preprocessing?.missing).toBe('mean');
    // Fill values are stored by column name: an export without the names is refused, not written unreadable.
    const encoding = { columns: ['size', 'weight'], categories: [null, null], fill: [1.5, 2] };
    const unnamed = rejection(() => toOnnx(mlp([2, 3, 1]), { encoding, missing: 'mean' }), 'state', 'options.featureNames');
    expect(unnamed.found).toBe('none');
  });

  it.each(Object.keys(files))('every single-byte corruption of %s either imports or raises a GlassnetError naming the file', (name) => {
    const good = files[name]!();
    const random = new Random(13);
    let refused = 0;
    for (let trial = 0; trial < 300; trial++) {
      const bytes = good.slice();
      const at = random.int(bytes.length);
      bytes[at] = random.int(256);
      try {
        fromOnnx(bytes, { file: 'fuzz.onnx' });
      } catch (error) {
        // Never a TypeError or RangeError from reading past a buffer or a wrong type.
        expect(error, `byte ${at}`).toBeInstanceOf(GlassnetError);
        expect((error as GlassnetError).argument).toMatch(/^fuzz\.onnx/);
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(0);
  });

  it.each([
    ['a glassnet export', (): Uint8Array => toOnnx(mlp([3, 4, 2], { activation: 'tanh' }), { outputActivation: 'softmax' })],
    ['a glassnet export with categorical columns', categorical],
  ])('every truncation of %s is refused with a GlassnetError', (_, bytes) => {
    const good = bytes();
    for (let cut = 0; cut < good.length; cut++) expect(() => fromOnnx(good.subarray(0, cut))).toThrow(GlassnetError);
  });
});
