// The playground's recipe in Node: the same settings give the same weights
// as `glassnet train` (the CLI), the first screen is the article's network,
// and the URL hash written from the settings table reads back to the same
// settings. The playground modules import glassnet by its package name, as
// the browser build does.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadDataset } from '../playground/src/data.js';
import { buildRun } from '../playground/src/recipe.js';
import { DATASETS, KEYS, PRESETS, PROPS, defaults, fromHash, toHash, type Key, type Prop, type Settings } from '../playground/src/settings.js';
import { glassnet } from './helpers/cli.js';
import { tempDir } from './helpers/cli-files.js';

const article = JSON.parse(readFileSync(new URL('./fixtures/article.json', import.meta.url), 'utf8')) as { updated: Record<string, number> };

describe('the playground recipe', () => {
  it('trains to the same weights as glassnet train with the same seed and settings', () => {
    const settings: Settings = {
      ...defaults(), dataset: 'xor', layers: [4], activation: 'relu', outputActivation: 'auto', init: 'auto', loss: 'auto',
      optimizer: 'sgd', lr: 0.1, batchSize: 16, seed: 7, testRatio: 0.2, scale: 'standard',
    };
    const run = buildRun(settings, loadDataset(settings));
    run.session.epoch();
    run.session.epoch();
    const file = tempDir()('cli.json');
    // Both take the library's default loss: binary cross-entropy on one logit for xor's two classes.
    const cli = glassnet('train', 'xor', '--layers', '4', '--activation', 'relu', '--optimizer', 'sgd', '--lr', '0.1', '--batch-size', '16',
      '--seed', '7', '--val-split', '0.2', '--scale', 'standard', '--epochs', '2', '--quiet', '--out', file);
    expect(cli.status, cli.stderr).toBe(0);
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { weights: { weight: number[]; bias: number[] }[]; preprocessing: { scaler: unknown } };
    const fromCli = saved.weights.flatMap((w) => [w.weight, w.bias]);
    expect(run.session.model.parameters().map((p) => Array.from(p.data))).toEqual(fromCli);
    expect(run.scaler.toJSON()).toEqual(saved.preprocessing.scaler);
    expect(run.train.x.length).toBe(160);
    expect(run.loss).toBe('binaryCrossEntropyWithLogits');
    expect(run.session.model.outputSize).toBe(1);
  });

  it('keeps a given model file\'s class weights while the loss is its own', () => {
    const file = tempDir()('weighted.json');
    const cli = glassnet('train', 'xor', '--loss', 'softmaxCrossEntropy', '--class-weights', '1,3', '--layers', '4', '--epochs', '1', '--quiet', '--out', file);
    expect(cli.status, cli.stderr).toBe(0);
    const settings: Settings = { ...defaults(), dataset: 'xor', layers: [4], init: 'given', model: readFileSync(file, 'utf8'), loss: 'auto' };
    const run = buildRun(settings, loadDataset(settings));
    expect(run.loss).toBe('softmaxCrossEntropy');
    expect(run.session.lossOptions).toEqual({ weight: [1, 3] });
    expect(buildRun({ ...settings, loss: 'mse' }, loadDataset(settings)).session.lossOptions).toEqual({});
  });

  it('opens on the article\'s network: one SGD step gives the oracle\'s w5 and w6', () => {
    const settings = defaults();
    const run = buildRun(settings, loadDataset(settings));
    expect(run.origin).toEqual({ kind: 'article' });
    run.session.step();
    const [hidden, output] = run.session.model.parameters();
    expect(Array.from(hidden!.data)).toEqual([article.updated['w1'], article.updated['w2'], article.updated['w3'], article.updated['w4']]);
    expect(output!.data[0]).toBe(article.updated['w5']);
    expect(output!.data[1]).toBe(article.updated['w6']);
  });

  it('builds every data set with its preset', () => {
    for (const dataset of DATASETS) {
      if (dataset === 'csv') continue;
      const settings: Settings = { ...defaults(), ...PRESETS[dataset], dataset };
      const run = buildRun(settings, loadDataset(settings));
      expect(run.session.step().loss).toBeGreaterThanOrEqual(0);
    }
  });

  it('writes the settings to the URL hash and reads them back', () => {
    expect(toHash(defaults())).toBe(''); // the first screen's link is the bare page
    const settings: Settings = { ...defaults(), ...PRESETS.spirals, dataset: 'spirals', layers: [], seed: 12, select: 'w2.1.1', chartScale: 'log' };
    const hash = toHash(settings);
    expect(fromHash(`#${hash}`)).toEqual({ settings, problems: [] });
    for (const key of KEYS) {
      const prop = PROPS[key] as unknown as Prop<Key>;
      expect(prop.parse(prop.format(settings[key]))).toEqual(settings[key]);
    }
    const { settings: read, problems } = fromHash('#lr=-1&opt=nope&what=1&seed=3');
    expect(read).toEqual({ ...defaults(), seed: 3 });
    expect(problems).toHaveLength(3);
  });
});
