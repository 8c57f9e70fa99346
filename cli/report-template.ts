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
`;

/**
 * Draws the loss and accuracy charts from the JSON in #glassnet-data. Runs
 * only when uPlot was inlined; the tables below the charts need no script.
 */
export const CHART_SCRIPT = `
(() => {
  const data = JSON.parse(document.getElementById('glassnet-data').textContent);
  const epochs = data.history.map((h) => h.epoch);
  const column = (key) => data.history.map((h) => (typeof h[key] === 'number' ? h[key] : null));
  const draw = (id, title, series) => {
    const present = series.filter((s) => s.values.some((v) => v !== null));
    if (present.length === 0) return;
    const target = document.getElementById(id);
    new uPlot({
      title, width: 520, height: 300,
      scales: { x: { time: false } },
      axes: [{ label: 'epoch' }, {}],
      series: [{ label: 'epoch' }, ...present.map((s) => ({ label: s.label, stroke: s.color, width: 2, spanGaps: true }))],
    }, [epochs, ...present.map((s) => s.values)], target);
  };
  draw('loss-chart', 'Loss', [
    { label: 'training', values: column('loss'), color: '#1f77b4' },
    { label: 'validation', values: column('valLoss'), color: '#ff7f0e' },
  ]);
  draw('accuracy-chart', 'Accuracy', [
    { label: 'training', values: column('accuracy'), color: '#1f77b4' },
    { label: 'validation', values: column('valAccuracy'), color: '#ff7f0e' },
  ]);
})();
`;
