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
import type { ClassificationReport, EpochInfo } from '../src/index.js';
import { writeFileAtomic } from '../src/io/node.js';
import { CHART_SCRIPT, REPORT_STYLE } from './report-template.js';

/** What the report shows. */
export interface ReportData {
  title: string;
  /** Label and value rows at the top. */
  summary: [string, string][];
  history: EpochInfo[];
  /** For classifiers: the confusion matrix of the validation data, or the training data without any. */
  classification?: { classes: string[]; report: ClassificationReport; on: 'training' | 'validation' };
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
    '<h2>Curves</h2>',
    chart === null
      ? '<p class="note">Charts need the <code>uplot</code> package, which is not installed; the numbers are in the table below.</p>'
      : '<div class="charts"><div id="loss-chart"></div><div id="accuracy-chart"></div></div>',
    historyTable(data.history, chart === null),
  ];
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
    return `<tr><th class="label">${escape(classes[actual] ?? String(actual))}</th>${row.map((n, predicted) => `<td${predicted === actual ? ' class="hit"' : ''}>${n}</td>`).join('')}`
      + `<td>${ratio(per.recall)}</td><td>${ratio(per.precision)}</td><td>${per.support}</td></tr>`;
  });
  return `<h2>Confusion matrix (${on} data, accuracy ${ratio(report.accuracy)})</h2>
<table><tr>${header.map((h, i) => `<th${i === 0 ? ' class="label"' : ''}>${escape(h)}</th>`).join('')}</tr>
${rows.join('\n')}
</table>`;
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
