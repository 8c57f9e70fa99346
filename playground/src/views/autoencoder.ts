/** An auto-encoder: each input beside its code and its reconstruction. */
import { h } from '../dom.js';
import { divergingCss } from '../palette.js';
import { short } from '../format.js';
import type { RunInfo, Snapshot } from '../protocol.js';
import { ui } from '../i18n/index.js';

export class AutoencoderView {
  private rows: { code: HTMLElement; output: HTMLElement }[] = [];

  constructor(private readonly root: HTMLElement) {}

  build(info: RunInfo): void {
    this.root.replaceChildren();
    this.rows = [];
    this.root.hidden = info.codes === null;
    if (info.codes === null) return;
    const t = ui().autoencoder;
    const table = h('table', { class: 'autoencoder', title: t.title });
    table.append(h('tr', {}, ...t.columns.map((text) => h('th', { text }))));
    for (const input of info.codes) {
      const code = h('td', { class: 'code' });
      const output = h('td', {});
      table.append(h('tr', {}, h('td', {}, cells(input)), code, output));
      this.rows.push({ code, output });
    }
    this.root.append(h('h3', { text: t.heading }), table);
  }

  update(snapshot: Snapshot): void {
    const r = snapshot.reconstructions;
    if (r === null) return;
    this.rows.forEach((row, i) => {
      row.code.textContent = r.codes[i]!.map(short).join(' ');
      row.output.replaceChildren(cells(r.outputs[i]!));
    });
  }
}

function cells(values: number[]): HTMLElement {
  return h('span', { class: 'bits' }, ...values.map((v) => h('span', { class: 'bit', style: `background:${divergingCss(2 * v - 1)}`, title: short(v) })));
}
