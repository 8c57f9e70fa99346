import { getBackend, type FloatArray } from '../backend/index.js';
import { GlassnetError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { Optimizer, type Slot } from './optimizer.js';
import { NON_NEGATIVE, UNIT, booleanOption, numberOption, checkOptions } from '../util/checks.js';

/** Options of {@link SGD}; the names and defaults are torch.optim.SGD's. */
export interface SGDOptions {
  /** Learning rate η (required). */
  lr: number;
  /** Momentum μ in [0, 1] (default 0: plain gradient descent). */
  momentum?: number;
  /** Dampening τ in [0, 1] of the gradient added to the momentum buffer (default 0). */
  dampening?: number;
  /** L2 penalty λ ≥ 0 added to the gradient as λ·w (default 0). */
  weightDecay?: number;
  /** Nesterov momentum (default false; needs momentum > 0 and dampening 0). */
  nesterov?: boolean;
}

type SGDSettings = Required<SGDOptions>;

/**
 * Stochastic gradient descent with optional momentum, Nesterov momentum
 * and weight decay, following torch.optim.SGD step for step:
 * g ← ∇ + λw; b ← g on the first step, else μb + (1−τ)g;
 * g ← g + μb (Nesterov) or b; w ← w − η·g.
 * With no momentum and no decay this is the article's rule w ← w − η·∂E/∂w.
 */
export class SGD extends Optimizer {
  readonly kind = 'sgd';
  readonly options: Readonly<SGDSettings>;

  /** `options` may be just the learning rate. */
  constructor(params: readonly Tensor[], options: SGDOptions | number) {
    const settings = resolve(options);
    super(params, settings.lr, settings.momentum === 0 ? {} : { momentumBuffer: 0 }, typeof options === 'number' ? 'lr' : 'options.lr');
    this.options = settings;
  }

  /** True when an update is exactly `w ← w − η·g` (no momentum, no weight decay): what a fused training step may apply itself. */
  get plain(): boolean {
    return this.options.momentum === 0 && this.options.weightDecay === 0;
  }

  protected update(p: FloatArray, g: FloatArray, slot: Slot, n: number): void {
    const { momentum, dampening, weightDecay, nesterov } = this.options;
    const lr = this.lr;
    if (this.plain) {
      getBackend().axpy(p, g, -lr, n);
      return;
    }
    // One fused pass per parameter, in torch's operation order, so float64
    // trajectories agree to the last bits and nothing is allocated.
    const buffer = slot.buffers.momentumBuffer;
    const first = slot.step === 1;
    for (let i = 0; i < n; i++) {
      let d = weightDecay === 0 ? g[i]! : g[i]! + weightDecay * p[i]!;
      if (buffer !== undefined) {
        buffer[i] = first ? d : buffer[i]! * momentum + (1 - dampening) * d;
        d = nesterov ? d + momentum * buffer[i]! : buffer[i]!;
      }
      p[i] = p[i]! + -lr * d;
    }
  }
}

function resolve(options: SGDOptions | number): SGDSettings {
  const o = checkOptions(typeof options === 'number' ? { lr: options } : options, ['lr', 'momentum', 'dampening', 'weightDecay', 'nesterov']);
  const settings: SGDSettings = {
    // Optimizer's constructor checks lr, naming it as the caller wrote it.
    lr: o.lr as number,
    momentum: numberOption(o, 'momentum', 0, UNIT),
    dampening: numberOption(o, 'dampening', 0, UNIT),
    weightDecay: numberOption(o, 'weightDecay', 0, NON_NEGATIVE),
    nesterov: booleanOption(o, 'nesterov', false),
  };
  if (settings.nesterov && (settings.momentum === 0 || settings.dampening !== 0)) {
    throw new GlassnetError({
      code: 'range', argument: 'options.nesterov', expected: 'momentum > 0 and dampening 0 when nesterov is true',
      found: `momentum ${settings.momentum}, dampening ${settings.dampening}`,
    });
  }
  return settings;
}
