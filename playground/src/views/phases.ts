/**
 * Stepping one phase at a time: the next step's explanation, cut into
 * forward layer by layer, the error, backward layer by layer (from the
 * output down) and the update. Each phase reveals its lines of the
 * derivation and its NET/OUT in the diagram; the last one commits the step.
 */
import { exprText, formatNumber, symText, type Explanation, type Names, type DerivationStep } from 'glassnet/explain';
import { h } from '../dom.js';
import { ui } from '../i18n/index.js';
import { PRECISION } from '../format.js';

export interface Phase {
  label: string;
  steps: DerivationStep[];
}

/** The layer a step is about: the first of its names found in a layer (0-based Dense layer), or -1. */
function layerOf(step: DerivationStep, names: Names): number {
  for (const name of step.about) {
    for (let k = 0; k < names.units.length; k++) {
      if (names.units[k]!.includes(name) || names.weights[k]!.some((row) => row.includes(name)) || (names.biases[k] ?? []).includes(name)) return k;
    }
  }
  return -1;
}

/** The phases of an explained step, in the order the computation runs. */
export function phasesOf(expl: Explanation): Phase[] {
  const { names, steps } = expl;
  const layers = names.units.length;
  const t = ui().phases;
  const layerName = (k: number) => (k === layers - 1 ? t.outputLayer : layers === 2 ? t.hiddenLayer : t.hiddenLayerN(k + 1));
  const phases: Phase[] = [];
  const add = (label: string, chosen: DerivationStep[]) => {
    if (chosen.length > 0) phases.push({ label, steps: chosen });
  };
  for (let k = 0; k < layers; k++) add(t.forward(layerName(k)), steps.filter((s) => s.section === 'forward' && layerOf(s, names) === k));
  add(t.error, steps.filter((s) => s.section === 'error'));
  for (let k = layers - 1; k >= 0; k--) add(t.backward(layerName(k)), steps.filter((s) => s.section === 'backward' && layerOf(s, names) === k));
  add(t.update, steps.filter((s) => s.section === 'update'));
  return phases;
}

/** One derivation line as text: quantity = formula(s) = numbers = value. */
function line(step: DerivationStep): string {
  const value = formatNumber(step.value, PRECISION);
  const parts: string[] = [];
  for (const e of [...step.formulas, step.withNumbers]) {
    const text = exprText(e, PRECISION);
    if (!parts.includes(text) && text !== value) parts.push(text);
  }
  return `${symText(step.quantity)} = ${[...parts, value].join(' = ')}`;
}

export class PhasesView {
  private phases: Phase[] = [];
  /** Phases revealed: 0 = none (stepping not started). */
  revealed = 0;

  constructor(private readonly root: HTMLElement) {}

  /** A new next step: phase stepping starts over. */
  load(expl: Explanation | null): void {
    this.phases = expl === null || expl.detail === 'summary' ? [] : phasesOf(expl);
    this.revealed = 0;
    this.draw();
  }

  get available(): boolean {
    return this.phases.length > 0;
  }

  /** Whether the next reveal is the last phase (after which the step is taken). */
  get atLast(): boolean {
    return this.revealed === this.phases.length;
  }

  get nextLabel(): string {
    return this.phases[this.revealed]?.label ?? ui().phases.end;
  }

  /** Reveals the next phase; false when every phase is already shown. */
  advance(): boolean {
    if (this.revealed >= this.phases.length) return false;
    this.revealed++;
    this.draw();
    return true;
  }

  /** Whether a step id has been revealed (all are, before stepping starts). */
  shown(id: string): boolean {
    if (this.revealed === 0) return true;
    return this.phases.slice(0, this.revealed).some((p) => p.steps.some((s) => s.id === id));
  }

  private draw(): void {
    if (this.phases.length === 0) {
      this.root.replaceChildren(h('p', { class: 'muted', text: ui().phases.unavailable }));
      return;
    }
    const list = h('ol', { class: 'phase-list' });
    this.phases.forEach((phase, i) => {
      const item = h('li', { class: i < this.revealed ? 'done' : i === this.revealed ? 'next' : '' }, h('span', { class: 'phase-label', text: phase.label }));
      if (i < this.revealed) item.append(h('pre', { class: 'phase-lines' }, phase.steps.map(line).join('\n')));
      list.append(item);
    });
    this.root.replaceChildren(list);
  }
}
