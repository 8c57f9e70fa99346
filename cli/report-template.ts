/**
 * The fixed parts of the training report page: its style sheet and the
 * script that draws the curves with uPlot. Kept as strings in a module (not
 * an .html file) so the build ships them inside dist/.
 */

/** Page style; uPlot's own style sheet is inlined after it when available. */
export const REPORT_STYLE = `
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 2rem auto; max-width: 70rem; padding: 0 1rem; color: #222; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.15rem; margin-top: 2rem; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.6rem; text-align: right; }
th { background: #f3f3f3; }
td.label, th.label { text-align: left; }
td.hit { background: #dff0d8; font-weight: bold; }
.charts { display: flex; flex-wrap: wrap; gap: 1.5rem; }
.note { color: #666; font-size: 0.9rem; }
.warning { color: #8a1f11; background: #fbe3e0; padding: 0.5rem 0.8rem; border-radius: 4px; }
td.miss { background: #f8d7d3; color: #8a1f11; font-weight: bold; }
.plots { display: flex; flex-wrap: wrap; gap: 1.5rem; }
.scatter svg { font-size: 11px; }
.scatter .frame { fill: none; stroke: #ccc; }
.scatter .diagonal { stroke: #999; stroke-dasharray: 4 3; }
.scatter .points circle { fill: #1f77b4; fill-opacity: 0.55; }
.toggle { font-size: 0.9rem; }
pre.model { background: #f6f6f6; padding: 0.6rem 0.8rem; overflow-x: auto; }
.spread svg { font-size: 11px; }
.spread .frame { fill: none; stroke: #ccc; }
.spread .band0 { fill: #1f77b4; fill-opacity: 0.15; }
.spread .band1 { fill: #1f77b4; fill-opacity: 0.25; }
.spread .band2 { fill: #1f77b4; fill-opacity: 0.35; }
.spread .median { fill: none; stroke: #0b3c61; stroke-width: 1.5; }
.spread-row h3 { font-size: 1rem; margin: 1rem 0 0.3rem; }
`;

/**
 * A number in at most about five characters with an SI suffix (`12.3k`,
 * `4.5M`, 0.0012 as `1.2m`), so axis labels never need more room than
 * the axis gives them. Self-contained: the chart script embeds its source.
 */
export function siLabel(value: number): string {
  if (value === 0 || !Number.isFinite(value)) return String(value);
  const prefixes: [number, string][] = [[1e12, 'T'], [1e9, 'G'], [1e6, 'M'], [1e3, 'k'], [1, ''], [1e-3, 'm'], [1e-6, 'µ'], [1e-9, 'n']];
  const magnitude = Math.abs(value);
  const [scale, suffix] = prefixes.find(([s]) => magnitude >= s) ?? [1e-9, 'n'];
  const scaled = value / scale;
  const digits = Math.abs(scaled) >= 100 ? 0 : Math.abs(scaled) >= 10 ? 1 : 2;
  return String(Number(scaled.toFixed(digits))) + suffix;
}

/**
 * Draws the loss and accuracy charts from the JSON in #glassnet-data. Runs
 * only when uPlot was inlined; the tables below the charts need no script.
 */
export const CHART_SCRIPT = `
(() => {
  const siLabel = ${siLabel.toString()};
  const data = JSON.parse(document.getElementById('glassnet-data').textContent);
  const epochs = data.history.map((h) => h.epoch);
  const column = (key) => data.history.map((h) => (typeof h[key] === 'number' ? h[key] : null));
  const charts = {};
  const draw = (id, title, series, log) => {
    const present = series.filter((s) => s.values.some((v) => v !== null));
    if (present.length === 0) return;
    const target = document.getElementById(id);
    charts[id]?.destroy();
    // A log axis needs positive values: zeros (a perfect fit) are left out.
    const values = present.map((s) => (log ? s.values.map((v) => (v !== null && v > 0 ? v : null)) : s.values));
    charts[id] = new uPlot({
      title, width: 520, height: 300,
      scales: { x: { time: false }, y: log ? { distr: 3 } : {} },
      axes: [{ label: 'epoch', values: (u, splits) => splits.map(siLabel) }, { size: 60, values: (u, splits) => splits.map(siLabel) }],
      series: [{ label: 'epoch' }, ...present.map((s) => ({ label: s.label, stroke: s.color, width: 2, spanGaps: true, value: (u, v) => (v === null ? '–' : siLabel(v)) }))],
    }, [epochs, ...values], target);
  };
  const loss = (log) => draw('loss-chart', log ? 'Loss (log scale)' : 'Loss', [
    { label: 'training', values: column('loss'), color: '#1f77b4' },
    { label: 'validation', values: column('valLoss'), color: '#ff7f0e' },
  ], log);
  loss(false);
  // For tests and curious readers: the live charts.
  window.glassnetCharts = charts;
  document.getElementById('log-scale')?.addEventListener('change', (event) => loss(event.target.checked));
  draw('accuracy-chart', 'Accuracy', [
    { label: 'training', values: column('accuracy'), color: '#1f77b4' },
    { label: 'validation', values: column('valAccuracy'), color: '#ff7f0e' },
  ]);
})();
`;
