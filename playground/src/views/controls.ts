/**
 * The settings panel, generated from the settings table: one control per
 * setting with its label and help, grouped as the table groups them.
 */
import { h } from '../dom.js';
import { ui } from '../i18n/index.js';
import { KEYS, PROPS, type Group, type Key, type Prop, type Settings } from '../settings.js';

/** Settings that only mean something for some data sets or choices. */
function relevant(key: Key, s: Settings): boolean {
  switch (key) {
    case 'samples':
    case 'noise':
    case 'dataSeed':
      return ['xor', 'circles', 'spirals', 'gaussians'].includes(s.dataset);
    case 'scheduleSteps':
      return s.schedule === 'stepDecay' || s.schedule === 'cosineAnnealing';
    case 'gamma':
      return s.schedule === 'stepDecay' || s.schedule === 'exponentialDecay';
    default:
      return true;
  }
}

export class ControlsView {
  private readonly inputs = new Map<Key, HTMLInputElement | HTMLSelectElement>();
  private layersBox: HTMLElement | null = null;

  constructor(private readonly root: HTMLElement, private readonly change: (key: Key, value: Settings[Key]) => void) {
    this.build();
  }

  /** Builds the panel in the current language (again after a switch, then shows `settings`). */
  build(settings?: Settings): void {
    this.inputs.clear();
    this.layersBox = null;
    this.root.replaceChildren();
    for (const [group, title] of Object.entries(ui().groups) as [Group, string][]) {
      const fieldset = h('fieldset', { class: `group group-${group}` }, h('legend', { text: title }));
      for (const key of KEYS) {
        const prop = PROPS[key] as Prop<Key>;
        if (prop.group !== group) continue;
        const control = this.control(key, prop);
        if (control !== null) fieldset.append(control);
      }
      this.root.append(fieldset);
    }
    if (settings !== undefined) this.show(settings);
  }

  /** Shows `settings` in the controls. */
  show(settings: Settings): void {
    for (const [key, input] of this.inputs) {
      const prop = PROPS[key] as Prop<Key>;
      const text = prop.format(settings[key]);
      if (input.value !== text && document.activeElement !== input) input.value = text;
      input.disabled = !relevant(key, settings);
      input.closest('.control')?.classList.toggle('off', input.disabled);
    }
    this.drawLayers(settings.layers);
  }

  private control(key: Key, prop: Prop<Key>): HTMLElement | null {
    const id = `set-${key}`;
    const words = ui().settings[key];
    const help = h('span', { class: 'help', id: `${id}-help`, text: words.help });
    const label = h('label', { for: id, text: words.label });
    const { control } = prop;
    switch (control.kind) {
      case 'select': {
        const select = h('select', { id, 'data-setting': key, title: words.help, 'aria-describedby': `${id}-help` },
          ...control.options.map((o) => h('option', { value: o, text: o })));
        select.addEventListener('change', () => this.commit(key, select.value, select));
        this.inputs.set(key, select);
        return h('div', { class: 'control' }, label, select, help);
      }
      case 'number': {
        const input = h('input', {
          id, type: 'number', min: control.min, max: control.max, step: control.step, 'data-setting': key, title: words.help, 'aria-describedby': `${id}-help`,
        });
        input.addEventListener('change', () => this.commit(key, input.value, input));
        this.inputs.set(key, input);
        return h('div', { class: 'control' }, label, input, help);
      }
      case 'layers': {
        this.layersBox = h('div', { class: 'layers', id, 'data-setting': key, role: 'group', 'aria-label': words.label, title: words.help });
        return h('div', { class: 'control control-layers' }, h('span', { class: 'label', text: words.label }), this.layersBox, help);
      }
      case 'none':
        return null;
      default:
        return control satisfies never;
    }
  }

  private commit(key: Key, text: string, input: HTMLInputElement | HTMLSelectElement): void {
    const value = (PROPS[key] as Prop<Key>).parse(text);
    input.classList.toggle('invalid', value === undefined);
    input.setAttribute('aria-invalid', String(value === undefined));
    if (value !== undefined) this.change(key, value);
  }

  private drawLayers(layers: number[]): void {
    const box = this.layersBox;
    // Redrawn only on a change: a redraw during a click (a blur elsewhere commits a value) would swallow it.
    if (box === null || box.dataset['value'] === layers.join(',')) return;
    box.dataset['value'] = layers.join(',');
    const set = (next: number[]) => this.change('layers', next);
    const button = (text: string, label: string, action: () => void, disabled = false) => {
      const b = h('button', { type: 'button', class: 'small', 'aria-label': label, title: label, text, disabled });
      b.addEventListener('click', action);
      return b;
    };
    const t = ui().layersEditor;
    const focused = document.activeElement instanceof HTMLElement && box.contains(document.activeElement) ? document.activeElement.getAttribute('aria-label') : null;
    box.replaceChildren(
      ...layers.map((units, k) => h('div', { class: 'layer-edit' },
        button('−', t.removeUnit(k + 1), () => set(layers.map((u, i) => (i === k ? u - 1 : u))), units <= 1),
        h('span', { class: 'layer-units', text: units, 'aria-label': t.units(k + 1, units) }),
        button('+', t.addUnit(k + 1), () => set(layers.map((u, i) => (i === k ? u + 1 : u))), units >= 256),
      )),
      h('div', { class: 'layer-buttons' },
        button(t.addLayer.text, t.addLayer.title, () => set([...layers, layers.at(-1) ?? 4]), layers.length >= 6),
        button(t.removeLayer.text, t.removeLayer.title, () => set(layers.slice(0, -1)), layers.length === 0)),
    );
    if (focused !== null) (box.querySelector(`[aria-label="${focused}"]`) as HTMLElement | null)?.focus();
  }
}
