import type { FloatArray } from '../backend/index.js';
import type { Tensor } from '../tensor/tensor.js';
import { Optimizer, type Slot } from './optimizer.js';
import { NON_NEGATIVE, UNIT, booleanOption, numberOption, checkOptions } from '../util/checks.js';

/** Options of {@link RMSProp}; the names and defaults are torch.optim.RMSprop's. */
export interface RMSPropOptions {
  /** Learning rate η (default 0.01). */
  lr?: number;
  /** Decay rate α in [0, 1] of the squared-gradient average (default 0.99). */
  alpha?: number;
  /** ε ≥ 0 added to the root of the average (default 1e-8). */
  eps?: number;
  /** Momentum μ in [0, 1] applied to the normalised step (default 0). */
  momentum?: number;
  /** Divide by an estimate of the gradient's variance rather than its raw second moment (default false). */
  centered?: boolean;
  /** L2 penalty λ ≥ 0 added to the gradient as λ·w (default 0). */
  weightDecay?: number;
}

type RMSPropSettings = Required<RMSPropOptions>;

/**
 * RMSProp (Hinton), as torch.optim.RMSprop:
 * g ← ∇ + λw; s ← αs + (1−α)g²; a ← √s + ε, or √(s − ḡ²) + ε with
 * ḡ ← αḡ + (1−α)g when centered; then w ← w − ηg/a, or with momentum
 * b ← μb + g/a and w ← w − ηb.
 */
export class RMSProp extends Optimizer {
  readonly kind = 'rmsprop';
  readonly options: Readonly<RMSPropSettings>;

  constructor(params: readonly Tensor[], options: RMSPropOptions = {}) {
    const settings = resolve(options);
    const buffers: Record<string, number> = { squareAvg: 0 };
    if (settings.centered) buffers.gradAvg = 0;
    if (settings.momentum > 0) buffers.momentumBuffer = 0;
    super(params, settings.lr, buffers, 'options.lr');
    this.options = settings;
  }

  protected update(p: FloatArray, g: FloatArray, slot: Slot, n: number): void {
    const { alpha, eps, weightDecay, momentum } = this.options;
    const lr = this.lr;
    const square = slot.buffers.squareAvg!;
    const mean = slot.buffers.gradAvg;
    const buffer = slot.buffers.momentumBuffer;
    for (let i = 0; i < n; i++) {
      const gi = weightDecay === 0 ? g[i]! : g[i]! + weightDecay * p[i]!;
      square[i] = square[i]! * alpha + (1 - alpha) * gi * gi;
      let avg: number;
      if (mean === undefined) avg = Math.sqrt(square[i]!) + eps;
      else {
        mean[i] = mean[i]! * alpha + (1 - alpha) * gi;
        avg = Math.sqrt(square[i]! - mean[i]! * mean[i]!) + eps;
      }
      if (buffer === undefined) p[i] = p[i]! + (-lr * gi) / avg;
      else {
        buffer[i] = buffer[i]! * momentum + gi / avg;
        p[i] = p[i]! + -lr * buffer[i]!;
      }
    }
  }
}

function resolve(options: RMSPropOptions): RMSPropSettings {
  const o = checkOptions(options, ['lr', 'alpha', 'eps', 'momentum', 'centered', 'weightDecay']);
  return {
    lr: (o.lr ?? 0.01) as number,
    alpha: numberOption(o, 'alpha', 0.99, UNIT),
    eps: numberOption(o, 'eps', 1e-8, NON_NEGATIVE),
    momentum: numberOption(o, 'momentum', 0, UNIT),
    centered: booleanOption(o, 'centered', false),
    weightDecay: numberOption(o, 'weightDecay', 0, NON_NEGATIVE),
  };
}
