/**
 * The network diagram: units as boxes (with their OUT over the plane as a
 * heat map for 2-D data, and NET/OUT of the explained sample), weights as
 * lines whose colour is the sign and whose width is the magnitude.
 * Hovering a weight shows its value, last gradient and chain-rule formula,
 * updated live; clicking a weight or unit selects it for the derivation.
 */
import { exprText, symText, type Explanation, type Names } from 'glassnet/explain';
import { h, svg } from '../dom.js';
import { divergingCss, NEGATIVE, POSITIVE } from '../palette.js';
import { num, short } from '../format.js';
import type { RunInfo, Snapshot } from '../protocol.js';
import { paintUnit } from './plane.js';

/** Units drawn per layer; the rest are summarised as "+N more". */
const MAX_UNITS = 10;
const BOX = 44;

interface Link {
  line: SVGLineElement;
  label: SVGTextElement | null;
  /** Dense layer index, unit j, input i. */
  layer: number;
  unit: number;
  input: number;
  name: string;
}

interface UnitBox {
  el: HTMLElement;
  canvas: HTMLCanvasElement | null;
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
    const names = info.names;
    const columns = info.sizes.length;
    const shownUnits = info.sizes.map((n) => Math.min(n, MAX_UNITS));
    const width = Math.max(320, Math.min(620, this.root.clientWidth || 560));
    const tallest = Math.max(...shownUnits);
    // Room under each unit for its NET and OUT; small networks get more air for weight labels.
    const rowGap = tallest <= 3 ? 120 : BOX + 34;
    const height = Math.max(200, tallest * rowGap + 10);
    const colX = (c: number) => 30 + (c * (width - 60 - BOX)) / Math.max(1, columns - 1);
    const rowY = (c: number, j: number) => 20 + (height - 40 - shownUnits[c]! * rowGap) / 2 + j * rowGap;
    const area = h('div', { class: 'net-area', style: `width:${width}px;height:${height}px` });
    const lines = svg('svg', { width, height, class: 'net-links', 'aria-hidden': 'true' });
    area.append(lines);
    const small = info.parameterCount <= 24;
    for (let k = 0; k + 1 < columns; k++) {
      for (let j = 0; j < shownUnits[k + 1]!; j++) {
        for (let i = 0; i < shownUnits[k]!; i++) {
          const x1 = colX(k) + BOX;
          const y1 = rowY(k, i) + BOX / 2;
          const x2 = colX(k + 1);
          const y2 = rowY(k + 1, j) + BOX / 2;
          const name = names?.weights[k]?.[j]?.[i] ?? `w${k + 1}.${j + 1}.${i + 1}`;
          const line = svg('line', { x1, y1, x2, y2, class: 'link', 'data-name': name });
          const hit = svg('line', { x1, y1, x2, y2, class: 'link-hit', 'data-name': name });
          lines.append(line, hit);
          let label: SVGTextElement | null = null;
          if (small) {
            // Labels near the receiving end, staggered so crossing lines keep them apart.
            const t = 0.7 - 0.4 * (i % 2);
            label = svg('text', { x: x1 + (x2 - x1) * t, y: y1 + (y2 - y1) * t - 4, class: 'link-label', 'data-param': name });
            lines.append(label);
          }
          const link: Link = { line, label, layer: k, unit: j, input: i, name };
          this.links.push(link);
          hit.addEventListener('mouseenter', (e) => this.hover(link, e));
          hit.addEventListener('mousemove', (e) => this.place(e));
          hit.addEventListener('mouseleave', () => this.hover(null));
          hit.addEventListener('click', () => this.callbacks.select(name));
        }
      }
    }
    for (let c = 0; c < columns; c++) {
      for (let j = 0; j < shownUnits[c]!; j++) {
        const name = c === 0 ? names?.inputs[j] ?? `i${j + 1}` : names?.units[c - 1]?.[j] ?? `u${c}.${j + 1}`;
        const canvas = info.plane !== null ? h('canvas', { class: 'unit-map', width: BOX, height: BOX }) : null;
        const net = h('span', { class: 'unit-net', 'data-unit': name });
        const out = h('span', { class: 'unit-out', 'data-unit': name });
        const el = h('button', {
          class: `unit ${c === 0 ? 'input' : c === columns - 1 ? 'output' : 'hidden'}`,
          style: `left:${colX(c)}px;top:${rowY(c, j)}px;width:${BOX}px;height:${BOX}px`,
          'data-unit': name,
          title: c === 0 ? `Input ${name}` : `Unit ${name}: NET = Σ w·input + b, OUT = ${info.activations[c - 1]}(NET). Click for its chain rule.`,
          'aria-label': c === 0 ? `input ${name}` : `unit ${name}, show its derivation`,
        }, ...(canvas === null ? [] : [canvas]), h('span', { class: 'unit-name', text: name }));
        if (c === 0) el.setAttribute('tabindex', '-1');
        else el.addEventListener('click', () => this.callbacks.select(name));
        const values = h('div', { class: 'unit-values', style: `left:${colX(c) - 18}px;top:${rowY(c, j) + BOX + 1}px;width:${BOX + 36}px` }, net, out);
        area.append(el, values);
        this.units.push({ el, canvas, net, out, column: c, index: j, name });
      }
      if (info.sizes[c]! > shownUnits[c]!) {
        area.append(h('div', { class: 'more', style: `left:${colX(c) - 10}px;top:${height - 18}px`, text: `+${info.sizes[c]! - shownUnits[c]!} more` }));
      }
    }
    const legend = h('p', { class: 'legend' },
      h('span', { class: 'swatch', style: `background:rgb(${POSITIVE.join(',')})` }), ' positive weight ',
      h('span', { class: 'swatch', style: `background:rgb(${NEGATIVE.join(',')})` }), ' negative weight; thicker is larger. ',
      info.names === null ? '' : 'Hover a weight for its value, gradient and formula; click a unit or weight for its derivation.');
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
    const dense = snapshot.session.layers.filter((l) => l.kind === 'dense');
    let largest = 1e-9;
    for (const l of dense) for (const w of l.weight!) largest = Math.max(largest, Math.abs(w));
    for (const link of this.links) {
      const layer = dense[link.layer]!;
      const w = layer.weight![link.unit * layer.inputs + link.input]!;
      const strength = Math.abs(w) / largest;
      link.line.setAttribute('stroke', divergingCss(Math.sign(w) * (0.35 + 0.65 * strength)));
      link.line.setAttribute('stroke-width', String(0.5 + 5 * strength));
      if (link.label !== null) link.label.textContent = `${link.name} ${num(w)}`;
    }
    if (snapshot.grid !== null && this.info?.plane) {
      const { grid } = snapshot;
      for (const unit of this.units) {
        if (unit.canvas === null) continue;
        if (unit.column === 0) paintUnit(unit.canvas, null, grid.size, unit.index, 'input');
        else paintUnit(unit.canvas, grid.units[unit.column - 1]![unit.index]!, grid.size, unit.index, this.info.activations[unit.column - 1]!);
      }
    }
    this.drawValues();
    if (this.hovered !== null) this.showTooltip(this.hovered);
  }

  /** Marks the selected unit or weight. */
  select(name: string): void {
    for (const unit of this.units) unit.el.classList.toggle('selected', unit.name === name);
    for (const link of this.links) link.line.classList.toggle('selected', link.name === name);
  }

  private drawValues(): void {
    const tables = this.explanation?.tables;
    for (const unit of this.units) {
      if (unit.column === 0) {
        const v = tables?.inputs[unit.name];
        unit.net.textContent = '';
        unit.out.textContent = v === undefined ? '' : `${unit.name} = ${first(v)}`;
        continue;
      }
      const n = tables?.neurons[unit.name];
      const net = n !== undefined && this.shown(`neurons.${unit.name}.net`) ? first(n.net) : '';
      const out = n !== undefined && this.shown(`neurons.${unit.name}.out`) ? first(n.out) : '';
      unit.net.textContent = net === '' ? '' : `NET ${net}`;
      unit.out.textContent = out === '' ? '' : `OUT ${out}`;
    }
  }

  private hover(link: Link | null, event?: MouseEvent): void {
    this.hovered = link;
    if (link === null) {
      this.tooltip.hidden = true;
      return;
    }
    this.showTooltip(link);
    if (event !== undefined) this.place(event);
  }

  private place(event: MouseEvent): void {
    this.tooltip.style.left = `${Math.min(event.pageX + 14, document.documentElement.scrollWidth - 300)}px`;
    this.tooltip.style.top = `${event.pageY + 14}px`;
  }

  private showTooltip(link: Link): void {
    const layer = this.snapshot?.session.layers.filter((l) => l.kind === 'dense')[link.layer];
    if (layer === undefined) return;
    const k = link.unit * layer.inputs + link.input;
    const w = layer.weight![k]!;
    const g = layer.weightGrad?.[k];
    const step = this.explanation?.steps.find((s) => s.id === `gradients.${link.name}`);
    const formula = step === undefined ? null : `${symText(step.quantity)} = ${step.formulas.map((f) => exprText(f)).join(' = ')}`;
    this.tooltip.replaceChildren(
      h('strong', { text: link.name }), h('br'),
      `value ${num(w)}`, h('br'),
      `last ∂E/∂${link.name} ${g === undefined ? '—' : short(g)}`,
      ...(formula === null ? [] : [h('br'), h('code', { text: formula })]),
    );
    this.tooltip.hidden = false;
  }
}

function first(v: number | number[]): string {
  return num(Array.isArray(v) ? v[0]! : v);
}

/** Names of a layer's parameters, for the parameter table. */
export function parameterNames(names: Names): string[] {
  return names.weights.flatMap((layer, k) => [...layer.flat(), ...(names.biases[k] ?? [])]);
}
