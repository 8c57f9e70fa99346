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
};
