// glassnet's protobuf wire format against independent references: files the
// `onnx` package's helpers wrote (scripts/make-onnx-fixtures.py) decoded by
// glassnet, glassnet's files decoded by protobufjs with the official
// onnx.proto and checked by `onnx.checker`, and hostile bytes refused.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import protobuf from 'protobufjs';
import { afterAll, describe, expect, it } from 'vitest';
import { Dense, Dropout, Sequential, mlp } from '../src/index.js';
import { toOnnx } from '../src/io/onnx-export.js';
import { MODEL, TENSOR, type OnnxTensor } from '../src/io/onnx-schema.js';
import { decodeMessage, encodeMessage, type Schema } from '../src/io/protobuf.js';
import { rejection } from './helpers/errors.js';

const PYTHON = '/usr/bin/python3';
const SCRIPT = new URL('../scripts/make-onnx-fixtures.py', import.meta.url).pathname;
const FIXTURES = new URL('./fixtures/onnx/', import.meta.url);
const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(name, FIXTURES)));
const json = (name: string): any => JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8'));
const root = protobuf.loadSync(new URL('onnx.proto', FIXTURES).pathname);
const ModelProto = root.lookupType('onnx.ModelProto');
const dir = mkdtempSync(join(tmpdir(), 'glassnet-onnx-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A tensor's values as the reference stored them (float_data, raw_data or double_data). */
function values(t: OnnxTensor): number[] {
  if (t.rawData !== undefined) return Array.from(new Float32Array(t.rawData.slice().buffer));
  return t.dataType === 11 ? t.doubleData : t.floatData;
}

describe('reading files written by the onnx package', () => {
  const expected = json('helper-reference.expected.json');
  const model = decodeMessage(MODEL, fixture('helper-reference.onnx'), 'helper-reference.onnx');

  it('finds the versions, opset and metadata', () => {
    expect({ irVersion: model.irVersion, producerName: model.producerName, opsetImport: model.opsetImport, metadataProps: model.metadataProps })
      .toEqual({ irVersion: expected.irVersion, producerName: expected.producerName, opsetImport: expected.opsetImport, metadataProps: expected.metadataProps });
  });

  it('finds every node with its inputs, outputs and float and int attributes (a negative int included)', () => {
    const nodes = model.graph!.node.map((n) => ({
      name: n.name, opType: n.opType, input: n.input, output: n.output,
      attributes: Object.fromEntries(n.attribute.map((a) => [a.name, a.type === 1 ? a.f : a.i])),
    }));
    expect(nodes).toEqual(expected.graph.nodes);
  });

  it('reads initializers stored as float_data, raw_data and double_data, and the symbolic batch dimension', () => {
    const graph = model.graph!;
    for (const t of graph.initializer) {
      const want = expected.graph.initializers[t.name!];
      expect({ dims: t.dims, dataType: t.dataType, values: values(t) }).toEqual({ dims: want.dims, dataType: want.dataType, values: want.values });
      expect(t.rawData !== undefined ? 'rawData' : t.dataType === 11 ? 'doubleData' : 'floatData').toBe(want.stored);
    }
    const dims = graph.input[0]!.type!.tensorType!.shape!.dim.map((d) => d.dimParam ?? d.dimValue);
    expect({ name: graph.input[0]!.name, dims }).toEqual(expected.graph.input);
  });

  it('returns objects without a prototype, so no field name reaches Object.prototype', () => {
    expect(Object.getPrototypeOf(model)).toBeNull();
    expect(Object.getPrototypeOf(model.graph!.node[0]!)).toBeNull();
  });
});

describe('glassnet files decoded by protobufjs with the official onnx.proto', () => {
  const model = new Sequential([
    new Dense(3, 4, { activation: 'leakyRelu', seed: 1 }),
    new Dropout(4, 0.25),
    new Dense(4, 2, { activation: 'tanh', bias: 0.5, sharedBias: true, seed: 2 }),
    new Dense(2, 2, { bias: false, seed: 3 }),
  ]);
  const bytes = toOnnx(model, { scaler: { offset: [1, -2, 0.5], scale: [2, 0.25, 1] }, outputActivation: 'softmax', featureNames: ['a', 'b', 'c'], classes: ['x', 'y'] });
  const decoded = ModelProto.toObject(ModelProto.decode(bytes), { longs: Number, defaults: false }) as any;

  it('writes IR version 8, opset 17 and the symbolic batch dimension', () => {
    expect(decoded.irVersion).toBe(8);
    expect(decoded.opsetImport).toEqual([{ domain: '', version: 17 }]);
    const io = (v: any) => ({ name: v.name, elemType: v.type.tensorType.elemType, dims: v.type.tensorType.shape.dim.map((d: any) => d.dimParam ?? d.dimValue) });
    expect(decoded.graph.input.map(io)).toEqual([{ name: 'input', elemType: 1, dims: ['batch', 3] }]);
    expect(decoded.graph.output.map(io)).toEqual([{ name: 'output', elemType: 1, dims: ['batch', 2] }]);
  });

  it('writes the chain of operators with their attributes', () => {
    const nodes = decoded.graph.node.map((n: any) => `${n.opType}(${n.input.join(',')})->${n.output.join(',')}${(n.attribute ?? []).map((a: any) => ` ${a.name}=${a.type === 1 ? a.f : a.i}`).join('')}`);
    expect(nodes).toEqual([
      'Sub(input,scaler.offset)->scaler_sub.out',
      'Div(scaler_sub.out,scaler.scale)->scaler_div.out',
      'Gemm(scaler_div.out,layer1.weight,layer1.bias)->layer1_gemm.out transB=1',
      `LeakyRelu(layer1_gemm.out)->layer1_leakyRelu.out alpha=${Math.fround(0.01)}`,
      'Dropout(layer1_leakyRelu.out,layer2.ratio)->layer2_dropout.out',
      'Gemm(layer2_dropout.out,layer3.weight,layer3.bias)->layer3_gemm.out transB=1',
      'Tanh(layer3_gemm.out)->layer3_tanh.out',
      'Gemm(layer3_tanh.out,layer4.weight)->layer4_gemm.out transB=1',
      'Softmax(layer4_gemm.out)->output axis=-1',
    ]);
  });

  it('stores every parameter as float32 raw_data with its dims, and the metadata as JSON', () => {
    const tensors = Object.fromEntries(decoded.graph.initializer.map((t: any) => [t.name, { dims: t.dims, dataType: t.dataType, values: Array.from(new Float32Array(Uint8Array.from(t.rawData).buffer)) }]));
    const f32 = (data: ArrayLike<number>) => Array.from(data, Math.fround);
    const dense = model.layers.filter((l): l is Dense => l instanceof Dense);
    expect(tensors).toEqual({
      'scaler.offset': { dims: [3], dataType: 1, values: [1, -2, 0.5] },
      'scaler.scale': { dims: [3], dataType: 1, values: [2, 0.25, 1] },
      'layer1.weight': { dims: [4, 3], dataType: 1, values: f32(dense[0]!.weight.data) },
      'layer1.bias': { dims: [4], dataType: 1, values: f32(dense[0]!.bias!.data) },
      'layer2.ratio': { dims: undefined, dataType: 1, values: [Math.fround(0.25)] },
      'layer3.weight': { dims: [2, 4], dataType: 1, values: f32(dense[1]!.weight.data) },
      'layer3.bias': { dims: [1], dataType: 1, values: [0.5] },
      'layer4.weight': { dims: [2, 2], dataType: 1, values: f32(dense[2]!.weight.data) },
    });
    expect(decoded.metadataProps).toEqual([
      { key: 'glassnet.featureNames', value: '["a","b","c"]' },
      { key: 'glassnet.classes', value: '["x","y"]' },
      { key: 'glassnet.outputActivation', value: '"softmax"' },
    ]);
  });

  it('encodes what protobufjs encodes for the same message, byte for byte', () => {
    // Same field order (field-table order = schema order here), so the bytes must agree exactly.
    const tensor: OnnxTensor = { name: 't', dims: [2, 3], dataType: 1, floatData: [1.5, -2, 0, 3.25, 1e-3, -7], int64Data: [], doubleData: [] };
    const TensorProto = root.lookupType('onnx.TensorProto');
    const reference = TensorProto.encode(TensorProto.fromObject({ dims: [2, 3], dataType: 1, floatData: tensor.floatData, name: 't' })).finish();
    expect(Array.from(encodeMessage(TENSOR, tensor))).toEqual(Array.from(reference));
  });
});

describe.skipIf(!existsSync(PYTHON))('onnx.checker on glassnet files (/usr/bin/python3)', () => {
  it('passes the full check (types and shapes inferred) for a model with scaling, every activation and a softmax output', () => {
    const model = new Sequential([
      new Dense(3, 5, { activation: 'sigmoid' }), new Dense(5, 5, { activation: 'tanh' }), new Dropout(5, 0.5), new Dense(5, 5, { activation: 'relu' }),
      new Dense(5, 5, { activation: 'leakyRelu' }), new Dense(5, 4, { activation: 'linear' }), new Dense(4, 3, { activation: 'softmax' }),
    ]);
    const path = join(dir, 'checked.onnx');
    writeFileSync(path, toOnnx(model, { scaler: { offset: [0, 1, 2], scale: [1, 2, 3] } }));
    const run = spawnSync(PYTHON, [SCRIPT, '--check', path], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout.split('\n').filter((l) => l.startsWith('node')).map((l) => l.split(' ')[2])).toEqual(
      ['Sub', 'Div', 'Gemm', 'Sigmoid', 'Gemm', 'Tanh', 'Dropout', 'Gemm', 'Relu', 'Gemm', 'LeakyRelu', 'Gemm', 'Gemm', 'Softmax'],
    );
  });

  it('passes the full check for a model with categorical columns (OneHotEncoder of ai.onnx.ml, Concat, Gather), and protobufjs reads its string attributes', () => {
    const encoding = { columns: ['size', 'color', 'weight'], categories: [null, ['blue', 'red'], null], fill: [null, null, null] };
    const path = join(dir, 'categorical.onnx');
    const bytes = toOnnx(mlp([4, 3, 2]), { encoding, scaler: { offset: [1, 0, 0, 2], scale: [2, 1, 1, 3] } });
    writeFileSync(path, bytes);
    const run = spawnSync(PYTHON, [SCRIPT, '--check', path], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('opset ai.onnx.ml 1\n');
    expect(run.stdout.split('\n').filter((l) => l.startsWith('node')).map((l) => l.split(' ')[2])).toEqual(
      ['OneHotEncoder', 'Flatten', 'Concat', 'Gather', 'Sub', 'Div', 'Gemm', 'Sigmoid', 'Gemm', 'Sigmoid'],
    );
    const decoded = ModelProto.toObject(ModelProto.decode(bytes), { longs: Number }) as { graph: { node: { opType: string; domain?: string; attribute: { name: string; strings?: Uint8Array[]; i?: number }[] }[]; initializer: { name: string; int64Data: number[] }[]; input: { name: string }[] } };
    const onehot = decoded.graph.node[0]!;
    expect(onehot.domain).toBe('ai.onnx.ml');
    expect(onehot.attribute.find((a) => a.name === 'cats_strings')!.strings!.map((b) => new TextDecoder().decode(b))).toEqual(['blue', 'red']);
    expect(decoded.graph.input.map((i) => i.name)).toEqual(['input', 'color']);
    // size, weight come first in the concatenation, then color's block: the model's order is size, color=blue, color=red, weight.
    expect(decoded.graph.initializer.find((t) => t.name === 'encode.order')!.int64Data).toEqual([0, 2, 3, 1]);
  });

  it('fails a truncated file, so its passing above means something', () => {
    const path = join(dir, 'cut.onnx');
    const bytes = toOnnx(mlp([2, 2]));
    writeFileSync(path, bytes.subarray(0, bytes.length - 3));
    expect(spawnSync(PYTHON, [SCRIPT, '--check', path], { encoding: 'utf8' }).status).not.toBe(0);
  });
});

describe('hostile protobuf', () => {
  const good = toOnnx(mlp([3, 4, 2]));
  const decode = (bytes: Uint8Array) => decodeMessage(MODEL, bytes, 'bad.onnx');

  it('decodes what it encodes', () => {
    const model = decode(good);
    expect(encodeMessage(MODEL, model)).toEqual(good);
  });

  it('refuses a truncated file at every cut, naming the file', () => {
    let refused = 0;
    for (let cut = 1; cut < good.length; cut++) {
      try {
        decode(good.subarray(0, cut));
      } catch (error) {
        expect((error as Error).message).toMatch(/^bad\.onnx: ModelProto/);
        refused++;
      }
    }
    // A cut exactly between two top-level fields is a shorter valid message; every other cut is refused.
    expect(refused).toBeGreaterThan(good.length - 10);
  });

  it('refuses a declared length past the end before allocating it', () => {
    // graph (field 7, wire type 2) claiming 2^40 bytes.
    const bytes = Uint8Array.from([0x3a, 0x80, 0x80, 0x80, 0x80, 0x80, 0x20, 0x00]);
    const error = rejection(() => decode(bytes), 'type', 'bad.onnx: ModelProto.graph (byte 7)');
    expect(error.found).toMatch(/past the end/);
  });

  it('refuses over-long varints, groups, field number 0 and a repeated singular field', () => {
    rejection(() => decode(Uint8Array.from([0x08, ...Array(10).fill(0xff), 0x01])), 'type', 'bad.onnx: ModelProto (byte 1)');
    rejection(() => decode(Uint8Array.from([0x7b])), 'type', 'bad.onnx: ModelProto (byte 0)'); // field 15, wire type 3
    rejection(() => decode(Uint8Array.from([0x00, 0x00])), 'type', 'bad.onnx: ModelProto (byte 0)');
    rejection(() => decode(Uint8Array.from([0x08, 0x08, 0x08, 0x09])), 'type', 'bad.onnx: ModelProto.irVersion (byte 2)');
  });

  it('refuses nesting deeper than 32 messages', () => {
    // ONNX's own recursion (graphs inside attributes) is outside glassnet's subset; a self-recursive schema exercises the bound.
    interface Deep { child?: Deep }
    const DEEP: Schema<Deep> = { name: 'Deep', fields: { child: { no: 1, kind: 'message', schema: () => DEEP } } };
    let bytes = new Uint8Array();
    for (let i = 0; i < 40; i++) bytes = Uint8Array.from([0x0a, bytes.length, ...bytes]);
    expect(() => decodeMessage(DEEP, bytes, 'deep')).toThrow(/nested at most 32 deep/);
  });

  it('refuses integers beyond 2^53 and a packed float list of the wrong length', () => {
    rejection(() => decode(Uint8Array.from([0x08, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x40])), 'type', 'bad.onnx: ModelProto (byte 1)');
    const tensor = Uint8Array.from([0x22, 0x03, 0, 0, 0]); // float_data packed, 3 bytes
    rejection(() => decodeMessage(TENSOR, tensor, 't'), 'type', 't: TensorProto.floatData (byte 2)');
  });
});
