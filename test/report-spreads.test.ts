// The report's weight and gradient spreads: the quantiles the worker samples,
// which epochs it samples, what `glassnet train --report` puts on the page.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { QUANTILES, SPREAD_SAMPLES, isSampled, quantiles, spreadOf } from '../cli/distributions.js';
import { renderReport } from '../cli/report.js';
import { Dense, Sequential, tensor } from '../src/index.js';
import { glassnet } from './helpers/cli.js';
import { tempDir } from './helpers/cli-files.js';

describe('weight and gradient spreads', () => {
  it('takes quantiles by linear interpolation between order statistics, whatever the order of the values', () => {
    // 0..10 shuffled: the q-quantile of 0..10 is 10q exactly.
    const values = [7, 2, 10, 0, 5, 9, 1, 3, 8, 4, 6];
    expect(quantiles(values)).toEqual(QUANTILES.map((q) => 10 * q));
    // Two values: halfway is their mean; one value is every quantile.
    expect(quantiles(new Float32Array([-1, 3]))[3]).toBe(1);
    expect(quantiles([4.5])).toEqual(QUANTILES.map(() => 4.5));
  });

  it('samples the first epoch, about every epochs/20-th, and the last', () => {
    const picked = (epochs: number) => Array.from({ length: epochs }, (_, i) => i + 1).filter((e) => isSampled(e, epochs));
    expect(picked(5)).toEqual([1, 2, 3, 4, 5]);
    expect(picked(100)).toEqual([1, ...Array.from({ length: 20 }, (_, i) => 5 * (i + 1))]);
    expect(picked(1001).length).toBeLessThanOrEqual(SPREAD_SAMPLES + 2);
    expect(picked(1001).at(-1)).toBe(1001);
  });

  it('reads each Dense layer\'s weights and their last gradients (null before any backward pass)', () => {
    const model = new Sequential([
      new Dense(2, 3, { weights: [[1, 2], [3, 4], [5, 6]], activation: 'tanh' }),
      new Dense(3, 1, { weights: [[-1, 0, 1]] }),
    ]);
    const before = spreadOf(model, 0);
    expect(before.layers.map((l) => l.weights)).toEqual([quantiles([1, 2, 3, 4, 5, 6]), quantiles([-1, 0, 1])]);
    expect(before.layers.every((l) => l.gradients === null)).toBe(true);
    const first = model.layers[0] as Dense;
    first.weight.grad = tensor([[0.5, -0.5], [1, -1], [2, -2]]);
    expect(spreadOf(model, 1).layers[0]!.gradients).toEqual(quantiles([0.5, -0.5, 1, -1, 2, -2]));
  });

  it('draws each layer\'s weights and gradients as bands, on a scale that covers every sampled value', () => {
    const html = renderReport({
      title: 't', summary: [], history: [],
      spreads: {
        layers: ['layer 1 (2 → 3, tanh)'],
        samples: [{ epoch: 1, layers: [{ weights: [-2, -1, 0, 0, 0, 1, 2], gradients: null }] }, { epoch: 5, layers: [{ weights: [-3, -1, 0, 0, 0, 1, 40000], gradients: [0, 0, 0, 0, 0, 0, 0] }] }],
      },
    }, null);
    expect(html).toContain('Weights and gradients over training');
    expect(html).toContain('<h3>layer 1 (2 → 3, tanh)</h3>');
    expect(html.match(/<figure class="spread">/g)).toHaveLength(2);
    expect(html.match(/<polygon class="band band\d"/g)).toHaveLength(6);
    expect(html).toContain('>40k<'); // the largest weight labels the axis, with an SI suffix
  });

  it('glassnet train --report shows the spreads of every layer', () => {
    const dir = tempDir();
    const report = dir('report.html');
    const run = glassnet('train', 'iris', '--layers', '8,4', '--epochs', '40', '--seed', '1', '--quiet', '--report', report);
    expect(run.status, run.stderr).toBe(0);
    const html = readFileSync(report, 'utf8');
    expect(html).toContain('<h3>layer 1 (4 → 8, ');
    expect(html).toContain('<h3>layer 3 (4 → 3, ');
    expect(html.match(/<figure class="spread">/g)).toHaveLength(6);
    expect(html).toContain('at 21 sampled epochs'); // 1, 2, 4, ..., 40
  });
});
