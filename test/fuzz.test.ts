// Property-based tests of every reader of untrusted bytes: model files (text
// and parsed), safetensors, CSV, JSON data, scalers, the repeated-key scan.
// Whatever the input, a reader returns or throws a GlassnetError, and
// allocates no more than the input's size allows. `npm test` runs a few
// hundred cases each with a fixed seed; `npm run fuzz` runs many more
// (GLASSNET_FUZZ_RUNS, GLASSNET_FUZZ_SEED).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  GlassnetError, articleNetwork, formatModelFile, fromSafetensors, loadJsonData, loadTable, mlp, modelFromJSON, modelToJSON, parseCsv,
  scalerFromJSON, toSafetensors,
} from '../src/index.js';
import { findDuplicateKey } from '../src/util/json-keys.js';

const RUNS = Number(process.env['GLASSNET_FUZZ_RUNS'] ?? 300);
const SEED = Number(process.env['GLASSNET_FUZZ_SEED'] ?? 20261203);
const settings = { numRuns: RUNS, seed: SEED };

/** Runs `read`; anything thrown must be a GlassnetError. Returns what it returned, or undefined. */
function onlyGlassnetErrors<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch (error) {
    if (!(error instanceof GlassnetError)) throw new Error(`not a GlassnetError: ${String(error)}`, { cause: error });
    return undefined;
  }
}

/** `text` with a few random edits: characters deleted, inserted or replaced. */
const edited = (text: string): fc.Arbitrary<string> => fc.array(
  fc.tuple(fc.nat(text.length), fc.constantFrom('delete', 'insert', 'replace'), fc.constantFrom(...'0123456789-.,:[]{}"e \n\\u'.split(''), '1e999', '"x"', 'null')),
  { minLength: 1, maxLength: 4 },
).map((edits) => edits.reduce((t, [at, kind, piece]) => {
  const i = Math.min(at, t.length);
  return kind === 'delete' ? t.slice(0, i) + t.slice(i + 1) : kind === 'insert' ? t.slice(0, i) + piece + t.slice(i) : t.slice(0, i) + piece + t.slice(i + 1);
}, text));

const MODEL_TEXT = formatModelFile(modelToJSON(mlp([3, 4, 2], { seed: 1 }), {
  preprocessing: { scaler: { kind: 'standard', mean: [0, 1, 2], std: [1, 1, 2] }, classes: ['a', 'b'], featureNames: ['x', 'y', 'z'] },
  training: { loss: 'mse', epochs: 2, metrics: { loss: 0.5 } },
  optimizerState: { fit: { epoch: 2, history: [{ epoch: 1 }] } },
  rngState: [1, 2, 3, 4],
}));

describe('model files', () => {
  it('text with random edits: loads or a GlassnetError', () => {
    fc.assert(fc.property(edited(MODEL_TEXT), (text) => { onlyGlassnetErrors(() => modelFromJSON(text, { file: 'm.json' })); }), settings);
  });

  it('arbitrary text: a GlassnetError', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), (text) => {
      expect(onlyGlassnetErrors(() => modelFromJSON(text))).toBeUndefined();
    }), settings);
  });

  it('arbitrary JSON values, also inside a valid file: loads or a GlassnetError', () => {
    const file = JSON.parse(MODEL_TEXT) as Record<string, unknown>;
    const fields = ['format', 'version', 'dtype', 'architecture', 'weights', 'preprocessing', 'training', 'optimizerState', 'rngState', 'checksum'];
    fc.assert(fc.property(fc.constantFrom(...fields), fc.jsonValue({ maxDepth: 4 }), (field, value) => {
      onlyGlassnetErrors(() => modelFromJSON({ ...file, [field]: value }));
      onlyGlassnetErrors(() => modelFromJSON(value));
    }), settings);
  });

  it('deep nesting is refused, not a stack overflow', () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    expect(onlyGlassnetErrors(() => modelFromJSON(`{"format": "glassnet.model", "version": "1.1", "optimizerState": {"x": ${deep}}}`))).toBeUndefined();
  });
});

describe('safetensors', () => {
  const valid = toSafetensors(articleNetwork());

  it('bytes with random edits or cuts: reads or a GlassnetError, never more data than the file holds', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }), fc.nat(valid.length), (edits, cut) => {
      const bytes = valid.slice(0, Math.max(cut, 8));
      for (const [at, value] of edits) if (at < bytes.length) bytes[at] = value;
      const read = onlyGlassnetErrors(() => fromSafetensors(bytes));
      if (read !== undefined) {
        const total = [...read.tensors.values()].reduce((sum, t) => sum + t.data.byteLength, 0);
        expect(total).toBeLessThanOrEqual(bytes.length);
      }
    }), settings);
  });

  it('arbitrary headers: reads or a GlassnetError, and a claimed size never allocates', () => {
    const entry = fc.record({
      dtype: fc.constantFrom('F32', 'F64', 'I8', 7),
      shape: fc.array(fc.oneof(fc.nat(8), fc.constant(2 ** 40), fc.constant(-1), fc.constant(1.5)), { maxLength: 3 }),
      data_offsets: fc.array(fc.oneof(fc.nat(64), fc.constant(2 ** 53)), { minLength: 2, maxLength: 2 }),
    });
    const header = fc.dictionary(fc.string({ maxLength: 6 }), fc.oneof(entry, fc.jsonValue({ maxDepth: 2 })), { maxKeys: 4 });
    fc.assert(fc.property(header, fc.nat(64), (object, dataLength) => {
      const json = new TextEncoder().encode(JSON.stringify(object));
      const bytes = new Uint8Array(8 + json.length + dataLength);
      new DataView(bytes.buffer).setBigUint64(0, BigInt(json.length), true);
      bytes.set(json, 8);
      const before = process.memoryUsage().arrayBuffers;
      const read = onlyGlassnetErrors(() => fromSafetensors(bytes));
      expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(1 << 20);
      if (read !== undefined) for (const t of read.tensors.values()) expect(t.data.byteLength).toBeLessThanOrEqual(dataLength);
    }), settings);
  });

  it('arbitrary bytes: a GlassnetError or a read', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => { onlyGlassnetErrors(() => fromSafetensors(bytes)); }), settings);
  });
});

describe('CSV and JSON data', () => {
  const cell = fc.oneof(fc.constantFrom('1', '-2.5', '1e3', 'abc', '', '"q""x"', '"a,b"', 'NaN', 'Infinity', '0x1', ' 3 ', '\r'), fc.string({ maxLength: 5 }));
  const csv = fc.array(fc.array(cell, { minLength: 1, maxLength: 4 }), { maxLength: 6 }).map((rows) => rows.map((r) => r.join(',')).join('\n'));

  it('CSV text: a table or a GlassnetError', () => {
    fc.assert(fc.property(fc.oneof(csv, fc.string({ maxLength: 100 })), fc.constantFrom('auto', 'classification', 'regression') , (text, task) => {
      onlyGlassnetErrors(() => parseCsv(text, { file: 'd.csv' }));
      onlyGlassnetErrors(() => loadTable(text, { file: 'd.csv', task }));
    }), settings);
  });

  it('JSON data: a data set or a GlassnetError', () => {
    const rows = fc.array(fc.array(fc.oneof(fc.double(), fc.string({ maxLength: 2 }), fc.constant(null)), { maxLength: 3 }), { maxLength: 4 });
    fc.assert(fc.property(fc.oneof(
      fc.record({ x: rows, y: rows }).map((v) => JSON.stringify(v)),
      fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
      fc.string({ maxLength: 60 }),
    ), (text) => { onlyGlassnetErrors(() => loadJsonData(text, { file: 'd.json' })); }), settings);
  });

  it('scalers from JSON: a scaler or a GlassnetError', () => {
    fc.assert(fc.property(fc.oneof(
      fc.record({ kind: fc.constantFrom('standard', 'minmax', 'none', 'x'), mean: fc.array(fc.double(), { maxLength: 3 }), std: fc.array(fc.double(), { maxLength: 3 }) }),
      fc.jsonValue({ maxDepth: 3 }),
    ), (value) => { onlyGlassnetErrors(() => scalerFromJSON(value)); }), settings);
  });
});

describe('repeated JSON keys', () => {
  it('finds none in what JSON.stringify writes, and the repeat when one key is written twice', () => {
    fc.assert(fc.property(fc.dictionary(fc.string({ maxLength: 4 }), fc.jsonValue({ maxDepth: 3 }), { minKeys: 1, maxKeys: 5 }), (object) => {
      const text = JSON.stringify(object);
      expect(findDuplicateKey(text)).toBeNull();
      const [key, value] = Object.entries(object)[0]!;
      const repeated = `{"outer": [${text.slice(0, -1)}, ${JSON.stringify(key)}: ${JSON.stringify(value) ?? 'null'}}]}`;
      expect(findDuplicateKey(repeated)?.key).toBe(key);
    }), settings);
  });

  it('an escaped spelling of the same key is the same key', () => {
    expect(findDuplicateKey('{"a": 1, "\\u0061": 2}')).toEqual({ key: 'a', position: 9 });
    expect(findDuplicateKey('{"a\\"": {"a": 1}, "b": [{"a": 2}], "a": 3}')).toBeNull();
  });
});
