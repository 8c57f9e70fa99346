// Fault suite, integrity: a model file or checkpoint changed after it was
// written is refused, naming the file and the tensor or field; files from
// before checksums (format 1.0) still load.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { articleNetwork, formatModelFile, fromSafetensors, modelFromJSON, modelToJSON, toSafetensors } from '../src/index.js';
import { crc32Float64 } from '../src/util/crc32.js';
import { glassnet } from './helpers/cli.js';
import { expectOneLineError } from './helpers/cli-files.js';
import { rejection } from './helpers/errors.js';
import { expectUnchanged, snapshot } from './helpers/faults.js';

/** The float64 little-endian bytes of `values`, built with DataView, for Node's own CRC-32. */
function float64Bytes(values: readonly number[]): Buffer {
  const bytes = Buffer.alloc(8 * values.length);
  values.forEach((v, i) => bytes.writeDoubleLE(v === 0 ? 0 : v, 8 * i));
  return bytes;
}

describe('checksums', () => {
  it("every tensor's CRC-32 is zlib's CRC-32 of its little-endian float64 bytes", () => {
    const file = modelToJSON(articleNetwork());
    const weight = file.weights[0]!.weight!;
    expect(file.checksum!.crc32['layer1.weight']).toBe(zlibCrc32(float64Bytes(weight)).toString(16).padStart(8, '0'));
    expect(crc32Float64([-0, 1.5])).toBe(zlibCrc32(float64Bytes([0, 1.5])));
    expect(Object.keys(file.checksum!.crc32)).toEqual(['layer1.weight', 'layer1.bias', 'layer2.weight', 'layer2.bias']);
  });

  it('one changed digit of a weight is refused, naming the file and the tensor', () => {
    const text = formatModelFile(modelToJSON(articleNetwork()));
    const flipped = text.replace('"weight": [0.3, 0.35, 0.4, 0.35]', '"weight": [0.3, 0.36, 0.4, 0.35]');
    expect(flipped).not.toBe(text);
    const error = rejection(() => modelFromJSON(flipped, { file: 'm.json' }), 'state', 'm.json: weights[1].weight');
    expect(error.message).toMatch(/expected values whose CRC-32 is [0-9a-f]{8} \(checksum\.crc32\["layer2\.weight"\]\), found CRC-32 [0-9a-f]{8}: the file changed after it was written/);
  });

  it('covers the extras of a checkpoint: training, preprocessing, optimizer state, generator state', () => {
    const file = JSON.parse(formatModelFile(modelToJSON(articleNetwork(), {
      training: { epochs: 3 }, preprocessing: { targetName: 'y' }, optimizerState: { fit: { epoch: 3 } }, rngState: [1, 2, 3, 4],
    })));
    for (const [field, change] of [
      ['training', (f: any) => { f.training.epochs = 4; }],
      ['preprocessing', (f: any) => { f.preprocessing.targetName = 'z'; }],
      ['optimizerState', (f: any) => { f.optimizerState.fit.epoch = 2; }],
      ['rngState', (f: any) => { f.rngState[0] = 9; }],
    ] as const) {
      const copy = structuredClone(file);
      change(copy);
      rejection(() => modelFromJSON(copy, { file: 'ck.json' }), 'state', `ck.json: ${field}`);
    }
    expect(modelFromJSON(file).training).toEqual({ epochs: 3 });
  });

  it('a missing or unknown entry is refused; a file without a checksum (format 1.0) loads', () => {
    const file = JSON.parse(formatModelFile(modelToJSON(articleNetwork())));
    const missing = structuredClone(file);
    delete missing.checksum.crc32['layer2.bias'];
    rejection(() => modelFromJSON(missing, { file: 'm.json' }), 'state', 'm.json: checksum.crc32["layer2.bias"]');
    const extra = structuredClone(file);
    extra.checksum.crc32['layer9.weight'] = '00000000';
    rejection(() => modelFromJSON(extra, { file: 'm.json' }), 'unknown-name', 'm.json: checksum.crc32["layer9.weight"]');
    const old = structuredClone(file);
    delete old.checksum;
    old.version = '1.0';
    old.weights[1].weight[1] = 0.46;
    expect(modelFromJSON(old).version).toBe('1.0');
  });

  it('the CLI refuses a corrupted model in one line and writes nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'glassnet-faults-'));
    const model = join(dir, 'm.json');
    expect(glassnet('train', 'xor', '--epochs', '2', '--out', model, '--quiet').status).toBe(0);
    const text = readFileSync(model, 'utf8');
    const firstWeight = /"weight": \[(-?\d)/.exec(text)!;
    const digit = firstWeight[1]!.replace('-', '');
    writeFileSync(model, text.replace(firstWeight[0], firstWeight[0].replace(/\d$/, digit === '9' ? '8' : String(Number(digit) + 1))));
    const before = snapshot(dir);
    expectOneLineError(glassnet('predict', model, 'xor', '--out', join(dir, 'p.csv')), /m\.json: weights\[0\]\.weight: expected values whose CRC-32 is/);
    expectOneLineError(glassnet('train', 'xor', '--resume', model, '--checkpoint', join(dir, 'ck.json')), /m\.json: weights\[0\]\.weight: expected values whose CRC-32/);
    expectUnchanged(dir, before);
  });
});

describe('repeated keys in a safetensors header', () => {
  it('are refused, naming the key and where it repeats', () => {
    const bytes = toSafetensors(articleNetwork());
    const length = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    const header = new TextDecoder().decode(bytes.subarray(8, 8 + length));
    // The same key twice: a name of the same length, so the header's byte count is unchanged.
    const dup = header.replace('"layer2.weight"', '"layer1.weight"');
    const copy = bytes.slice();
    copy.set(new TextEncoder().encode(dup), 8);
    const error = rejection(() => fromSafetensors(copy, { file: 'w.safetensors' }), 'state', 'w.safetensors: header');
    expect(error.message).toMatch(/found "layer1\.weight" again at line 1, column \d+/);
  });
});
