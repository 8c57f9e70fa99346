// PyTorch state dicts as safetensors: a state dict PyTorch wrote
// (scripts/make-onnx-fixtures.py) imported and predicting what PyTorch
// computed in float64, and glassnet's exports loaded by
// torch.nn.Sequential.load_state_dict(strict=True) predicting what glassnet does.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ACTIVATIONS, Dense, Dropout, Random, Sequential } from '../src/index.js';
import { loadTorchStateDict, saveTorchStateDict } from '../src/io/node.js';
import { fromSafetensors } from '../src/io/safetensors.js';
import { fromTorchStateDict, toTorchStateDict, torchArchitectureFromMetadata, torchSource } from '../src/io/torch.js';
import { rejection } from './helpers/errors.js';
import { worst } from './helpers/compare.js';

const PYTHON = '/usr/bin/python3';
const SCRIPT = new URL('../scripts/make-onnx-fixtures.py', import.meta.url).pathname;
const FIXTURES = new URL('./fixtures/onnx/', import.meta.url);
const dir = mkdtempSync(join(tmpdir(), 'glassnet-torch-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));


/** Every kind of layer a state dict carries: per-unit, shared and no bias, each activation with a torch module, dropout. */
function model(): Sequential {
  const random = new Random(9);
  return new Sequential([
    new Dense(3, 5, { activation: 'leakyRelu', random, dtype: 'float64' }),
    new Dropout(5, 0.2, { dtype: 'float64' }),
    new Dense(5, 4, { activation: 'tanh', bias: 0.3, sharedBias: true, random, dtype: 'float64' }),
    new Dense(4, 4, { activation: 'linear', bias: false, random, dtype: 'float64' }),
    new Dense(4, 3, { activation: 'sigmoid', random, dtype: 'float64' }),
    new Dense(3, 2, { activation: 'softmax', random, dtype: 'float64' }),
  ]);
}
const X = [[0.5, -1, 2], [1.5, 0.25, -0.75], [0, 0, 0]];

describe('a state dict written by PyTorch', () => {
  it('imports given the activations and predicts what PyTorch computed, to 1e-12 in float64', () => {
    const expected = JSON.parse(readFileSync(new URL('torch-state.expected.json', FIXTURES), 'utf8'));
    const { tensors } = fromSafetensors(new Uint8Array(readFileSync(new URL('torch-state.safetensors', FIXTURES))));
    expect([...tensors.keys()]).toEqual(['0.weight', '0.bias', '2.weight', '2.bias', '4.weight', '4.bias']);
    const imported = fromTorchStateDict(tensors, { activations: ['tanh', 'relu', 'linear'] });
    expect(imported.dtype).toBe('float64');
    expect(imported.layers.map((l) => `${l.inputSize}-${l.outputSize}`)).toEqual(['3-5', '5-4', '4-2']);
    expect(worst(imported.predict(expected.x).toArray() as number[][], expected.y)).toBeLessThanOrEqual(1e-12);
  });
});

describe('glassnet state dicts', () => {
  it('name parameters by Sequential index, activations and Dropout taking indices, and describe the Sequential', () => {
    const { tensors, metadata } = fromSafetensors(toTorchStateDict(model()));
    expect([...tensors].map(([k, t]) => `${k} [${t.shape.join(',')}]`)).toEqual(
      ['0.weight [5,3]', '0.bias [5]', '3.weight [4,5]', '3.bias [4]', '5.weight [4,4]', '6.weight [3,4]', '6.bias [3]', '8.weight [2,3]', '8.bias [2]'],
    );
    expect(Array.from(tensors.get('3.bias')!.data)).toEqual([0.3, 0.3, 0.3, 0.3]);
    expect(metadata['glassnet.torch.source']).toBe(torchSource(model()));
    expect(torchSource(model())).toBe(
      'nn.Sequential(nn.Linear(3, 5), nn.LeakyReLU(negative_slope=0.01), nn.Dropout(p=0.2), nn.Linear(5, 4), nn.Tanh(), '
      + 'nn.Linear(4, 4, bias=False), nn.Linear(4, 3), nn.Sigmoid(), nn.Linear(3, 2), nn.Softmax(dim=-1))',
    );
  });

  it('come back into glassnet without flags (the module list is in the metadata), predicting the same bits', () => {
    const original = model();
    const { tensors, metadata } = fromSafetensors(toTorchStateDict(original));
    const architecture = torchArchitectureFromMetadata(metadata)!;
    expect(architecture.activations).toEqual(['leakyRelu', 'tanh', 'linear', 'sigmoid', 'softmax']);
    const back = fromTorchStateDict(tensors, architecture);
    expect(back.layers.map((l) => (l instanceof Dropout ? `dropout ${l.rate}` : 'dense'))).toEqual(['dense', 'dropout 0.2', 'dense', 'dense', 'dense', 'dense']);
    expect(back.predict(X).toArray()).toEqual(original.predict(X).toArray());
  });

  it('keep a non-default leaky slope and ELU alpha through the metadata', () => {
    const original = new Sequential([
      new Dense(3, 4, { activation: 'leakyRelu', alpha: 0.2, seed: 1, dtype: 'float64' }),
      new Dense(4, 2, { activation: 'elu', alpha: 0.5, seed: 2, dtype: 'float64' }),
    ]);
    const { tensors, metadata } = fromSafetensors(toTorchStateDict(original));
    const architecture = torchArchitectureFromMetadata(metadata)!;
    expect(architecture.alphas).toEqual([0.2, 0.5]);
    const back = fromTorchStateDict(tensors, architecture);
    expect(back.layers.map((l) => (l as Dense).alpha)).toEqual([0.2, 0.5]);
    const x = [[-1, 0.5, 2], [0.3, -2, -0.7]];
    expect(back.predict(x).toArray()).toEqual(original.predict(x).toArray());
  });

  /** One layer per activation, each with its module (and `linear` with none). */
  const everyActivation = (): Sequential => {
    const random = new Random(3);
    return new Sequential(ACTIVATIONS.map((activation) => new Dense(3, 3, { activation, random, dtype: 'float64' })));
  };

  it.each(ACTIVATIONS)('%s comes back as itself, predicting the same bits', (activation) => {
    const original = new Sequential([new Dense(3, 4, { activation, seed: 2, dtype: 'float64' }), new Dense(4, 2, { activation, seed: 3, dtype: 'float64' })]);
    const { tensors, metadata } = fromSafetensors(toTorchStateDict(original));
    const back = fromTorchStateDict(tensors, torchArchitectureFromMetadata(metadata)!);
    expect(back.layers.map((l) => (l as Dense).activation)).toEqual([activation, activation]);
    expect(back.predict(X).toArray()).toEqual(original.predict(X).toArray());
  });

  describe.skipIf(!existsSync(PYTHON))('in PyTorch (/usr/bin/python3)', () => {
    /** The outputs PyTorch gives for X after load_state_dict(strict=True) of `network`'s state dict (written as `name`). */
    function inTorch(name: string, network: Sequential): number[][] {
      const path = join(dir, `${name}.safetensors`);
      const inputs = join(dir, `${name}-x.json`);
      writeFileSync(path, toTorchStateDict(network));
      writeFileSync(inputs, JSON.stringify(X));
      const run = spawnSync(PYTHON, [SCRIPT, '--torch-run', path, inputs], { encoding: 'utf8' });
      expect(run.stderr).toBe('');
      return (JSON.parse(run.stdout) as { y: number[][] }).y;
    }

    it('every activation\'s module (GELU(approximate=\'tanh\'), SiLU, ...) builds in PyTorch and predicts what glassnet predicts, to 1e-12 in float64', () => {
      expect(worst(inTorch('every', everyActivation()), everyActivation().predict(X).toArray() as number[][])).toBeLessThanOrEqual(1e-12);
    });

    it('load with load_state_dict(strict=True) and predict what glassnet predicts, to 1e-12 in float64', () => {
      expect(worst(inTorch('model', model()), model().predict(X).toArray() as number[][])).toBeLessThanOrEqual(1e-12);
    });
  });
});

describe('glassnet/node helpers', () => {
  it('saveTorchStateDict and loadTorchStateDict round-trip; without recorded activations the error names the option', async () => {
    const path = join(dir, 'helpers.safetensors');
    await saveTorchStateDict(path, model());
    expect((await loadTorchStateDict(path)).predict(X).toArray()).toEqual(model().predict(X).toArray());
    const fixture = new URL('torch-state.safetensors', FIXTURES).pathname;
    await expect(loadTorchStateDict(fixture)).rejects.toMatchObject({ code: 'type', argument: 'options.activations' });
    expect((await loadTorchStateDict(fixture, { activations: ['tanh', 'relu', 'linear'], dtype: 'float32' })).dtype).toBe('float32');
  });
});

describe('state dict refusals', () => {
  const good = () => fromSafetensors(toTorchStateDict(model())).tensors;
  const acts = { activations: ['leakyRelu', 'tanh', 'linear', 'sigmoid', 'softmax'] as const };

  it('a key that is not <index>.weight or <index>.bias, naming the file and the key', () => {
    const tensors = new Map(good());
    tensors.set('fc1.weight', tensors.get('0.weight')!);
    rejection(() => fromTorchStateDict(tensors, acts, 'net.safetensors'), 'unknown-name', 'net.safetensors: "fc1.weight"');
    const proto = new Map([['__proto__.weight', tensors.get('0.weight')!]]);
    rejection(() => fromTorchStateDict(proto, acts, 'net.safetensors'), 'unknown-name', 'net.safetensors: "__proto__.weight"');
  });

  it('a count of Linear layers other than the activations given, and shapes that do not chain', () => {
    rejection(() => fromTorchStateDict(good(), { activations: ['relu'] }, 'n'), 'shape', 'n: keys');
    const tensors = new Map(good());
    tensors.set('3.weight', { ...tensors.get('3.weight')!, shape: [5, 4] });
    rejection(() => fromTorchStateDict(tensors, acts, 'n'), 'shape', 'n: "3.weight"');
  });

  it('an unknown activation name', () => {
    rejection(() => fromTorchStateDict(good(), { activations: ['leakyRelu', 'tanh', 'linear', 'sigmoid', 'swishy' as never] }), 'unknown-name', 'activations[4]');
  });
});
