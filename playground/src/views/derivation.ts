/**
 * "The math": the selected unit or weight's chain rule, typeset with KaTeX
 * from explain's Markdown (copyable as is); for the article's step, the
 * article's printed numbers beside glassnet's with the reasons for the
 * three that differ; and the parameter table.
 */
import { ARTICLE_PRINTED } from 'glassnet';
import { formatNumber, toJSON, type Explanation, type Names } from 'glassnet/explain';
import { h } from '../dom.js';
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

  constructor(root: HTMLElement) {
    this.title = h('h3', { id: 'derivation-title', text: 'Click a unit or a weight' });
    this.copy = h('button', { type: 'button', id: 'copy-markdown', title: 'Copy this derivation as Markdown with LaTeX (GitHub and KaTeX render it).', text: 'Copy as Markdown' });
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

  update(explained: Explained): void {
    this.note.textContent = explained.note;
    const d = explained.derivation;
    this.markdown = d?.markdown ?? '';
    this.copy.disabled = d === null;
    this.title.textContent = d === null ? 'Click a unit or a weight for its chain rule'
      : `${d.name}: ${d.which === 'last' ? 'the step just taken' : 'the next step'}`;
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
    const rows = ARTICLE_PRINTED.map((p) => {
      const computed = at(p.path);
      const decimals = p.printed.split('.')[1]?.length ?? 0;
      const shown = computed === undefined ? '—' : formatNumber(computed, decimals);
      const agrees = shown === p.printed;
      return h('tr', { class: agrees ? '' : 'differs' },
        h('td', { text: p.quantity }), h('td', { text: p.printed }), h('td', { text: computed === undefined ? '—' : num(computed) }),
        h('td', { text: agrees ? '✓ agrees' : `≠ ${p.why ?? ''}` }));
    });
    this.article.append(
      h('h3', { text: 'Beside the article' }),
      h('p', { class: 'muted', text: 'Every number the article prints for its step, next to glassnet\'s (compared at the article\'s decimals). Three differ; the reason for each was found by redoing the article\'s arithmetic.' }),
      h('table', { class: 'article-table' }, h('tr', {}, h('th', { text: 'quantity' }), h('th', { text: 'article' }), h('th', { text: 'glassnet' }), h('th', { text: '' })), ...rows),
    );
  }

  private async copyMarkdown(): Promise<void> {
    try {
      await navigator.clipboard.writeText(this.markdown);
      this.copied.textContent = 'copied';
    } catch {
      this.copied.textContent = 'copying is blocked here: select the text below';
      this.body.append(h('textarea', { class: 'md-source', rows: 8, 'aria-label': 'derivation as Markdown' }, this.markdown));
    }
  }
}

/** The parameter table: every weight and bias with its value and last gradient; buttons select it. */
export class ParametersView {
  private cells = new Map<string, { value: HTMLElement; grad: HTMLElement; button: HTMLButtonElement }>();
  private order: { name: string; layer: number; kind: 'weight' | 'bias'; index: number }[] = [];

  constructor(private readonly root: HTMLElement, private readonly select: (name: string) => void) {}

  build(names: Names | null, parameterCount: number): void {
    this.root.replaceChildren();
    this.cells.clear();
    this.order = [];
    if (names === null || parameterCount > 80) {
      this.root.append(h('p', { class: 'muted', text: 'The parameter table is shown for networks of up to 80 parameters; click a unit or weight in the diagram instead.' }));
      return;
    }
    const table = h('table', { class: 'params', id: 'params' }, h('tr', {}, h('th', { text: 'parameter' }), h('th', { text: 'value' }), h('th', { text: 'last ∂E/∂p' })));
    names.weights.forEach((layer, k) => {
      layer.flat().forEach((name, index) => this.order.push({ name, layer: k, kind: 'weight', index }));
      (names.biases[k] ?? []).forEach((name, index) => this.order.push({ name, layer: k, kind: 'bias', index }));
    });
    for (const p of this.order) {
      const button = h('button', { type: 'button', class: 'link-button', text: p.name, title: `Show the chain rule of ${p.name}` });
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
      cell.grad.textContent = grads === undefined ? 'fixed' : snapshot.session.steps === 0 ? '—' : short(grads[p.index]!);
    }
  }
}
