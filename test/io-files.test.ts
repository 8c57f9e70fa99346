// Saving and loading files: atomic writes (old content or new, never a part,
// no temporary file left behind) and errors that name the file.
import * as fsp from 'node:fs/promises';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { GlassnetError, articleNetwork, type Dense } from '../src/index.js';
import { loadModel, loadSafetensors, saveModel, saveSafetensors, writeFileAtomic } from '../src/io/node.js';
import { loadWeightsInto } from '../src/io/safetensors.js';
import { allParameters, bitsOf, mixedModel } from './fixtures/io/models.js';

// `open` stays the real one unless a test swaps in a failing handle.
vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  return { ...actual, open: vi.fn(actual.open) };
});
const realFs = await vi.importActual<typeof import('node:fs/promises')>('node:fs/promises');

const root = mkdtempSync(join(tmpdir(), 'glassnet-io-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let dir = '';
let counter = 0;
beforeEach(() => {
  dir = join(root, `case${counter++}`);
  mkdirSync(dir);
});

describe('saveModel / loadModel', () => {
  it('round-trips a model with its extras through a file', async () => {
    const path = join(dir, 'model.json');
    const model = mixedModel('float32');
    await saveModel(path, model, { training: { epochs: 2 } });
    expect(readFileSync(path, 'utf8').startsWith('{\n  "format": "glassnet.model",\n')).toBe(true);
    const loaded = await loadModel(path);
    expect(loaded.training).toEqual({ epochs: 2 });
    allParameters(loaded.model).forEach((t, i) => expect(bitsOf(t)).toEqual(bitsOf(allParameters(model)[i]!)));
    expect(readdirSync(dir)).toEqual(['model.json']);
  });

  it('replaces an existing file', async () => {
    const path = join(dir, 'model.json');
    writeFileSync(path, 'old');
    await saveModel(path, articleNetwork());
    expect((await loadModel(path)).model.layers).toHaveLength(2);
  });

  it('a truncated file: the error names the path and the position', async () => {
    const path = join(dir, 'cut.json');
    await saveModel(path, articleNetwork());
    const text = readFileSync(path, 'utf8');
    writeFileSync(path, text.slice(0, text.length - 20));
    const error = await loadModel(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GlassnetError);
    expect((error as GlassnetError).argument).toBe(path);
    expect((error as GlassnetError).found).toMatch(/at line \d+, column \d+ \(character \d+ of \d+\)/);
  });

  it('a file that is not UTF-8', async () => {
    const path = join(dir, 'bad.json');
    writeFileSync(path, Uint8Array.from([0x7b, 0xff, 0x7d]));
    await expect(loadModel(path)).rejects.toMatchObject({ code: 'type', argument: path, expected: 'UTF-8 text' });
  });

  it('an invalid weight names the file and the path inside it', async () => {
    const path = join(dir, 'model.json');
    await saveModel(path, articleNetwork());
    const file = JSON.parse(readFileSync(path, 'utf8'));
    file.weights[1].weight[2] = 'x';
    writeFileSync(path, JSON.stringify(file));
    await expect(loadModel(path)).rejects.toMatchObject({ code: 'type', argument: `${path}: weights[1].weight[2]` });
  });
});

describe('saveSafetensors / loadSafetensors', () => {
  it('round-trips the weights through a file', async () => {
    const path = join(dir, 'w.safetensors');
    await saveSafetensors(path, mixedModel('float64'), { step: '10' });
    const { tensors, metadata } = await loadSafetensors(path);
    expect(metadata).toEqual({ step: '10' });
    const model = mixedModel('float64', 5);
    loadWeightsInto(model, tensors);
    allParameters(model).forEach((t, i) => expect(bitsOf(t)).toEqual(bitsOf(allParameters(mixedModel('float64'))[i]!)));
  });

  it('a truncated file names the path', async () => {
    const path = join(dir, 'cut.safetensors');
    await saveSafetensors(path, articleNetwork());
    writeFileSync(path, readFileSync(path).subarray(0, 30));
    await expect(loadSafetensors(path)).rejects.toMatchObject({ code: 'shape', argument: `${path}: headerLength` });
  });
});

describe('atomic writes', () => {
  it('a write failing midway leaves the old content and no temporary file', async () => {
    const path = join(dir, 'model.json');
    writeFileSync(path, 'old content');
    let partial = '';
    vi.mocked(fsp.open).mockImplementationOnce(async (file, flags) => {
      const handle = await realFs.open(file, flags);
      // A handle whose write gets half the bytes onto disk, then fails as a full disk would.
      return new Proxy(handle, {
        get(target, key) {
          if (key === 'writeFile') {
            return async (data: string) => {
              await target.write(data.slice(0, data.length >> 1));
              partial = readFileSync(String(file), 'utf8');
              throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
            };
          }
          const value: unknown = Reflect.get(target, key);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
    });
    await expect(saveModel(path, mixedModel('float64'))).rejects.toMatchObject({
      code: 'io', argument: path, expected: expect.stringMatching(/^to write the temporary file .*\.tmp$/), found: 'ENOSPC (no space left on device)',
    });
    expect(partial.length).toBeGreaterThan(100); // the failure really came after bytes were written
    expect(readFileSync(path, 'utf8')).toBe('old content');
    expect(readdirSync(dir)).toEqual(['model.json']);
  });

  it('serialisation failing leaves the old content and touches nothing', async () => {
    const path = join(dir, 'model.json');
    writeFileSync(path, 'old content');
    const model = articleNetwork();
    (model.layers[0] as Dense).weight.data[1] = Number.NaN;
    await expect(saveModel(path, model)).rejects.toMatchObject({ code: 'not-finite', argument: 'layer1.weight[1]' });
    expect(readFileSync(path, 'utf8')).toBe('old content');
    expect(readdirSync(dir)).toEqual(['model.json']);
  });

  it('a rename that fails (the target is a directory) removes the temporary file', async () => {
    const path = join(dir, 'taken');
    mkdirSync(path);
    await expect(writeFileAtomic(path, 'data')).rejects.toMatchObject({ code: 'io', argument: path, expected: expect.stringMatching(/^to rename the temporary file/) });
    expect(readdirSync(dir)).toEqual(['taken']);
    expect(readdirSync(path)).toEqual([]);
  });

  it('a directory that does not exist: an error naming the path and the operation, nothing created', async () => {
    const path = join(dir, 'missing', 'w.safetensors');
    await expect(saveSafetensors(path, articleNetwork())).rejects.toMatchObject({
      code: 'io', argument: path, expected: expect.stringMatching(/^to create the temporary file/), found: 'ENOENT (no such file or directory)',
    });
    expect(readdirSync(dir)).toEqual([]);
  });

  it('writes bytes exactly', async () => {
    const path = join(dir, 'bytes.bin');
    await writeFileAtomic(path, Uint8Array.from([0, 255, 10, 13]));
    expect(Array.from(readFileSync(path))).toEqual([0, 255, 10, 13]);
  });
});
