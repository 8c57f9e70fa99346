/**
 * The notes under an explanation: what a reader must know to follow it
 * (fixed or shared biases, linear layers, averaging, float32), and, for the
 * article's own network and step, each number the article prints beside
 * the computed one.
 */
import { ARTICLE, ARTICLE_PRINTED } from '../data/article.js';
import type { Names, UserNames } from './naming.js';
import type { DerivationStep } from './derivation.js';
import type { LayerRecord, TrainingTrace } from './trace.js';

/** The notes every explanation of this network and step carries, whatever its detail. */
export function generalNotes(record: TrainingTrace, names: Names): string[] {
  const notes = ['Every value is read from glassnet\'s own forward and backward pass (autograd); a gradient shown as a product of factors has the value autograd computed.'];
  record.layers.forEach((layer, k) => {
    const biases = names.biases[k];
    if (layer.bias !== null && biases !== null && biases !== undefined) {
      const which = biases.join(', ');
      if (!layer.bias.trainable) notes.push(`${which} ${biases.length === 1 ? 'is' : 'are'} fixed (not trainable): no gradient, no update.`);
      else if (layer.bias.shared) notes.push(`${which} is shared by all units of ${layer.name}: its gradient sums ∂E/∂NET over them.`);
    }
    if (layer.activation === 'linear') notes.push(`${layer.name} is linear: OUT = NET, so ∂OUT/∂NET = 1.`);
  });
  if (record.loss.name === 'softmaxCrossEntropy') {
    notes.push('softmaxCrossEntropy applies softmax inside the loss: the output layer gives NET = OUT (logits), p = softmax(OUT), and ∂E/∂OUT = (p − t)/samples.');
  }
  if (record.samples > 1) notes.push(`The error is averaged over the ${record.samples} samples (the 1/${record.samples} is inside ∂E/∂OUT); a gradient sums its per-sample products.`);
  if (record.dtype === 'float32') notes.push('The model computes in float32: values carry float32 rounding (about 7 significant digits).');
  return notes;
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
 * disagreement, with the reason recorded in ARTICLE_PRINTED.
 */
export function compareWithArticle(steps: DerivationStep[], firstNote: number): string[] {
  const notes: string[] = [];
  for (const printed of ARTICLE_PRINTED) {
    const step = steps.find((s) => s.id === printed.path);
    if (step === undefined) continue;
    const decimals = printed.printed.split('.')[1]?.length ?? 0;
    const rounded = step.value.toFixed(decimals);
    const agrees = rounded === printed.printed;
    step.article = { printed: printed.printed, agrees, ...(agrees ? {} : { note: firstNote + notes.length }) };
    if (!agrees) {
      notes.push(`The article prints ${printed.quantity} = ${printed.printed}; glassnet computes ${step.value} (${rounded} at the article's ${decimals} decimals): ${printed.why ?? 'no reason recorded'}.`);
    }
  }
  return notes;
}
