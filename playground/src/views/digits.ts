/**
 * Digits: test images with the network's predictions (✓ right, ✗ wrong,
 * so colour is never the only cue) and the test confusion matrix.
 */
import { h, sizedCanvas } from '../dom.js';
import type { RunInfo, Snapshot } from '../protocol.js';
import { ui } from '../i18n/index.js';

export class DigitsView {
  private tiles: { canvas: HTMLCanvasElement; label: HTMLElement }[] = [];
  private matrix: HTMLTableElement | null = null;

  constructor(private readonly root: HTMLElement) {}

  build(info: RunInfo): void {
    this.root.replaceChildren();
    this.tiles = [];
    this.matrix = null;
    this.root.hidden = info.images === null && info.classes === null;
    if (info.images !== null) {
      const grid = h('div', { class: 'digit-grid', title: ui().digits.gridTitle });
      info.images.pixels.forEach((pixels, n) => {
        const canvas = h('canvas', { class: 'digit', role: 'img', 'aria-label': ui().digits.image(info.images!.labels[n]!) });
        const ctx = sizedCanvas(canvas, 32, 32);
        const side = info.images!.side;
        for (let p = 0; p < pixels.length; p++) {
          const shade = Math.round(255 * (1 - Math.max(0, Math.min(1, pixels[p]!))));
          ctx.fillStyle = `rgb(${shade},${shade},${shade})`;
          ctx.fillRect(((p % side) * 32) / side, (Math.floor(p / side) * 32) / side, 32 / side + 0.5, 32 / side + 0.5);
        }
        const label = h('span', { class: 'digit-label' });
        grid.append(h('div', { class: 'digit-tile' }, canvas, label));
        this.tiles.push({ canvas, label });
      });
      this.root.append(h('h3', { text: ui().digits.images }), grid);
    }
    if (info.classes !== null && info.classes.length > 2) {
      this.matrix = h('table', { class: 'confusion', title: ui().digits.matrixTitle });
      this.root.append(h('h3', { text: ui().digits.matrix }), this.matrix);
    }
    this.info = info;
  }

  private info: RunInfo | null = null;

  update(snapshot: Snapshot): void {
    const info = this.info;
    if (info === null) return;
    if (snapshot.predictions !== null && info.images !== null) {
      snapshot.predictions.forEach((p, n) => {
        const right = p === info.images!.labels[n];
        const tile = this.tiles[n]!;
        tile.label.textContent = `${right ? '✓' : '✗'} ${p}`;
        tile.label.className = `digit-label ${right ? 'right' : 'wrong'}`;
      });
    }
    if (this.matrix !== null && snapshot.confusion !== null && info.classes !== null) {
      const classes = info.classes;
      const largest = Math.max(1, ...snapshot.confusion.flat());
      const head = h('tr', {}, h('th', { text: ui().digits.corner }), ...classes.map((c) => h('th', { text: c })));
      const rows = snapshot.confusion.map((row, a) => h('tr', {}, h('th', { text: classes[a]! }), ...row.map((count, p) => h('td', {
        text: count, class: a === p ? 'diag' : '', style: `background:rgba(${a === p ? '0,114,178' : '213,94,0'},${(count / largest) * 0.7})`,
      }))));
      this.matrix.replaceChildren(head, ...rows);
    }
  }
}
