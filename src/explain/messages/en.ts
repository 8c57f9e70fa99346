import type { Messages } from './types.js';

/** English. */
export const en: Messages = {
  step: (iteration, sizes, activations, loss, lr, samples) =>
    `Step ${iteration}: network ${sizes} (${activations}), ${loss}, η = ${lr}, ${samples === 1 ? '1 sample' : `${samples} samples`}`,
  sections: { forward: 'Forward pass', error: 'Error', backward: 'Backward pass (chain rule)', update: 'Update' },
  inputs: 'inputs',
  targets: 'targets',
  sample: (n) => `sample ${n}`,
  samples: 'sample',
  parameters: 'Parameters',
  parameter: 'parameter',
  before: 'before',
  after: 'after',
  fixed: 'fixed',
  summary: 'Summary',
  notes: 'Notes',
  parameterCount: (n) => `${n} parameters`,
  articlePrints: (printed, note) => `≠ the article prints ${printed}${note === undefined ? '' : ` (note ${note})`}`,
  articlePrintsHere: (printed, note) => `The article prints ${printed} here${note === undefined ? '' : ` (note ${note})`}.`,
  values: (n) => `${n} values (see --format json)`,
  note: {
    autograd: () => 'Every value is read from glassnet\'s own forward and backward pass (autograd); a gradient shown as a product of factors has the value autograd computed.',
    fixedBias: ({ names }) => `${names.join(', ')} ${names.length === 1 ? 'is' : 'are'} fixed (not trainable): no gradient, no update.`,
    sharedBias: ({ name, layer }) => `${name} is shared by all units of ${layer}: its gradient sums ∂E/∂NET over them.`,
    linear: ({ layer }) => `${layer} is linear: OUT = NET, so ∂OUT/∂NET = 1.`,
    softmaxInLoss: () => 'softmaxCrossEntropy applies softmax inside the loss: the output layer gives NET = OUT (logits), p = softmax(OUT), and ∂E/∂OUT = (p − t)/samples.',
    averaged: ({ samples }) => `The error is averaged over the ${samples} samples (the 1/${samples} is inside ∂E/∂OUT); a gradient sums its per-sample products.`,
    float32: () => 'The model computes in float32: values carry float32 rounding (about 7 significant digits).',
    articleDiffers: ({ quantity, printed, computed, rounded, decimals, slip }) =>
      `The article prints ${quantity} = ${printed}; glassnet computes ${computed} (${rounded} at the article's ${decimals} decimals): ${slip === null ? 'no reason recorded' : en.slips[slip]}.`,
    refused: ({ by, samples, parameters, limit }) => `Full detail refused for ${by === 'samples'
      ? `${samples} samples (limit ${limit}): explain fewer samples`
      : `${parameters} parameters (limit ${limit} without a selection): pick units or parameters with only (--only), e.g. --only w1.1.1,h1.1`}. Shown: the summary.`,
  },
  slips: {
    truncatedProduct: 'the article cut 0.35·0.601327636 = 0.2104646726 to 0.210464672 before adding; the exact sum 1.0911505256 rounds to 1.091150526',
    halvedTwice: 'the article halved twice: ¼·(0.5 − 0.748598311)² = 0.01545028, but ½·(0.5 − 0.748598311)² = 0.030900560 (its E(o2) uses ½ correctly)',
    addsHalvedTwice: 'it adds the halved-twice E(o1); with E(o1) = 0.030900560 the total is 0.040733806. The gradients do not use E(o1), so the update is unaffected',
  },
  summaryColumns: ['layer', 'units', 'activation'],
};
