/**
 * The network diagram: units as boxes (with their OUT over the plane as a
 * heat map for 2-D data, and NET/OUT of the explained sample), weights as
 * lines whose colour is the sign and whose width is the magnitude.
 * Hovering a weight shows its value, last gradient and chain-rule formula,
 * updated live; clicking a weight or unit selects it for the derivation.
 *
 * Lines and heat maps are painted on ONE canvas per frame: one bitmap to
 * raster, where an SVG line and a canvas per unit made each frame's paint
 * cost tens of milliseconds. The units stay buttons, for the keyboard; the
 * canvas takes focus and its arrow keys walk the weights (Enter selects),
 * with the hover tooltip as what a screen reader is told.
 */
import { exprText, symText, type Explanation } from 'glassnet/explain';
import { h, setText, sizedCanvas } from '../dom.js';
import { ui } from '../i18n/index.js';
import { divergingCss, FOCUS, NEGATIVE, POSITIVE } from '../palette.js';
import { num, short } from '../format.js';
import type { RunInfo, Snapshot } from '../protocol.js';
import { unitAtlas } from './plane.js';

/** Units drawn per layer; the rest are summarised as "+N more". */
const MAX_UNITS = 10;
const BOX = 44;
/** Up to this many parameters, every weight carries its value as a label. */
const LABELLED = 24;

interface Link {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  label: HTMLElement | null;
  /** Dense layer index, unit j, input i. */
  layer: number;
  unit: number;
  input: number;
  name: string;
}

interface UnitBox {
  el: HTMLElement;
  /** The NET/OUT box under the unit. */
  values: HTMLElement;
  x: number;
  y: number;
  net: HTMLElement;
  out: HTMLElement;
  /** Layer index: 0 for inputs, k+1 for Dense layer k. */
  column: number;
  index: number;
  name: string;
}

export interface NetworkCallbacks {
  select: (name: string) => void;
}

export class NetworkView {
  private links: Link[] = [];
  private units: UnitBox[] = [];
  private info: RunInfo | null = null;
  private snapshot: Snapshot | null = null;
  private explanation: Explanation | null = null;
  private hovered: Link | null = null;
  /** Index in `links` of the weight the keyboard is on (-1: none yet). */
  private focused = -1;
  private selected = '';
  private canvas: HTMLCanvasElement | null = null;
  private size = { width: 0, height: 0 };
  private readonly tooltip: HTMLElement;
  /** Which values may be shown: all, or only those of phases already revealed. */
  private shown: (stepId: string) => boolean = () => true;

  constructor(private readonly root: HTMLElement, private readonly callbacks: NetworkCallbacks) {
    this.tooltip = h('div', { class: 'tooltip', role: 'tooltip', id: 'weight-tooltip', hidden: true });
    document.body.append(this.tooltip);
  }

  /** Lays the diagram out for a new run. */
  build(info: RunInfo): void {
    this.info = info;
    this.root.replaceChildren();
    this.links = [];
    this.units = [];
    this.hovered = null;
    this.focused = -1;
    this.snapshot = null; // the last run's numbers do not fit this layout
    const names = info.names;
    const columns = info.sizes.length;
    const shownUnits = info.sizes.map((n) => Math.min(n, MAX_UNITS));
    const width = Math.max(300, Math.min(620, this.root.clientWidth || 560));
    const tallest = Math.max(...shownUnits);
    // Room under each unit for its NET and OUT; small networks get more air for weight labels.
    const rowGap = tallest <= 3 ? 120 : BOX + 34;
    const height = Math.max(200, tallest * rowGap + 10);
    this.size = { width, height };
    const colX = (c: number) => 30 + (c * (width - 60 - BOX)) / Math.max(1, columns - 1);
    const rowY = (c: number, j: number) => 20 + (height - 40 - shownUnits[c]! * rowGap) / 2 + j * rowGap;
    // Crowded layers show NET and OUT for the selected unit only.
    const area = h('div', { class: `net-area${tallest > 4 ? ' compact' : ''}`, style: `width:${width}px;height:${height}px` });
    const t = ui().network;
    this.canvas = h('canvas', { class: 'net-canvas', tabindex: 0, role: 'group', 'aria-label': t.weights, 'aria-describedby': 'weight-tooltip' });
    this.keyboard(this.canvas);
    area.append(this.canvas);
    const labelled = info.parameterCount <= LABELLED;
    for (let k = 0; k + 1 < columns; k++) {
      for (let j = 0; j < shownUnits[k + 1]!; j++) {
        for (let i = 0; i < shownUnits[k]!; i++) {
          const x1 = colX(k) + BOX;
          const y1 = rowY(k, i) + BOX / 2;
          const x2 = colX(k + 1);
          const y2 = rowY(k + 1, j) + BOX / 2;
          const name = names?.weights[k]?.[j]?.[i] ?? `w${k + 1}.${j + 1}.${i + 1}`;
          let label: HTMLElement | null = null;
          if (labelled) {
            // Near the receiving end for one input, near the sending end for the other: crossing lines keep their labels apart.
            const t = 0.7 - 0.4 * (i % 2);
            label = h('span', { class: 'link-label', 'data-param': name, style: `left:${x1 + (x2 - x1) * t}px;top:${y1 + (y2 - y1) * t - 14}px` });
            area.append(label);
          }
          this.links.push({ x1, y1, x2, y2, label, layer: k, unit: j, input: i, name });
        }
      }
    }
    for (let c = 0; c < columns; c++) {
      for (let j = 0; j < shownUnits[c]!; j++) {
        const name = c === 0 ? names?.inputs[j] ?? `i${j + 1}` : names?.units[c - 1]?.[j] ?? `u${c}.${j + 1}`;
        const net = h('span', { class: 'unit-net', 'data-unit': name });
        const out = h('span', { class: 'unit-out', 'data-unit': name });
        const x = colX(c);
        const y = rowY(c, j);
        const el = h('button', {
          type: 'button',
          class: `unit ${c === 0 ? 'input' : c === columns - 1 ? 'output' : 'hidden'}`,
          style: `left:${x}px;top:${y}px;width:${BOX}px;height:${BOX}px`,
          'data-unit': name,
          title: c === 0 ? t.input(name) : t.unit(name, info.activations[c - 1]!),
          'aria-label': c === 0 ? t.inputAria(name) : t.unitAria(name),
        }, h('span', { class: 'unit-name', text: name }));
        if (c === 0) el.setAttribute('tabindex', '-1');
        else el.addEventListener('click', () => this.callbacks.select(name));
        const values = h('div', { class: 'unit-values', style: `left:${x - 38}px;top:${y + BOX + 1}px;width:${BOX + 76}px` }, net, out);
        area.append(el, values);
        this.units.push({ el, values, x, y, net, out, column: c, index: j, name });
      }
      if (info.sizes[c]! > shownUnits[c]!) {
        area.append(h('div', { class: 'more', style: `left:${colX(c) - 10}px;top:${height - 18}px`, text: t.more(info.sizes[c]! - shownUnits[c]!) }));
      }
    }
    area.addEventListener('mousemove', (e) => this.hover(this.linkAt(e, area), e));
    area.addEventListener('mouseleave', () => this.hover(null));
    area.addEventListener('click', (e) => {
      const link = this.linkAt(e, area);
      if (link !== null) this.callbacks.select(link.name);
    });
    const legend = h('p', { class: 'legend' },
      h('span', { class: 'swatch', style: `background:rgb(${POSITIVE.join(',')})` }), t.positive,
      h('span', { class: 'swatch', style: `background:rgb(${NEGATIVE.join(',')})` }), t.negative,
      info.names === null ? '' : t.hover);
    this.root.append(area, legend);
  }

  /** Limits the NET/OUT shown to steps revealed so far (phase stepping); `null` shows all. */
  reveal(shown: ((stepId: string) => boolean) | null): void {
    this.shown = shown ?? (() => true);
    this.drawValues();
  }

  update(snapshot: Snapshot, explanation: Explanation | null): void {
    this.snapshot = snapshot;
    this.explanation = explanation;
    this.paint();
    for (const link of this.links) {
      if (link.label !== null) setText(link.label, `${link.name} ${num(this.weight(link))}`);
    }
    this.drawValues();
    if (this.hovered !== null) this.showTooltip(this.hovered);
    else if (this.focused >= 0 && document.activeElement === this.canvas) this.showTooltip(this.links[this.focused]!);
  }

  /** Marks the selected unit or weight. */
  select(name: string): void {
    this.selected = name;
    for (const unit of this.units) {
      unit.el.classList.toggle('selected', unit.name === name);
      unit.values.classList.toggle('selected', unit.name === name);
    }
    this.paint();
  }

  private weight(link: Link): number {
    const layer = this.snapshot!.session.layers.filter((l) => l.kind === 'dense')[link.layer]!;
    return layer.weight![link.unit * layer.inputs + link.input]!;
  }

  private paint(): void {
    const snapshot = this.snapshot;
    if (this.canvas === null || snapshot === null) return;
    const { width, height } = this.size;
    const ctx = sizedCanvas(this.canvas, width, height);
    ctx.clearRect(0, 0, width, height);
    let largest = 1e-9;
    for (const l of snapshot.session.layers) if (l.weight) for (const w of l.weight) largest = Math.max(largest, Math.abs(w));
    ctx.lineCap = 'round';
    const keyboard = document.activeElement === this.canvas ? this.links[this.focused] : undefined;
    for (const link of this.links) {
      const w = this.weight(link);
      const strength = Math.abs(w) / largest;
      const marked = link.name === this.selected || link === keyboard;
      ctx.strokeStyle = marked ? FOCUS : divergingCss(Math.sign(w) * (0.35 + 0.65 * strength));
      ctx.lineWidth = marked ? 4 : 0.5 + 5 * strength;
      ctx.setLineDash(link === keyboard && link.name !== this.selected ? [6, 4] : []);
      ctx.beginPath();
      ctx.moveTo(link.x1, link.y1);
      ctx.lineTo(link.x2, link.y2);
      ctx.stroke();
    }
    ctx.setLineDash([]);
    const grid = snapshot.grid;
    if (grid === null || !this.info?.plane) return;
    const atlas = unitAtlas(grid, this.info.activations);
    ctx.imageSmoothingEnabled = true;
    for (const unit of this.units) {
      const tile = atlas.tile(unit.column, unit.index);
      if (tile !== null) ctx.drawImage(atlas.canvas, tile.x, tile.y, grid.size, grid.size, unit.x + 2, unit.y + 2, BOX - 4, BOX - 4);
    }
  }

  private drawValues(): void {
    const tables = this.explanation?.tables;
    for (const unit of this.units) {
      if (unit.column === 0) {
        const v = tables?.inputs[unit.name];
        setText(unit.out, v === undefined ? '' : `${unit.name} = ${first(v)}`);
        continue;
      }
      const n = tables?.neurons[unit.name];
      const net = n !== undefined && this.shown(`neurons.${unit.name}.net`) ? first(n.net) : '';
      const out = n !== undefined && this.shown(`neurons.${unit.name}.out`) ? first(n.out) : '';
      setText(unit.net, net === '' ? '' : `NET ${net}`);
      setText(unit.out, out === '' ? '' : `OUT ${out}`);
    }
  }

  /** The weight line within a few pixels of the pointer, if any. */
  private linkAt(event: MouseEvent, area: HTMLElement): Link | null {
    const box = area.getBoundingClientRect();
    const px = event.clientX - box.left;
    const py = event.clientY - box.top;
    let best: Link | null = null;
    let bestDistance = 6;
    for (const link of this.links) {
      const dx = link.x2 - link.x1;
      const dy = link.y2 - link.y1;
      const t = Math.max(0, Math.min(1, ((px - link.x1) * dx + (py - link.y1) * dy) / (dx * dx + dy * dy)));
      const distance = Math.hypot(px - (link.x1 + t * dx), py - (link.y1 + t * dy));
      if (distance < bestDistance) {
        best = link;
        bestDistance = distance;
      }
    }
    return best;
  }

  /**
   * The keyboard's way to the weights: arrow keys step through them (down
   * and right to the next, up and left to the previous), Page Up and Page
   * Down jump a layer, Home and End to the ends, Enter or Space selects
   * one for the derivation, Escape hides the tooltip.
   */
  private keyboard(canvas: HTMLCanvasElement): void {
    canvas.addEventListener('keydown', (e) => {
      const count = this.links.length;
      if (count === 0) return;
      const at = Math.max(0, this.focused);
      const layerStart = (layer: number) => this.links.findIndex((l) => l.layer === layer);
      const current = this.links[at]!;
      let next: number | null = null;
      switch (e.key) {
        case 'ArrowDown': case 'ArrowRight': next = this.focused < 0 ? 0 : Math.min(count - 1, at + 1); break;
        case 'ArrowUp': case 'ArrowLeft': next = Math.max(0, at - 1); break;
        case 'PageDown': next = layerStart(current.layer + 1) < 0 ? at : layerStart(current.layer + 1); break;
        case 'PageUp': next = current.layer === 0 ? 0 : layerStart(current.layer - 1); break;
        case 'Home': next = 0; break;
        case 'End': next = count - 1; break;
        case 'Enter': case ' ':
          e.preventDefault();
          this.focused = at;
          this.callbacks.select(current.name);
          return;
        case 'Escape':
          this.tooltip.hidden = true;
          return;
        default:
          return;
      }
      e.preventDefault();
      this.focusLink(next);
    });
    // A mouse press focuses the canvas too; only focus from the keyboard (or a script) picks a weight.
    let pressed = false;
    canvas.addEventListener('pointerdown', () => {
      pressed = true;
    });
    canvas.addEventListener('focus', () => {
      if (!pressed) this.focusLink(Math.max(0, this.links.findIndex((l) => l.name === this.selected), this.focused));
      pressed = false;
    });
    canvas.addEventListener('blur', () => {
      if (this.hovered === null) this.tooltip.hidden = true;
      this.paint();
    });
  }

  private focusLink(index: number): void {
    const link = this.links[index];
    if (link === undefined || this.canvas === null) return;
    this.focused = index;
    this.paint();
    this.showTooltip(link);
    const box = this.canvas.getBoundingClientRect();
    this.tooltip.style.left = `${Math.min(box.left + window.scrollX + (link.x1 + link.x2) / 2 + 14, document.documentElement.scrollWidth - 330)}px`;
    this.tooltip.style.top = `${box.top + window.scrollY + (link.y1 + link.y2) / 2 + 14}px`;
  }

  private hover(link: Link | null, event?: MouseEvent): void {
    this.hovered = link;
    if (this.canvas !== null) this.canvas.parentElement!.style.cursor = link === null ? '' : 'pointer';
    if (link === null) {
      this.tooltip.hidden = true;
      return;
    }
    this.showTooltip(link);
    if (event !== undefined) {
      this.tooltip.style.left = `${Math.min(event.pageX + 14, document.documentElement.scrollWidth - 330)}px`;
      this.tooltip.style.top = `${event.pageY + 14}px`;
    }
  }

  private showTooltip(link: Link): void {
    const layer = this.snapshot?.session.layers.filter((l) => l.kind === 'dense')[link.layer];
    if (layer === undefined) return;
    const k = link.unit * layer.inputs + link.input;
    const g = this.snapshot!.session.steps === 0 ? undefined : layer.weightGrad?.[k];
    const step = this.explanation?.steps.find((s) => s.id === `gradients.${link.name}`);
    const formula = step === undefined ? null : `${symText(step.quantity)} = ${step.formulas.map((f) => exprText(f)).join(' = ')}`;
    const t = ui().network;
    this.tooltip.replaceChildren(
      h('strong', { text: link.name }), h('br'),
      `${t.value} ${num(layer.weight![k]!)}`, h('br'),
      `${t.lastGradient} ∂E/∂${link.name} ${g === undefined ? t.noStep : short(g)}`,
      ...(formula === null ? [] : [h('br'), h('code', { text: formula })]),
      h('br'), h('span', { class: 'muted', text: t.clickForDerivation }),
    );
    this.tooltip.hidden = false;
  }
}

function first(v: number | number[]): string {
  return num(Array.isArray(v) ? v[0]! : v);
}
