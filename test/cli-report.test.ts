// The training report page, rendered directly: with a chart library inlined and without one.
import { describe, expect, it } from 'vitest';
import { renderReport, type ReportData } from '../cli/report.js';
import type { EpochInfo } from '../src/index.js';

function history(epochs: number): EpochInfo[] {
  return Array.from({ length: epochs }, (_, i) => ({
    epoch: i + 1, steps: 4 * (i + 1), loss: 1 / (i + 1), accuracy: 0.5 + i / (2 * epochs), valLoss: 1.5 / (i + 1), lr: 0.01, seconds: 0.01 * (i + 1),
  }));
}

const data: ReportData = {
  title: 'run <1> & "two"',
  summary: [['model', '4-8-3']],
  history: history(3),
  classification: {
    classes: ['a<b', 'c'],
    report: { accuracy: 0.75, confusion: [[2, 1], [0, 1]], perClass: [{ precision: 1, recall: 2 / 3, support: 3 }, { precision: 0.5, recall: 1, support: 1 }] },
    on: 'validation',
  },
};

describe('renderReport', () => {
  it('falls back to tables of numbers when no chart library is available', () => {
    const html = renderReport(data, null);
    expect(html).toContain('Charts need the <code>uplot</code> package');
    expect(html).not.toContain('new uPlot(');
    expect(html.match(/<script/g)).toHaveLength(1); // only the embedded data
    expect(html).toContain('<details open>');
    // Epoch 2: loss 1/2, accuracy 0.5 + 1/6, val loss 0.75.
    expect(html).toContain('<tr><td>2</td><td>0.50000</td><td>0.66667</td><td>0.75000</td><td></td><td>0.0100</td><td>0.02</td></tr>');
    expect(html).toContain('<title>run &lt;1&gt; &amp; &quot;two&quot;</title>');
  });

  it('shows the confusion matrix with recall, precision and support per class', () => {
    const html = renderReport(data, null);
    expect(html).toContain('Confusion matrix (validation data, accuracy 0.750)');
    expect(html).toContain('<tr><th class="label">a&lt;b</th><td class="hit">2</td><td class="miss">1</td><td>0.667</td><td>1.000</td><td>3</td></tr>');
    expect(html).toContain('<tr><th class="label">c</th><td>0</td><td class="hit">1</td><td>1.000</td><td>0.500</td><td>1</td></tr>');
  });

  it('inlines the chart library so the page needs nothing else, keeping its code from closing the script element', () => {
    const html = renderReport(data, { js: 'window.uPlot = function () {}; var s = "</script>";', css: '.uplot { color: red }' });
    expect(html).toContain('window.uPlot = function () {}; var s = "<\\/script>";');
    expect(html).toContain('.uplot { color: red }');
    expect(html).toContain('new uPlot(');
    expect(html).toContain('<details>');
    const json = /<script type="application\/json" id="glassnet-data">(.*?)<\/script>/s.exec(html)![1]!;
    expect(JSON.parse(json).history).toEqual(data.history);
  });

  it('keeps the per-epoch table to about 200 rows for long runs, always ending with the last epoch', () => {
    const html = renderReport({ ...data, history: history(1000) }, null);
    const epochs = [...html.matchAll(/<tr><td>(\d+)<\/td>/g)].map((m) => Number(m[1]));
    expect(epochs).toEqual(Array.from({ length: 200 }, (_, i) => 5 * (i + 1)));
    expect(html).toContain('(every 5 epochs)');
  });
});
