/**
 * The notes under an explanation: what a reader must know to follow it
 * (fixed or shared biases, linear layers, averaging, float32), and, for the
 * article's own network and step, each number the article prints beside
 * the computed one.
 */
import { ARTICLE, ARTICLE_PRINTED, type ArticleSlip } from '../data/article.js';
import { DETAIL_LIMITS } from './detail.js';
import type { Names, UserNames } from './naming.js';
import type { DerivationStep } from './derivation.js';
import type { LayerRecord, TrainingTrace } from './trace.js';

/**
 * A note under an explanation, as data: each language's message table
 * (`messages/*.ts`) words every kind, so the notes follow `--lang` like the
 * rest of the text.
 */
export type Note =
  /** Where every value comes from. */
  | { kind: 'autograd' }
  /** Biases that are not trained. */
  | { kind: 'fixedBias'; names: string[] }
  /** One bias shared by all units of a layer. */
  | { kind: 'sharedBias'; name: string; layer: string }
  | { kind: 'linear'; layer: string }
  /** softmaxCrossEntropy: the softmax is inside the loss. */
  | { kind: 'softmaxInLoss' }
  /** The error is a mean over this many samples. */
  | { kind: 'averaged'; samples: number }
  | { kind: 'float32' }
  /** A number the article prints differently, and why. */
  | { kind: 'articleDiffers'; quantity: string; printed: string; computed: number; decimals: number; rounded: string; slip: ArticleSlip | null }
  /** Full detail refused: too many samples, or too many parameters without a selection. */
  | { kind: 'refused'; samples: number; parameters: number; limit: number; by: 'samples' | 'parameters' };

export type NoteKind = Note['kind'];

/** The notes every explanation of this network and step carries, whatever its detail. */
export function generalNotes(record: TrainingTrace, names: Names): Note[] {
  const notes: Note[] = [{ kind: 'autograd' }];
  record.layers.forEach((layer, k) => {
    const biases = names.biases[k];
    if (layer.bias !== null && biases !== null && biases !== undefined) {
      if (!layer.bias.trainable) notes.push({ kind: 'fixedBias', names: [...biases] });
      else if (layer.bias.shared) notes.push({ kind: 'sharedBias', name: biases.join(', '), layer: layer.name });
    }
    if (layer.activation === 'linear') notes.push({ kind: 'linear', layer: layer.name });
  });
  if (record.loss.name === 'softmaxCrossEntropy') notes.push({ kind: 'softmaxInLoss' });
  if (record.samples > 1) notes.push({ kind: 'averaged', samples: record.samples });
  if (record.dtype === 'float32') notes.push({ kind: 'float32' });
  return notes;
}

/** The note that says why full detail was refused, and how to get it. */
export function refusal(parameters: number, samples: number): Note {
  return samples > DETAIL_LIMITS.samples
    ? { kind: 'refused', samples, parameters, limit: DETAIL_LIMITS.samples, by: 'samples' }
    : { kind: 'refused', samples, parameters, limit: DETAIL_LIMITS.parameters, by: 'parameters' };
}

/**
 * Whether this is the article's own step: its network, weights, data and
 * learning rate under the default names, so its printed numbers apply.
 */
export function isArticleStep(record: TrainingTrace, names: Names, userNames: UserNames): boolean {
  if (names.scheme !== 'article' || Object.keys(userNames).length > 0) return false;
  const [hidden, output] = record.layers;
  const same = (a: readonly (readonly number[])[], b: readonly (readonly number[])[]): boolean =>
    a.length === b.length && a.every((row, i) => row.length === b[i]!.length && row.every((v, j) => v === b[i]![j]));
  const fixedShared = (layer: LayerRecord, value: number): boolean =>
    layer.bias !== null && layer.bias.shared && !layer.bias.trainable && layer.bias.values[0] === value;
  return record.samples === 1 && record.loss.name === 'squaredError' && record.lr === ARTICLE.learningRate
    && same(record.inputs, [ARTICLE.inputs]) && same(record.targets, [ARTICLE.targets])
    && hidden!.activation === 'sigmoid' && output!.activation === 'sigmoid'
    && same(hidden!.weight, ARTICLE.hiddenWeights) && same(output!.weight, ARTICLE.outputWeights)
    && fixedShared(hidden!, ARTICLE.hiddenBias) && fixedShared(output!, ARTICLE.outputBias);
}

/**
 * Holds each number the article prints beside the computed one, at the
 * article's own precision; marks the steps and returns a note for each
 * disagreement, naming the slip recorded in ARTICLE_PRINTED.
 */
export function compareWithArticle(steps: DerivationStep[], firstNote: number): Note[] {
  const notes: Note[] = [];
  for (const printed of ARTICLE_PRINTED) {
    const step = steps.find((s) => s.id === printed.path);
    if (step === undefined) continue;
    const decimals = printed.printed.split('.')[1]?.length ?? 0;
    const rounded = step.value.toFixed(decimals);
    const agrees = rounded === printed.printed;
    step.article = { printed: printed.printed, agrees, ...(agrees ? {} : { note: firstNote + notes.length }) };
    if (!agrees) {
      notes.push({ kind: 'articleDiffers', quantity: printed.quantity, printed: printed.printed, computed: step.value, decimals, rounded, slip: printed.slip ?? null });
    }
  }
  return notes;
}
