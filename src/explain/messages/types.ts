import type { ArticleSlip } from '../../data/article.js';
import type { Note, NoteKind } from '../notes.js';
import type { Section } from '../derivation.js';

/**
 * The words of an explanation, one table per language, so that a new
 * language is one new file. Numbers and formulas are never in a table:
 * they are rendered the same in every language.
 */
export interface Messages {
  /** The header line: step number, network, loss, learning rate, samples. */
  step(iteration: number, sizes: string, activations: string, loss: string, lr: string, samples: number): string;
  sections: Record<Section, string>;
  /** Label of the inputs row (`inputs: i1 = …`). */
  inputs: string;
  targets: string;
  /** "sample 2" of a batch. */
  sample(n: number): string;
  /** Heading of the samples column. */
  samples: string;
  parameters: string;
  parameter: string;
  before: string;
  after: string;
  /** A parameter that is not trained. */
  fixed: string;
  summary: string;
  notes: string;
  /** The summary's line: the loss and the parameter count. */
  parameterCount(n: number): string;
  /** Under a step whose number the article prints differently. */
  articlePrints(printed: string, note: number | undefined): string;
  /** The same as a sentence (Markdown). */
  articlePrintsHere(printed: string, note: number | undefined): string;
  /** When a sample has too many values to list. */
  values(n: number): string;
  /** Every kind of note, worded: the compiler asks each language for each kind. */
  note: { [K in NoteKind]: (note: Extract<Note, { kind: K }>) => string };
  /** The article's slips, as the notes explain them. */
  slips: Record<ArticleSlip, string>;
  /** Column headings of the summary table: layer, units, activation. */
  summaryColumns: readonly [string, string, string];
}

