/**
 * The entry point: runs one real training step under a trace and gathers
 * everything an explanation holds (the derivation, the tables, the summary
 * and the notes), shown at the detail the network's size allows.
 */
import { GlassnetError, describeValue } from '../errors.js';
import { checkInteger } from '../util/checks.js';
import type { Sequential } from '../nn/model.js';
import type { NestedNumbers, Tensor } from '../tensor/tensor.js';
import { deriveSteps } from './derive.js';
import { DETAIL_LIMITS, select, type Detail } from './detail.js';
import { allNames, namesFor, type Names, type UserNames } from './naming.js';
import { compareWithArticle, generalNotes, isArticleStep, refusal, type Note } from './notes.js';
import type { DerivationStep } from './derivation.js';
import { summarize, tables, type Summary, type Tables } from './tables.js';
import { traceTrainingStep, type RecordOptions, type TrainingTrace } from './trace.js';

/** A training step, explained. */
export interface Explanation {
  /** Which step of a run this is (1-based). */
  iteration: number;
  /** Layer sizes, inputs first. */
  sizes: number[];
  names: Names;
  record: TrainingTrace;
  parameterCount: number;
  detail: Detail;
  only: string[] | null;
  /** The derivation, in reading order (only the selected steps when `only` is given; none in summary detail). */
  steps: DerivationStep[];
  tables: Tables;
  summary: Summary;
  /** What a reader must know to follow it, as data; the renderers word them in their language ({@link noteText}). */
  notes: Note[];
}

/** Options of {@link explainStep}. */
export interface ExplainOptions extends RecordOptions {
  /** Renames, default name → new name (e.g. `{ o1: "cat" }`). */
  names?: UserNames;
  /** Show only the steps about these units or parameters (and the chain-rule factors their gradients use). */
  only?: readonly string[];
  /** Step number to report (default 1). */
  iteration?: number;
}

/**
 * Runs ONE real SGD training step of `model` (it IS updated, as by
 * `trainStep`) and explains it: every neuron's NET and OUT, the errors,
 * every chain-rule factor and gradient, and the update, all read from the
 * library's own forward and backward pass.
 * @throws GlassnetError for bad arguments, before the model changes.
 */
export function explainStep(model: Sequential, x: NestedNumbers | Tensor, t: NestedNumbers | Tensor, options: ExplainOptions = {}): Explanation {
  const names = namesFor(model, options.names);
  const only = options.only === undefined ? null : checkOnly(names, options.only);
  const iteration = checkInteger(options.iteration ?? 1, 1, 'options.iteration');
  const record = traceTrainingStep(model, x, t, options);
  const parameterCount = model.parameters().reduce((n, p) => n + p.size, 0);
  const tooBig = parameterCount > DETAIL_LIMITS.parameters;
  const detail: Detail = record.samples > DETAIL_LIMITS.samples || (tooBig && only === null) ? 'summary' : only === null ? 'full' : 'selected';

  const all = deriveSteps(record, names);
  const notes = generalNotes(record, names);
  if (isArticleStep(record, names, options.names ?? {})) notes.push(...compareWithArticle(all, notes.length));
  if (detail === 'summary') notes.push(refusal(parameterCount, record.samples));
  const inTables = tooBig ? new Set(only ?? []) : null;
  return {
    iteration,
    sizes: [record.inputs[0]!.length, ...record.layers.map((l) => l.out[0]!.length)],
    names,
    record,
    parameterCount,
    detail,
    only,
    steps: detail === 'summary' ? [] : only === null ? all : select(all, names, only),
    tables: tables(record, names, inTables),
    summary: summarize(record),
    notes,
  };
}

function checkOnly(names: Names, only: readonly string[]): string[] {
  const selectable = new Set(allNames(names).filter((n) => !names.inputs.includes(n)));
  for (const name of only) {
    if (!selectable.has(name)) {
      throw new GlassnetError({ code: 'unknown-name', argument: 'only', expected: 'names of units or parameters of this network (e.g. h1, o1, w6)', found: describeValue(name) });
    }
  }
  if (only.length === 0) throw new GlassnetError({ code: 'empty', argument: 'only', expected: 'at least one name', found: 'an empty list' });
  return [...only];
}
