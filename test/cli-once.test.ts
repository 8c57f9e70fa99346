// Work the CLI does once: `split` parses its file once, and `train`'s final
// figures run the network once over each part (regression included).
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import * as library from 'glassnet';
import { Tensor, evaluate, fitScaler, mlp, type Matrix } from 'glassnet';
import { splitCommand } from '../cli/commands/split.js';
import { finalFigures } from '../cli/commands/train.js';
import { tempDir } from './helpers/cli-files.js';

/** Every text the CSV readers of the library were handed. */
const parsed: string[] = [];

vi.mock('glassnet', async (original) => {
  const actual = await original<typeof library>();
  const recorded = <F extends (text: string, ...rest: never[]) => unknown>(f: F): F => ((text: string, ...rest: never[]) => {
    parsed.push(text);
    return f(text, ...rest);
  }) as F;
  return { ...actual, parseCsv: recorded(actual.parseCsv), loadTable: recorded(actual.loadTable), loadFeatures: recorded(actual.loadFeatures) };
});

describe('glassnet split', () => {
  it('parses the file once, and reads the classes from the target column alone', async () => {
    const file = tempDir();
    const data = file('data.csv');
    const rows = Array.from({ length: 40 }, (_, i) => `${i},${i * 2},${['a', 'b'][i % 2]}`);
    writeFileSync(data, ['x1,x2,label', ...rows].join('\n'));
    parsed.length = 0;
    vi.spyOn(console, 'log').mockImplementation(() => {});
    await splitCommand().parseAsync([data, '--train-out', file('train.csv'), '--test-out', file('test.csv')], { from: 'user' });
    const whole = readFileSync(data, 'utf8');
    expect(parsed.filter((text) => text === whole)).toHaveLength(1);
    // The classes came from a one-column text of the labels.
    expect(parsed.filter((text) => text !== whole)).toEqual([['label', ...rows.map((r) => r.split(',')[2])].join('\n') + '\n']);
    expect(console.log).toHaveBeenCalledWith(expect.stringContaining('(stratified by class)'));
  });
});

describe("train's final figures", () => {
  const matrix = (rows: number[][]): Matrix => ({ rows: rows.length, cols: rows[0]!.length, data: Float64Array.from(rows.flat()) });
  const x = [[0, 1], [1, 0], [2, 2], [3, 1], [4, 0], [5, 3]];
  const part = (from: number, to: number, y: number[][]) => ({ x: new Tensor(Float64Array.from(x.slice(from, to).flat()), [to - from, 2]), y: matrix(y.slice(from, to)) });

  it('for regression: one forward pass over the training rows and one over the validation rows, the loss as evaluate gives it', () => {
    const y = [[1], [2], [3], [5], [8], [13]];
    const targetScaler = fitScaler('standard', y.slice(0, 4));
    const scaled = targetScaler.transform(y);
    const model = mlp([2, 3, 1], { activation: 'tanh', outputActivation: 'linear', seed: 2, dtype: 'float64' });
    const setup = { train: part(0, 4, scaled), validation: part(4, 6, scaled), targetScaler, recipe: { loss: 'mse' as const }, table: { task: 'regression' as const } };
    const expected = evaluate(model, setup.train.x, new Tensor(setup.train.y.data, [4, 1]), { loss: 'mse' }).loss;
    const forward = vi.spyOn(model, 'forward');
    const { final, fitQuality } = finalFigures(setup, model);
    expect(forward).toHaveBeenCalledTimes(2);
    expect(final.loss).toBe(expected);
    expect(fitQuality!.train.actual.data).toEqual(Float64Array.from(y.slice(0, 4).flat()));
    expect(fitQuality!.validation!.actual.rows).toBe(2);
  });

  it('for classification: one forward pass over the training rows', () => {
    const model = mlp([2, 2], { outputActivation: 'linear', seed: 2, dtype: 'float64' });
    const y = x.map((_, i) => (i % 2 === 0 ? [1, 0] : [0, 1]));
    const setup = { train: part(0, 6, y), targetScaler: fitScaler('none', y), recipe: { loss: 'softmaxCrossEntropy' as const }, table: { task: 'classification' as const } };
    const forward = vi.spyOn(model, 'forward');
    const { final, fitQuality } = finalFigures(setup, model);
    expect(forward).toHaveBeenCalledTimes(1);
    forward.mockRestore();
    // The loss, accuracy and confusion matrix evaluate gives on the same rows.
    expect(final).toEqual(evaluate(model, x, y, { loss: 'softmaxCrossEntropy' }));
    expect(fitQuality).toBeUndefined();
  });
});
