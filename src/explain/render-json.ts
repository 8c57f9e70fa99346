/**
 * The explanation as a plain JSON-ready object with a versioned schema,
 * documented field by field in docs/explain.md. Numbers are full float64
 * values; only the formula strings are rounded to `precision`.
 */
import type { Detail } from './detail.js';
import type { Explanation } from './explain.js';
import type { ArticleValue, Section } from './derivation.js';
import type { Summary, Tables } from './tables.js';
import { messagesFor, noteText } from './messages/index.js';
import { exprText, symText, type RenderOptions } from './render-text.js';

/** The schema identifier; the number changes when a field changes meaning or disappears. */
export const EXPLAIN_SCHEMA = 'glassnet.explain/1';

/** One factor of a chain-rule product, in JSON. */
export interface FactorJSON {
  factor: string;
  equals?: string;
  value: number;
}

/** One derivation step, in JSON. */
export interface DerivationStepJSON {
  id: string;
  section: Section;
  quantity: string;
  formula: string;
  /** The formula with the network's own quantities put in (e.g. OUT(h2) for ∂NET(o1)/∂w6), when it differs. */
  expanded?: string;
  withNumbers: string;
  value: number;
  terms?: FactorJSON[][];
  article?: ArticleValue;
}

/** The whole explanation, in JSON: its settings, then every number by name (the {@link Tables}), then the derivation. */
export interface ExplanationJSON extends Tables {
  schema: typeof EXPLAIN_SCHEMA;
  iteration: number;
  network: { sizes: number[]; activations: string[]; loss: string; dtype: string; parameters: number; naming: string };
  lr: number;
  samples: number;
  detail: Detail;
  only: string[] | null;
  precision: number;
  summary: Summary;
  steps: DerivationStepJSON[];
  notes: string[];
}

/** The explanation as an object for `JSON.stringify`, schema `glassnet.explain/1`; its notes are in `options.lang` (default English). */
export function toJSON(expl: Explanation, options: RenderOptions = {}): ExplanationJSON {
  const precision = options.precision ?? 9;
  const m = messagesFor(options.lang);
  const text = (e: Parameters<typeof exprText>[0]): string => exprText(e, precision);
  return {
    schema: EXPLAIN_SCHEMA,
    iteration: expl.iteration,
    network: {
      sizes: expl.sizes,
      activations: expl.record.layers.map((l) => l.activation),
      loss: expl.record.loss.name,
      dtype: expl.record.dtype,
      parameters: expl.parameterCount,
      naming: expl.names.scheme,
    },
    lr: expl.record.lr,
    samples: expl.record.samples,
    detail: expl.detail,
    only: expl.only,
    precision,
    ...expl.tables,
    summary: expl.summary,
    steps: expl.steps.map((step) => ({
      id: step.id,
      section: step.section,
      quantity: symText(step.quantity),
      formula: text(step.formulas[0]!),
      ...(step.formulas.length > 1 ? { expanded: text(step.formulas[step.formulas.length - 1]!) } : {}),
      withNumbers: text(step.withNumbers),
      value: step.value,
      ...(step.terms === undefined ? {} : {
        terms: step.terms.map((factors) => factors.map((f) => ({ factor: symText(f.sym), ...(f.equals === undefined ? {} : { equals: text(f.equals) }), value: f.value }))),
      }),
      ...(step.article === undefined ? {} : { article: step.article }),
    })),
    notes: expl.notes.map((note) => noteText(m, note)),
  };
}
