import type { FloatArray } from '../backend/index.js';
import type { Tensor } from '../tensor/tensor.js';
import { Optimizer, type Slot } from './optimizer.js';
import { NON_NEGATIVE, numberOption, checkOptions } from '../util/checks.js';

/** Options of {@link Adagrad}; the names and defaults are torch.optim.Adagrad's. */
export interface AdagradOptions {
  /** Learning rate η (default 0.01). */
  lr?: number;
  /** Decay κ ≥ 0 of the rate with the update count t: η/(1 + (t−1)κ) (default 0). */
  lrDecay?: number;
  /** ε ≥ 0 added to the root of the accumulated squares (default 1e-10). */
  eps?: number;
  /** L2 penalty λ ≥ 0 added to the gradient as λ·w (default 0). */
  weightDecay?: number;
  /** Starting value ≥ 0 of every accumulator (default 0). */
  initialAccumulatorValue?: number;
}

type AdagradSettings = Required<AdagradOptions>;

/**
 * Adagrad (Duchi et al.), as torch.optim.Adagrad: g ← ∇ + λw; s ← s + g²;
 * w ← w − η/(1 + (t−1)κ) · g / (√s + ε).
 */
export class Adagrad extends Optimizer {
  readonly kind = 'adagrad';
  readonly options: Readonly<AdagradSettings>;

  constructor(params: readonly Tensor[], options: AdagradOptions = {}) {
    const settings = resolve(options);
    super(params, settings.lr, { sum: settings.initialAccumulatorValue }, 'options.lr');
    this.options = settings;
  }

  protected update(p: FloatArray, g: FloatArray, slot: Slot, n: number): void {
    const { lrDecay, eps, weightDecay } = this.options;
    const rate = this.lr / (1 + (slot.step - 1) * lrDecay);
    const sum = slot.buffers.sum!;
    for (let i = 0; i < n; i++) {
      const gi = weightDecay === 0 ? g[i]! : g[i]! + weightDecay * p[i]!;
      sum[i] = sum[i]! + gi * gi;
      p[i] = p[i]! + (-rate * gi) / (Math.sqrt(sum[i]!) + eps);
    }
  }
}

function resolve(options: AdagradOptions): AdagradSettings {
  const o = checkOptions(options, ['lr', 'lrDecay', 'eps', 'weightDecay', 'initialAccumulatorValue']);
  return {
    lr: (o.lr ?? 0.01) as number,
    lrDecay: numberOption(o, 'lrDecay', 0, NON_NEGATIVE),
    eps: numberOption(o, 'eps', 1e-10, NON_NEGATIVE),
    weightDecay: numberOption(o, 'weightDecay', 0, NON_NEGATIVE),
    initialAccumulatorValue: numberOption(o, 'initialAccumulatorValue', 0, NON_NEGATIVE),
  };
}
