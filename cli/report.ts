/**
 * The training report: one self-contained HTML page with the loss and
 * accuracy curves (training and validation), the confusion matrix with
 * per-class precision and recall, and the numbers behind the curves. The
 * charts are drawn by uPlot, inlined from its package when it is installed;
 * without it the page shows the same numbers as tables.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { ClassificationReport, EpochInfo, RegressionReport } from 'glassnet';
import { writeFileAtomic } from 'glassnet/node';
import { QUANTILES, type SpreadSample } from './distributions.js';
import { CHART_SCRIPT, REPORT_STYLE, siLabel } from './report-template.js';

/** What the report shows. */
export interface ReportData {
  title: string;
  /** Label and value rows at the top. */
  summary: [string, string][];
  /** How the run was made: data file, date, duration, seed, the command line. */
  run?: [string, string][];
  /** The model's layers as text (Sequential.summary). */
  model?: string;
  history: EpochInfo[];
  /** Each Dense layer's weights and last gradients over training: the layers' names and the sampled epochs. */
  spreads?: { layers: string[]; samples: SpreadSample[] };
  /** For classifiers: the confusion matrix of the validation data, or the training data without any. */
  classification?: { classes: string[]; report: ClassificationReport; on: 'training' | 'validation' };
  /** For regression: figures in target units and the predicted-versus-actual values behind the plot. */
  regression?: {
    on: 'training' | 'validation';
    report: RegressionReport;
    /** The training rows' figures, when `report` is on validation rows. */
    training?: RegressionReport;
    targetNames: string[];
    actual: number[][];
    predicted: number[][];
  };
}

/** A chart library's script and style sheet, to be inlined. */
export interface ChartLibrary {
  js: string;
  css: string;
}

/** The per-epoch table keeps at most about this many rows (evenly spaced, always the last). */
const MAX_TABLE_ROWS = 200;

/** uPlot's browser build and style sheet from the installed `uplot` package, or null when it is not installed. */
export async function findChartLibrary(): Promise<ChartLibrary | null> {
  try {
    const dist = dirname(createRequire(import.meta.url).resolve('uplot'));
    const [js, css] = await Promise.all([readFile(join(dist, 'uPlot.iife.min.js'), 'utf8'), readFile(join(dist, 'uPlot.min.css'), 'utf8')]);
    return { js, css };
  } catch {
    return null;
  }
}

/** Renders the report and writes it atomically. */
export async function writeReport(path: string, data: ReportData): Promise<void> {
  await writeFileAtomic(path, renderReport(data, await findChartLibrary()));
}

/** The report page; with `chart` null it has tables only. */
export function renderReport(data: ReportData, chart: ChartLibrary | null): string {
  const sections = [
    `<h1>${escape(data.title)}</h1>`,
    table(['', ''], data.summary.map(([label, value]) => [label, value]), true),
    ...(data.run === undefined ? [] : ['<h2>Run</h2>', table(['', ''], data.run, true)]),
    ...(data.model === undefined ? [] : ['<h2>Model</h2>', `<pre class="model">${escape(data.model)}</pre>`]),
    '<h2>Curves</h2>',
    chart === null
      ? '<p class="note">Charts need the <code>uplot</code> package, which is not installed; the numbers are in the table below.</p>'
      : '<label class="toggle"><input type="checkbox" id="log-scale"> logarithmic loss axis</label>\n<div class="charts"><div id="loss-chart"></div><div id="accuracy-chart"></div></div>',
    historyTable(data.history, chart === null),
  ];
  if (data.spreads !== undefined && data.spreads.samples.length > 0) sections.push(spreadSection(data.spreads));
  if (data.regression !== undefined) sections.push(regressionSection(data.regression));
  if (data.classification !== undefined) sections.push(confusionSection(data.classification));
  const json = JSON.stringify({ history: data.history }).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(data.title)}</title>
<style>${REPORT_STYLE}${chart === null ? '' : chart.css}</style>
</head>
<body>
${sections.join('\n')}
<script type="application/json" id="glassnet-data">${json}</script>
${chart === null ? '' : `<script>${inlineScript(chart.js)}</script>\n<script>${CHART_SCRIPT}</script>`}
</body>
</html>
`;
}

function historyTable(history: readonly EpochInfo[], open: boolean): string {
  const every = Math.ceil(history.length / MAX_TABLE_ROWS);
  const rows = history.filter((_, i) => i % every === every - 1 || i === history.length - 1);
  const optional = (value: number | undefined): string => (value === undefined ? '' : fixed(value));
  const body = rows.map((h) => [String(h.epoch), fixed(h.loss), optional(h.accuracy), optional(h.valLoss), optional(h.valAccuracy), h.lr.toPrecision(3), h.seconds.toFixed(2)]);
  const caption = every > 1 ? ` (every ${every} epochs)` : '';
  return `<details${open ? ' open' : ''}><summary>Numbers per epoch${caption}</summary>
${table(['epoch', 'loss', 'accuracy', 'val loss', 'val accuracy', 'lr', 'seconds'], body)}
</details>`;
}

function confusionSection({ classes, report, on }: NonNullable<ReportData['classification']>): string {
  const header = ['actual \\ predicted', ...classes, 'recall', 'precision', 'support'];
  const rows = report.confusion.map((row, actual) => {
    const per = report.perClass[actual]!;
    return `<tr><th class="label">${escape(classes[actual] ?? String(actual))}</th>${row.map((n, predicted) => `<td${predicted === actual ? ' class="hit"' : n > 0 ? ' class="miss"' : ''}>${n}</td>`).join('')}`
      + `<td>${ratio(per.recall)}</td><td>${ratio(per.precision)}</td><td>${per.support}</td></tr>`;
  });
  return `<h2>Confusion matrix (${on} data, accuracy ${ratio(report.accuracy)})</h2>
<table><tr>${header.map((h, i) => `<th${i === 0 ? ' class="label"' : ''}>${escape(h)}</th>`).join('')}</tr>
${rows.join('\n')}
</table>`;
}

/**
 * Per layer, two plots over the sampled epochs: the weights' spread and
 * the last batch's gradients' spread, as nested bands (min-max, 10-90 %,
 * 25-75 %) around the median. A layer whose weights stop moving, explode
 * or die shows it here before the loss does.
 */
function spreadSection({ layers, samples }: NonNullable<ReportData['spreads']>): string {
  const epochs = samples.map((s) => s.epoch);
  const rows = layers.map((name, k) => {
    const weights = samples.map((s) => s.layers[k]!.weights);
    const gradients = samples.flatMap((s) => { const g = s.layers[k]!.gradients; return g === null ? [] : [g]; });
    const gradientEpochs = samples.filter((s) => s.layers[k]!.gradients !== null).map((s) => s.epoch);
    return `<div class="spread-row"><h3>${escape(name)}</h3><div class="plots">
${bandPlot(`${name}: weights`, 'weights', epochs, weights)}
${gradients.length === 0 ? '<p class="note">no gradients (not trained)</p>' : bandPlot(`${name}: last gradients`, '∂E/∂w (last batch)', gradientEpochs, gradients)}
</div></div>`;
  });
  return `<h2>Weights and gradients over training</h2>
<p class="note">Bands: min–max, 10–90 % and 25–75 % of each layer's values at ${samples.length} sampled epochs; the line is the median.</p>
${rows.join('\n')}`;
}

/** Nested quantile bands as an inline SVG; `values[i]` holds the {@link QUANTILES} at `epochs[i]`. */
function bandPlot(label: string, what: string, epochs: readonly number[], values: readonly number[][]): string {
  const width = 360;
  const height = 200;
  const pad = { left: 48, right: 10, top: 10, bottom: 34 };
  let low = Math.min(...values.map((q) => q[0]!));
  let high = Math.max(...values.map((q) => q[QUANTILES.length - 1]!));
  if (high === low) [low, high] = [low - 1, high + 1];
  const first = epochs[0]!;
  const last = Math.max(epochs.at(-1)!, first + 1);
  const x = (epoch: number): string => (pad.left + ((epoch - first) / (last - first)) * (width - pad.left - pad.right)).toFixed(1);
  const y = (v: number): string => (pad.top + (1 - (v - low) / (high - low)) * (height - pad.top - pad.bottom)).toFixed(1);
  const top = QUANTILES.length - 1;
  // Bands from the outside in: quantile pairs (0, 6), (1, 5), (2, 4).
  const bands = [0, 1, 2].map((i) => {
    const upper = epochs.map((e, n) => `${x(e)},${y(values[n]![top - i]!)}`);
    const lower = epochs.map((e, n) => `${x(e)},${y(values[n]![i]!)}`).reverse();
    return `<polygon class="band band${i}" points="${[...upper, ...lower].join(' ')}"/>`;
  });
  const median = `<polyline class="median" points="${epochs.map((e, n) => `${x(e)},${y(values[n]![3]!)}`).join(' ')}"/>`;
  const ticks = [low, (low + high) / 2, high].map((v) => `<text x="${pad.left - 6}" y="${(Number(y(v)) + 4).toFixed(1)}" text-anchor="end">${escape(siLabel(v))}</text>`);
  const epochTicks = [first, last].map((e) => `<text x="${x(e)}" y="${height - pad.bottom + 14}" text-anchor="middle">${escape(siLabel(e))}</text>`);
  return `<figure class="spread"><svg viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escape(label)}">
<rect x="${pad.left}" y="${pad.top}" width="${width - pad.left - pad.right}" height="${height - pad.top - pad.bottom}" class="frame"/>
${bands.join('\n')}
${median}
<g class="labels">${ticks.join('')}${epochTicks.join('')}</g>
<text x="${(pad.left + width - pad.right) / 2}" y="${height - 6}" text-anchor="middle">epoch</text>
</svg><figcaption>${escape(what)}</figcaption></figure>`;
}

/** At most this many points per predicted-versus-actual plot (evenly spaced rows), to keep the page small. */
const MAX_POINTS = 2000;

function regressionSection(data: NonNullable<ReportData['regression']>): string {
  const rows = (name: string, r: Pick<RegressionReport, 'r2' | 'rmse' | 'mae'>): string[] => [name, r.r2.toFixed(4), fixed(r.rmse), fixed(r.mae)];
  const figures = [
    ...(data.training === undefined ? [] : [rows('training', data.training)]),
    rows(data.on, data.report),
    rows(`predicting the training mean (${data.on})`, data.report.baseline),
  ];
  const warning = data.report.worseThanBaseline
    ? `<p class="warning">On the ${data.on} rows the model does worse than predicting the training mean.</p>` : '';
  const plots = data.targetNames.map((name, j) => scatterPlot(name, data.actual.map((r) => r[j]!), data.predicted.map((r) => r[j]!)));
  return `<h2>Regression (${data.on} data, target units)</h2>
${warning}${table(['', 'R²', 'RMSE', 'MAE'], figures, true)}
<div class="plots">${plots.join('\n')}</div>`;
}

/**
 * Predicted against actual values as an inline SVG: a point per row and the
 * diagonal where predictions are exact. Drawn here rather than by the chart
 * script, so it needs no library and its labels are plain text.
 */
function scatterPlot(name: string, actual: readonly number[], predicted: readonly number[]): string {
  const every = Math.ceil(actual.length / MAX_POINTS);
  const size = 320;
  const pad = 48;
  const values = [...actual, ...predicted];
  let low = Math.min(...values);
  let high = Math.max(...values);
  if (high === low) [low, high] = [low - 1, high + 1];
  const at = (v: number, flip: boolean): number => {
    const t = (v - low) / (high - low);
    return pad + (flip ? 1 - t : t) * (size - 2 * pad);
  };
  const dots = actual.filter((_, i) => i % every === 0).map((a, k) => {
    const p = predicted[k * every]!;
    return `<circle cx="${at(a, false).toFixed(1)}" cy="${at(p, true).toFixed(1)}" r="2.5"/>`;
  });
  const ticks = [low, (low + high) / 2, high];
  const labels = ticks.map((v) => `<text x="${at(v, false).toFixed(1)}" y="${size - pad + 16}" text-anchor="middle">${escape(siLabel(v))}</text>`
    + `<text x="${pad - 6}" y="${(at(v, true) + 4).toFixed(1)}" text-anchor="end">${escape(siLabel(v))}</text>`);
  return `<figure class="scatter"><svg viewBox="0 0 ${size} ${size}" width="${size}" height="${size}" role="img" aria-label="${escape(`predicted versus actual ${name}`)}">
<rect x="${pad}" y="${pad}" width="${size - 2 * pad}" height="${size - 2 * pad}" class="frame"/>
<line x1="${at(low, false)}" y1="${at(low, true)}" x2="${at(high, false)}" y2="${at(high, true)}" class="diagonal"/>
<g class="points">${dots.join('')}</g>
<g class="labels">${labels.join('')}</g>
<text x="${size / 2}" y="${size - 8}" text-anchor="middle">actual ${escape(name)}</text>
<text x="14" y="${size / 2}" text-anchor="middle" transform="rotate(-90 14 ${size / 2})">predicted</text>
</svg><figcaption>${escape(name)}: predicted against actual${every > 1 ? ` (every ${every}th row)` : ''}</figcaption></figure>`;
}

function table(header: readonly string[], rows: readonly (readonly string[])[], labelled = false): string {
  const head = header.every((h) => h === '') ? '' : `<tr>${header.map((h) => `<th>${escape(h)}</th>`).join('')}</tr>\n`;
  const body = rows.map((row) => `<tr>${row.map((cell, i) => `<td${labelled && i === 0 ? ' class="label"' : ''}>${escape(cell)}</td>`).join('')}</tr>`).join('\n');
  return `<table>\n${head}${body}\n</table>`;
}

/** A metric as the report shows it: five significant digits. */
export function fixed(value: number): string {
  return Math.abs(value) >= 1e-4 || value === 0 ? value.toPrecision(5) : value.toExponential(3);
}

/** A share with three decimals; NaN (nothing to divide by) as a dash. */
function ratio(value: number): string {
  return Number.isNaN(value) ? '–' : value.toFixed(3);
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A script may not contain `</script`, which would end the element early. */
function inlineScript(js: string): string {
  return js.replace(/<\/(script)/gi, '<\\/$1');
}
