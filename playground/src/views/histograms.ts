/**
 * Per-layer histograms of the weights and of their last gradients, with
 * the previous snapshots' histograms fading behind, so drift over time
 * shows.
 */
import { h, sizedCanvas } from '../dom.js';
import { POSITIVE, NEGATIVE } from '../palette.js';
import { short } from '../format.js';
import type { Snapshot } from '../protocol.js';
import { ui } from '../i18n/index.js';

const BINS = 24;
const TRAIL = 6;
const W = 150;
const H = 54;

interface Cell {
  canvas: HTMLCanvasElement;
  caption: HTMLElement;
  trail: number[][];
}

export class HistogramView {
  private cells: Cell[][] = [];

  constructor(private readonly root: HTMLElement) {}

  build(layers: number): void {
    this.root.replaceChildren();
    this.cells = [];
    for (let k = 0; k < layers; k++) {
      const row: Cell[] = [];
      const t = ui().histograms;
      const figure = h('div', { class: 'hist-row' }, h('span', { class: 'hist-layer', text: t.layer(k + 1) }));
      for (const weights of [true, false]) {
        const what = weights ? t.weights : t.gradients;
        const canvas = h('canvas', { class: 'hist', role: 'img', 'aria-label': t.aria(k + 1, what) });
        const caption = h('span', { class: 'hist-caption' });
        figure.append(h('figure', { title: t.title(k + 1, weights) }, canvas, h('figcaption', {}, `${what} `, caption)));
        row.push({ canvas, caption, trail: [] });
      }
      this.cells.push(row);
      this.root.append(figure);
    }
  }

  update(snapshot: Snapshot): void {
    const dense = snapshot.session.layers.filter((l) => l.kind === 'dense');
    dense.forEach((layer, k) => {
      const row = this.cells[k];
      if (row === undefined) return;
      draw(row[0]!, layer.weight!);
      if (layer.weightGrad !== undefined) draw(row[1]!, layer.weightGrad);
    });
  }
}

function draw(cell: Cell, values: Float64Array): void {
  let largest = 1e-12;
  for (const v of values) largest = Math.max(largest, Math.abs(v));
  const counts = new Array<number>(BINS).fill(0);
  for (const v of values) counts[Math.min(BINS - 1, Math.floor(((v + largest) / (2 * largest)) * BINS))]!++;
  cell.trail.push(counts);
  if (cell.trail.length > TRAIL) cell.trail.shift();
  const ctx = sizedCanvas(cell.canvas, W, H);
  ctx.clearRect(0, 0, W, H);
  const top = Math.max(...counts, 1);
  cell.trail.forEach((bins, age) => {
    const alpha = (age + 1) / cell.trail.length;
    bins.forEach((c, b) => {
      const negative = b < BINS / 2;
      ctx.fillStyle = `rgba(${(negative ? NEGATIVE : POSITIVE).join(',')},${age === cell.trail.length - 1 ? 0.9 : alpha * 0.2})`;
      const height = (c / top) * (H - 4);
      ctx.fillRect((b * W) / BINS + 0.5, H - height, W / BINS - 1, height);
    });
  });
  cell.caption.textContent = `±${short(largest)}`;
}
