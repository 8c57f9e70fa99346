// ONNX import: graphs PyTorch's torch.onnx.export wrote and the MatMul + Add
// form of Keras converters (scripts/make-onnx-fixtures.py) predict what
// PyTorch / numpy computed; glassnet's own exports come back with their
// scaling; unsupported and hostile graphs are refused by name.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ACTIVATIONS, Dense, Dropout, GlassnetError, Random, Sequential, fitScaler, mlp } from '../src/index.js';
import { toOnnx } from '../src/io/onnx-export.js';
import { fromOnnx } from '../src/io/onnx-import.js';
import { MODEL, type OnnxModel } from '../src/io/onnx-schema.js';
import { decodeMessage, encodeMessage } from '../src/io/protobuf.js';
import { rejection } from './helpers/errors.js';
import { runOnnx } from './helpers/onnx.js';

const FIXTURES = new URL('./fixtures/onnx/', import.meta.url);
const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(name, FIXTURES)));
const json = (name: string): { x: number[][]; y: number[][] } => JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8'));

function worst(a: number[][], b: number[][]): number {
  expect(a.map((r) => r.length)).toEqual(b.map((r) => r.length));
  return Math.max(...a.flatMap((row, r) => row.map((v, c) => Math.abs(v - b[r]![c]!))));
}

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

  it("glassnet's export of a model with categorical columns (string inputs), naming them", () => {
    const encoding = { columns: ['size', 'color'], categories: [null, ['blue', 'red']], fill: [null, null] };
    const error = rejection(() => fromOnnx(toOnnx(mlp([3, 2]), { encoding }), file), 'type', 'bad.onnx: graph.input');
    expect(error.found).toBe('string inputs "color"');
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

  it('an IR version or opset it does not know', () => {
    rejection(() => fromOnnx(edited((m) => { m.irVersion = 99; }), file), 'range', 'bad.onnx: ir_version');
    rejection(() => fromOnnx(edited((m) => { m.opsetImport = []; }), file), 'range', 'bad.onnx: opset_import');
  });
});

describe('corrupted files', () => {
  it.each(['torch-mlp.onnx', 'torch-activations.onnx'])('every single-byte corruption of a PyTorch export (%s) either imports or raises a GlassnetError naming the file', (name) => {
    const good = fixture(name);
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

  it('every truncation of a glassnet export is refused with a GlassnetError', () => {
    const good = toOnnx(mlp([3, 4, 2], { activation: 'tanh' }), { outputActivation: 'softmax' });
    for (let cut = 0; cut < good.length; cut++) expect(() => fromOnnx(good.subarray(0, cut))).toThrow(GlassnetError);
  });
});
