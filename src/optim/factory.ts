import { checkOneOf } from '../util/checks.js';
import type { Tensor } from '../tensor/tensor.js';
import { Adagrad, type AdagradOptions } from './adagrad.js';
import { Adam, AdamW, type AdamOptions } from './adam.js';
import type { Optimizer } from './optimizer.js';
import { RMSProp, type RMSPropOptions } from './rmsprop.js';
import { SGD, type SGDOptions } from './sgd.js';

/** Names accepted by {@link createOptimizer} (and the CLI's `--optimizer`). */
export const OPTIMIZERS = ['sgd', 'momentum', 'adam', 'adamw', 'rmsprop', 'adagrad'] as const;

/** One of {@link OPTIMIZERS}. `"momentum"` is SGD with momentum 0.9 unless the options say otherwise. */
export type OptimizerName = (typeof OPTIMIZERS)[number];

/** The options each optimizer name takes. */
export interface OptimizerOptionsMap {
  sgd: SGDOptions;
  momentum: SGDOptions;
  adam: AdamOptions;
  adamw: AdamOptions;
  rmsprop: RMSPropOptions;
  adagrad: AdagradOptions;
}

/**
 * Builds an optimizer by name. `createOptimizer(state.kind, params,
 * state.options)` rebuilds one from a saved {@link OptimizerState}.
 * @throws GlassnetError `unknown-name` listing the valid names, or the optimizer's own option errors.
 */
export function createOptimizer<N extends OptimizerName>(name: N, params: readonly Tensor[], options?: OptimizerOptionsMap[N]): Optimizer;
export function createOptimizer(name: OptimizerName, params: readonly Tensor[], options: object = {}): Optimizer {
  switch (checkOneOf(OPTIMIZERS, name, 'name')) {
    case 'sgd':
      return new SGD(params, options as SGDOptions);
    case 'momentum':
      // A non-object goes through unchanged so SGD reports it.
      return new SGD(params, (isPlainObject(options) ? { momentum: 0.9, ...options } : options) as SGDOptions);
    case 'adam':
      return new Adam(params, options);
    case 'adamw':
      return new AdamW(params, options);
    case 'rmsprop':
      return new RMSProp(params, options);
    case 'adagrad':
      return new Adagrad(params, options);
  }
}

function isPlainObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
