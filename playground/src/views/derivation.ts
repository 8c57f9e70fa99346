/**
 * "The math": the selected unit or weight's chain rule, typeset with KaTeX
 * from explain's Markdown (copyable as is); for the article's step, the
 * article's printed numbers beside glassnet's with the reasons for the
 * three that differ; and the parameter table.
 */
import { ARTICLE_PRINTED } from 'glassnet';
import { formatNumber, messagesFor, toJSON, type Explanation, type Names } from 'glassnet/explain';
import { h } from '../dom.js';
import { language, ui } from '../i18n/index.js';
import { markdownToHtml } from '../markdown.js';
import { num, short } from '../format.js';
import type { Explained, Snapshot } from '../protocol.js';

export class DerivationView {
  private markdown = '';
  private readonly body: HTMLElement;
  private readonly title: HTMLElement;
  private readonly note: HTMLElement;
  private readonly article: HTMLElement;
  private readonly copy: HTMLButtonElement;
  private readonly copied: HTMLElement;
  private explained: Explained | null = null;

  constructor(root: HTMLElement) {
    this.title = h('h3', { id: 'derivation-title', text: ui().derivation.prompt });
    this.copy = h('button', { type: 'button', id: 'copy-markdown', title: ui().derivation.copy.title, text: ui().derivation.copy.text });
    this.copied = h('span', { class: 'muted', role: 'status' });
    this.copy.addEventListener('click', () => void this.copyMarkdown());
    this.body = h('div', { id: 'derivation', class: 'derivation', 'aria-live': 'polite' });
    this.note = h('p', { class: 'note', id: 'explain-note' });
    this.article = h('div', { id: 'article-compare' });
    root.append(h('div', { class: 'derivation-head' }, this.title, this.copy, this.copied), this.note, this.body, this.article);
  }

  /** The Markdown shown, for tests and the copy button. */
  get text(): string {
    return this.markdown;
  }

  /** The words in the current language (the derivation itself comes re-rendered from the worker). */
  relabel(): void {
    const t = ui().derivation;
    this.copy.textContent = t.copy.text;
    this.copy.title = t.copy.title;
    this.copied.textContent = '';
    if (this.explained !== null) this.update(this.explained);
    else this.title.textContent = t.prompt;
  }

  update(explained: Explained): void {
    this.explained = explained;
    const t = ui().derivation;
    this.note.textContent = explained.note;
    const d = explained.derivation;
    this.markdown = d?.markdown ?? '';
    this.copy.disabled = d === null;
    this.title.textContent = d === null ? t.promptChain : t.title(d.name, d.which);
    this.body.innerHTML = d === null ? '' : markdownToHtml(d.markdown);
    this.body.dataset['name'] = d?.name ?? '';
    this.drawArticle(explained.last ?? explained.pending);
  }

  private drawArticle(expl: Explanation | null): void {
    this.article.replaceChildren();
    if (expl === null || !expl.steps.some((s) => s.article !== undefined)) return;
    // The computed value of each printed quantity, read from the explanation's JSON by the printed entry's path.
    const json = toJSON(expl) as unknown as Record<string, unknown>;
    const at = (path: string): number | undefined => {
      const [table, key, field] = path.split('.') as [string, string, string | undefined];
      const entry = (json[table] as Record<string, unknown> | undefined)?.[key];
      const value = field === undefined ? entry : (entry as Record<string, unknown> | undefined)?.[field];
      return typeof value === 'number' ? value : undefined;
    };
    const t = ui().derivation;
    const slips = messagesFor(language()).slips;
    const rows = ARTICLE_PRINTED.map((p) => {
      const computed = at(p.path);
      const decimals = p.printed.split('.')[1]?.length ?? 0;
      const shown = computed === undefined ? '—' : formatNumber(computed, decimals);
      const agrees = shown === p.printed;
      return h('tr', { class: agrees ? '' : 'differs' },
        h('td', { text: p.quantity }), h('td', { text: p.printed }), h('td', { text: computed === undefined ? '—' : num(computed) }),
        h('td', { text: agrees ? t.agrees : `≠ ${p.slip === undefined ? '' : slips[p.slip]}` }));
    });
    this.article.append(
      h('h3', { text: t.article }),
      h('p', { class: 'muted', text: t.articleIntro }),
      h('table', { class: 'article-table' }, h('tr', {}, ...t.articleColumns.map((text) => h('th', { text }))), ...rows),
    );
  }

  private async copyMarkdown(): Promise<void> {
    try {
      await navigator.clipboard.writeText(this.markdown);
      this.copied.textContent = ui().derivation.copied;
    } catch {
      this.copied.textContent = ui().derivation.copyBlocked;
      this.body.append(h('textarea', { class: 'md-source', rows: 8, 'aria-label': ui().derivation.markdownLabel }, this.markdown));
    }
  }
}

/** Networks up to this many parameters get the table; larger ones are reached through the diagram's keyboard navigation. */
const PARAMETER_TABLE_LIMIT = 80;

/** The parameter table: every weight and bias with its value and last gradient; buttons select it. */
export class ParametersView {
  private cells = new Map<string, { value: HTMLElement; grad: HTMLElement; button: HTMLButtonElement }>();
  private order: { name: string; layer: number; kind: 'weight' | 'bias'; index: number }[] = [];

  constructor(private readonly root: HTMLElement, private readonly select: (name: string) => void) {}

  build(names: Names | null, parameterCount: number): void {
    this.root.replaceChildren();
    this.cells.clear();
    this.order = [];
    const t = ui().parameters;
    if (names === null || parameterCount > PARAMETER_TABLE_LIMIT) {
      this.root.append(h('p', { class: 'muted', text: t.tooMany(PARAMETER_TABLE_LIMIT) }));
      return;
    }
    const table = h('table', { class: 'params', id: 'params' }, h('tr', {}, ...t.columns.map((text) => h('th', { text }))));
    names.weights.forEach((layer, k) => {
      layer.flat().forEach((name, index) => this.order.push({ name, layer: k, kind: 'weight', index }));
      (names.biases[k] ?? []).forEach((name, index) => this.order.push({ name, layer: k, kind: 'bias', index }));
    });
    for (const p of this.order) {
      const button = h('button', { type: 'button', class: 'link-button', text: p.name, title: t.show(p.name) });
      button.addEventListener('click', () => this.select(p.name));
      const value = h('td', { class: 'param-value', 'data-param': p.name });
      const grad = h('td', { class: 'param-grad' });
      table.append(h('tr', {}, h('td', {}, button), value, grad));
      this.cells.set(p.name, { value, grad, button });
    }
    this.root.append(table);
  }

  update(snapshot: Snapshot): void {
    const dense = snapshot.session.layers.filter((l) => l.kind === 'dense');
    for (const p of this.order) {
      const layer = dense[p.layer]!;
      const values = p.kind === 'weight' ? layer.weight : layer.bias;
      const grads = p.kind === 'weight' ? layer.weightGrad : layer.biasGrad;
      const cell = this.cells.get(p.name)!;
      cell.value.textContent = values === undefined ? '—' : num(values[p.index]!);
      cell.grad.textContent = grads === undefined ? ui().parameters.fixed : snapshot.session.steps === 0 ? '—' : short(grads[p.index]!);
    }
  }
}
