import { GlassnetError, describe } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';

/**
 * Updates parameters from their accumulated gradients. Optimizers see
 * tensors only, never layers.
 */
export abstract class Optimizer {
  readonly params: readonly Tensor[];
  /** Learning rate η; schedules may change it between steps. */
  lr: number;

  constructor(params: readonly Tensor[], lr: number) {
    checkLearningRate(lr);
    this.params = params;
    this.lr = lr;
  }

  /** Applies one update to every parameter that has a gradient. */
  abstract step(): void;

  /** Clears gradients before the next backward pass (they accumulate with +=). */
  zeroGrad(): void {
    for (const p of this.params) p.grad?.data.fill(0);
  }
}

/** @throws GlassnetError unless `lr` is a finite number > 0. */
export function checkLearningRate(lr: unknown, argument = 'lr'): number {
  if (typeof lr !== 'number' || !Number.isFinite(lr) || lr <= 0) {
    throw new GlassnetError({ code: 'range', argument, expected: 'a finite number > 0', found: describe(lr) });
  }
  return lr;
}
