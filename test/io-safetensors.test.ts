// safetensors: the writer checked against the published layout (here byte by
// byte, and by scripts/check-safetensors.py, an independent reader), the
// reader checked on files the Python side built, and every rejection.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Dense, Sequential, articleNetwork, mlp } from '../src/index.js';
import { Dropout } from '../src/nn/layers.js';
import { fromSafetensors, loadWeightsInto, toSafetensors, type SafeTensor } from '../src/io/safetensors.js';
import { saveSafetensors } from '../src/io/node.js';
import { allParameters, bitsOf, mixedModel } from './fixtures/io/models.js';
import { rejection } from './helpers/errors.js';

const PYTHON = '/usr/bin/python3';
const CHECKER = new URL('../scripts/check-safetensors.py', import.meta.url).pathname;
const FIXTURES = new URL('./fixtures/io/', import.meta.url);
const expected = JSON.parse(readFileSync(new URL('tiny.expected.json', FIXTURES), 'utf8'));
const dir = mkdtempSync(join(tmpdir(), 'glassnet-safetensors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A file from a hand-written header (padded to 8 bytes unless told) and data, for malformed cases. */
function craft(header: unknown, data: Uint8Array = new Uint8Array(), headerText = JSON.stringify(header)): Uint8Array {
  const json = new TextEncoder().encode(headerText.padEnd(Math.ceil(headerText.length / 8) * 8, ' '));
  const bytes = new Uint8Array(8 + json.length + data.length);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(json.length), true);
  bytes.set(json, 8);
  bytes.set(data, 8 + json.length);
  return bytes;
}

const f64 = (...values: number[]): Uint8Array => new Uint8Array(new Float64Array(values).buffer);

/** The layout rules, read straight from the bytes without glassnet's reader. */
function layout(bytes: Uint8Array): { headerSize: number; header: Record<string, any>; dataLength: number } {
  const headerSize = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const text = new TextDecoder().decode(bytes.subarray(8, 8 + headerSize));
  return { headerSize, header: JSON.parse(text), dataLength: bytes.length - 8 - headerSize };
}

describe('safetensors writer', () => {
  it('follows the layout: padded header, tensors in layer order, contiguous from 0 to the end', () => {
    const bytes = toSafetensors(mixedModel('float64'), { note: 'hi' });
    const { headerSize, header, dataLength } = layout(bytes);
    expect(headerSize % 8).toBe(0);
    expect(Object.keys(header)).toEqual(['__metadata__', 'layer1.weight', 'layer1.bias', 'layer2.weight', 'layer3.weight', 'layer3.bias']);
    expect(header.__metadata__).toEqual({ note: 'hi' });
    const sizes = [12, 4, 12, 6, 1];
    let offset = 0;
    Object.keys(header).slice(1).forEach((name, i) => {
      expect(header[name].dtype).toBe('F64');
      expect(header[name].data_offsets).toEqual([offset, offset + 8 * sizes[i]!]);
      offset += 8 * sizes[i]!;
    });
    expect(offset).toBe(dataLength);
    expect(header['layer3.bias'].shape).toEqual([1]); // shared
    expect(header['layer1.weight'].shape).toEqual([4, 3]); // [units, inputs]
    // The data is the raw little-endian float64 of each parameter.
    const first = new DataView(bytes.buffer).getFloat64(8 + headerSize + 8 * 2, true);
    expect(first).toBe(0.1 + 0.2);
  });

  it('writes no __metadata__ when there is none', () => {
    expect(Object.keys(layout(toSafetensors(articleNetwork())).header)).toEqual(['layer1.weight', 'layer1.bias', 'layer2.weight', 'layer2.bias']);
  });

  it('skips dropout layers, which have no tensors', () => {
    const model = new Sequential([new Dense(2, 3), new Dropout(3, 0.2), new Dense(3, 1, { bias: false })]);
    const { tensors } = fromSafetensors(toSafetensors(model));
    expect([...tensors.keys()]).toEqual(['layer1.weight', 'layer1.bias', 'layer3.weight']);
    const copy = new Sequential([new Dense(2, 3, { seed: 4 }), new Dropout(3, 0.2), new Dense(3, 1, { bias: false, seed: 5 })]);
    loadWeightsInto(copy, tensors);
    expect(bitsOf(copy.predict([[1, 2]]))).toEqual(bitsOf(model.predict([[1, 2]])));
  });

  it('refuses NaN weights and non-string metadata', () => {
    const model = articleNetwork();
    rejection(() => toSafetensors(model, { n: 1 } as never), 'type', 'metadata: n');
    (model.layers[1] as Dense).weight.data[3] = Infinity;
    rejection(() => toSafetensors(model), 'not-finite', 'layer2.weight[3]');
  });
});

describe('safetensors round trip', () => {
  it.each(['float64', 'float32'] as const)('restores %s weights bit for bit into a model built the same way', (dtype) => {
    const original = mixedModel(dtype);
    const { tensors, metadata } = fromSafetensors(toSafetensors(original, { epoch: '3' }));
    expect(metadata).toEqual({ epoch: '3' });
    expect(tensors.get('layer1.weight')!.dtype).toBe(dtype === 'float64' ? 'F64' : 'F32');
    const copy = mixedModel(dtype, 99); // other random weights
    loadWeightsInto(copy, tensors);
    allParameters(copy).forEach((t, i) => expect(bitsOf(t)).toEqual(bitsOf(allParameters(original)[i]!)));
    const x = [[0.5, -1.25, 2]];
    expect(bitsOf(copy.predict(x))).toEqual(bitsOf(original.predict(x)));
  });

  it('reads bytes that sit at an unaligned offset inside a larger buffer', () => {
    const bytes = toSafetensors(articleNetwork());
    const outer = new Uint8Array(bytes.length + 5);
    outer.set(bytes, 3);
    const { tensors } = fromSafetensors(outer.subarray(3, 3 + bytes.length));
    expect(Array.from(tensors.get('layer1.weight')!.data)).toEqual([0.25, 0.25, 0.15, 0.2]);
  });

  it('the article network: one shared bias value per layer', () => {
    const { tensors } = fromSafetensors(toSafetensors(articleNetwork()));
    expect(tensors.get('layer1.bias')).toEqual({ dtype: 'F64', shape: [1], data: new Float64Array([0.4]) });
    expect(Array.from(tensors.get('layer2.weight')!.data)).toEqual([0.3, 0.35, 0.4, 0.35]);
  });
});

describe('files built by the Python side (scripts/check-safetensors.py --make-fixture)', () => {
  it.each(['tiny-f64.safetensors', 'tiny-f32.safetensors'])('%s: every tensor, bit for bit, in data order', (name) => {
    const { tensors, metadata } = fromSafetensors(readFileSync(new URL(name, FIXTURES)), { file: name });
    const want = expected.files[name];
    expect(metadata).toEqual(expected.metadata);
    expect([...tensors.keys()]).toEqual(Object.keys(want)); // the fixture stores biases first
    for (const [tensorName, t] of tensors) {
      expect(t.dtype).toBe(want[tensorName].dtype);
      expect(t.shape).toEqual(want[tensorName].shape);
      const values = Array.from(t.data);
      values.forEach((v, i) => expect(Object.is(v, want[tensorName].values[i]), `${tensorName}[${i}] = ${v}`).toBe(true));
    }
  });

  it('loads into a 3-2-1 network that then predicts what plain Python float64 computed', () => {
    const model = mlp([3, 2, 1], { activation: 'sigmoid', outputActivation: 'linear', dtype: 'float64' });
    loadWeightsInto(model, fromSafetensors(readFileSync(new URL('tiny-f64.safetensors', FIXTURES))).tensors);
    const out = model.predict(expected.input).item();
    expect(Math.abs(out - expected.output_f64[0])).toBeLessThanOrEqual(2 * Number.EPSILON * Math.abs(expected.output_f64[0]));
  });
});

describe.skipIf(!existsSync(PYTHON))('the independent Python reader (/usr/bin/python3)', () => {
  it.each(['float64', 'float32'] as const)('agrees on names, dtypes, shapes and sums of a %s file', async (dtype) => {
    const model = mixedModel(dtype);
    const path = join(dir, `${dtype}.safetensors`);
    await saveSafetensors(path, model, { dtype });
    const run = spawnSync(PYTHON, [CHECKER, path], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const lines = run.stdout.trim().split('\n').map((line) => line.split('\t'));
    const params = new Map(allParameters(model).map((t) => [t.label!, t]));
    expect(lines.map((l) => l[0])).toEqual([...params.keys()]);
    for (const [name, type, shape, sum] of lines) {
      const t = params.get(name!)!;
      expect([type, JSON.parse(shape!)]).toEqual([dtype === 'float64' ? 'F64' : 'F32', t.shape]);
      // Python sums exactly (math.fsum); a plain loop is within (n-1)·u·Σ|x| of the exact sum.
      let naive = 0;
      let magnitude = 0;
      for (const v of t.data) {
        naive += v;
        magnitude += Math.abs(v);
      }
      expect(Math.abs(naive - Number(sum)), `${name}: ${naive} vs ${sum}`).toBeLessThanOrEqual((t.size - 1) * 2 ** -53 * magnitude);
    }
  });

  it('rejects a truncated file, so its agreement above means something', () => {
    const path = join(dir, 'cut.safetensors');
    const bytes = toSafetensors(articleNetwork());
    writeFileSync(path, bytes.subarray(0, bytes.length - 8));
    const run = spawnSync(PYTHON, [CHECKER, path], { encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('invalid safetensors');
  });
});

describe('safetensors rejections', () => {
  const good = toSafetensors(mixedModel('float64'));
  const file = { file: 'm.safetensors' };

  it('fewer than 8 bytes', () => {
    rejection(() => fromSafetensors(good.subarray(0, 5), file), 'shape', 'm.safetensors');
  });

  it('a huge header length, refused before anything is allocated', () => {
    const bytes = good.slice();
    new DataView(bytes.buffer).setBigUint64(0, 2n ** 40n, true);
    rejection(() => fromSafetensors(bytes, file), 'range', 'm.safetensors: headerLength');
  });

  it('a header longer than the file (truncated inside the header)', () => {
    rejection(() => fromSafetensors(good.subarray(0, 40), file), 'shape', 'm.safetensors: headerLength');
  });

  it('a file truncated inside the data', () => {
    rejection(() => fromSafetensors(good.subarray(0, good.length - 8), file), 'range', 'm.safetensors: header["layer3.bias"].data_offsets[1]');
  });

  it('bytes after the last tensor', () => {
    const longer = new Uint8Array(good.length + 8);
    longer.set(good);
    rejection(() => fromSafetensors(longer, file), 'range', 'm.safetensors');
  });

  it('a header that is not JSON, not an object, or not UTF-8', () => {
    const broken = craft(null, new Uint8Array(), '{"a": {"dtype": "F64",');
    expect(rejection(() => fromSafetensors(broken, file), 'type', 'm.safetensors: header').found).toContain('line 1');
    rejection(() => fromSafetensors(craft([1, 2]), file), 'type', 'm.safetensors: header');
    const latin1 = craft({ x: 1 });
    latin1[10] = 0xff;
    rejection(() => fromSafetensors(latin1, file), 'type', 'm.safetensors: header');
  });

  it.each([
    ['an unknown dtype', { a: { dtype: 'I32', shape: [2], data_offsets: [0, 8] } }, f64(1), 'dtype', 'header.a.dtype'],
    ['a negative dimension', { a: { dtype: 'F64', shape: [-1], data_offsets: [0, 8] } }, f64(1), 'range', 'header.a.shape[0]'],
    ['a size that does not match the shape', { a: { dtype: 'F64', shape: [2, 2], data_offsets: [0, 16] } }, f64(1, 2), 'shape', 'header.a.data_offsets'],
    ['end before begin', { a: { dtype: 'F64', shape: [0], data_offsets: [8, 0] } }, f64(1), 'range', 'header.a.data_offsets[1]'],
    ['a gap between tensors', {
      a: { dtype: 'F64', shape: [1], data_offsets: [0, 8] }, b: { dtype: 'F64', shape: [1], data_offsets: [16, 24] },
    }, f64(1, 2, 3), 'range', 'header.b.data_offsets'],
    ['overlapping tensors', {
      a: { dtype: 'F64', shape: [2], data_offsets: [0, 16] }, b: { dtype: 'F64', shape: [1], data_offsets: [8, 16] },
    }, f64(1, 2), 'range', 'header.b.data_offsets'],
    ['a NaN value', { a: { dtype: 'F64', shape: [2], data_offsets: [0, 16] } }, f64(1, Number.NaN), 'not-finite', 'header.a[1]'],
    ['an infinite float32', { a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, new Uint8Array(new Float32Array([-Infinity]).buffer), 'not-finite', 'header.a[0]'],
    ['an extra entry field', { a: { dtype: 'F64', shape: [1], data_offsets: [0, 8], strides: [1] } }, f64(1), 'unknown-name', 'header.a.strides'],
    ['missing offsets', { a: { dtype: 'F64', shape: [1] } }, f64(1), 'type', 'header.a.data_offsets'],
    ['non-string metadata', { __metadata__: { epochs: 3 }, a: { dtype: 'F64', shape: [1], data_offsets: [0, 8] } }, f64(1), 'type', 'header.__metadata__.epochs'],
  ])('%s', (_, header, data, code, path) => {
    rejection(() => fromSafetensors(craft(header, data), file), code, `m.safetensors: ${path}`);
  });

  it('a __proto__ tensor name', () => {
    const bytes = craft(null, f64(1), '{"__proto__": {"dtype": "F64", "shape": [1], "data_offsets": [0, 8]}}');
    rejection(() => fromSafetensors(bytes, file), 'unknown-name', 'm.safetensors: header.__proto__');
  });

  it('a header not starting with "{"', () => {
    const bytes = craft(null, new Uint8Array(), ' {}');
    rejection(() => fromSafetensors(bytes, file), 'type', 'm.safetensors: header');
  });
});

describe('loadWeightsInto checks everything before writing anything', () => {
  const source = (): Map<string, SafeTensor> => fromSafetensors(toSafetensors(mixedModel('float64', 3))).tensors;

  function expectUnchanged(change: (tensors: Map<string, SafeTensor>) => void, code: string, argument: string, target = mixedModel('float64')): void {
    const before = allParameters(target).map((t) => bitsOf(t).slice());
    const tensors = source();
    change(tensors);
    rejection(() => loadWeightsInto(target, tensors), code, argument);
    allParameters(target).forEach((t, i) => expect(bitsOf(t)).toEqual(before[i]));
  }

  it('a missing tensor (the last one, after others would already fit)', () => {
    expectUnchanged((t) => t.delete('layer3.bias'), 'unknown-name', 'tensors["layer3.bias"]');
  });

  it('an extra tensor', () => {
    expectUnchanged((t) => t.set('layer4.weight', { dtype: 'F64', shape: [1], data: new Float64Array(1) }), 'unknown-name', 'tensors["layer4.weight"]');
  });

  it('a per-unit bias where the model shares one', () => {
    expectUnchanged((t) => t.set('layer3.bias', { dtype: 'F64', shape: [2], data: new Float64Array(2) }), 'shape', 'tensors["layer3.bias"]');
  });

  it('float32 tensors for a float64 model', () => {
    expectUnchanged((t) => t.set('layer2.weight', { dtype: 'F32', shape: [3, 4], data: new Float32Array(12) }), 'dtype', 'tensors["layer2.weight"]');
  });

  it('a non-finite value', () => {
    expectUnchanged((t) => { t.get('layer3.weight')!.data[5] = Number.NaN; }, 'not-finite', 'tensors["layer3.weight"][5]');
  });

  it('a model with other layer sizes', () => {
    const other = new Sequential([new Dense(3, 5, { dtype: 'float64' }), new Dense(5, 3, { dtype: 'float64', bias: false }), new Dense(3, 2, { dtype: 'float64', sharedBias: true })]);
    expectUnchanged(() => undefined, 'shape', 'tensors["layer1.weight"]', other);
  });
});
