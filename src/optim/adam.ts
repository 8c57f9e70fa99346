import type { FloatArray } from '../backend/index.js';
import { GlassnetError, describeValue } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { Optimizer, type Slot } from './optimizer.js';
import { NON_NEGATIVE, booleanOption, checkNumber, numberOption, checkOptions } from '../util/checks.js';

/** Options of {@link Adam} and {@link AdamW}; the names and defaults are torch.optim.Adam's. */
export interface AdamOptions {
  /** Learning rate η (default 0.001). */
  lr?: number;
  /** Decay rates (β₁, β₂) of the first and second moment averages, each in [0, 1) (default [0.9, 0.999]). */
  betas?: readonly [number, number];
  /** ε ≥ 0 added to the bias-corrected root of the second moment (default 1e-8). */
  eps?: number;
  /** λ ≥ 0: Adam adds λw to the gradient; AdamW shrinks w by ηλ directly (default 0 for Adam, 0.01 for AdamW). */
  weightDecay?: number;
  /** Normalise by the running maximum of the second moment (AMSGrad; default false). */
  amsgrad?: boolean;
}

type AdamSettings = Required<AdamOptions>;

/**
 * The shared Adam update; `decoupled` selects AdamW's weight decay. Per
 * parameter, with t its update count:
 * m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², w ← w − (η/(1−β₁ᵗ))·m / (√v/√(1−β₂ᵗ) + ε),
 * which is torch's arrangement of the bias corrections and of ε.
 */
abstract class AdamUpdate extends Optimizer {
  readonly options: Readonly<AdamSettings>;
  private readonly decoupled: boolean;

  protected constructor(params: readonly Tensor[], settings: AdamSettings, decoupled: boolean) {
    const buffers: Record<string, number> = { expAvg: 0, expAvgSq: 0 };
    if (settings.amsgrad) buffers.maxExpAvgSq = 0;
    super(params, settings.lr, buffers, 'options.lr');
    this.options = settings;
    this.decoupled = decoupled;
  }

  protected update(p: FloatArray, g: FloatArray, slot: Slot, n: number): void {
    const { betas, eps, weightDecay, amsgrad } = this.options;
    // Indexing rather than array destructuring, which goes through an iterator.
    const beta1 = betas[0];
    const beta2 = betas[1];
    const t = slot.step;
    const stepSize = this.lr / (1 - beta1 ** t);
    const bias2Sqrt = Math.sqrt(1 - beta2 ** t);
    const shrink = 1 - this.lr * weightDecay;
    const coupledDecay = this.decoupled ? 0 : weightDecay;
    const m = slot.buffers.expAvg!;
    const v = slot.buffers.expAvgSq!;
    const vHat = amsgrad ? slot.buffers.maxExpAvgSq! : v;
    for (let i = 0; i < n; i++) {
      if (this.decoupled) p[i] = p[i]! * shrink;
      const gi = coupledDecay === 0 ? g[i]! : g[i]! + coupledDecay * p[i]!;
      m[i] = m[i]! * beta1 + (1 - beta1) * gi;
      v[i] = v[i]! * beta2 + (1 - beta2) * gi * gi;
      if (amsgrad) vHat[i] = Math.max(vHat[i]!, v[i]!);
      p[i] = p[i]! + (-stepSize * m[i]!) / (Math.sqrt(vHat[i]!) / bias2Sqrt + eps);
    }
  }
}

/** Adam (Kingma & Ba), with optional L2 weight decay and AMSGrad, as torch.optim.Adam. */
export class Adam extends AdamUpdate {
  readonly kind = 'adam';

  constructor(params: readonly Tensor[], options: AdamOptions = {}) {
    super(params, resolve(options, 0), false);
  }
}

/** Adam with decoupled weight decay (Loshchilov & Hutter): w ← w(1 − ηλ) before the Adam step, as torch.optim.AdamW. */
export class AdamW extends AdamUpdate {
  readonly kind = 'adamw';

  constructor(params: readonly Tensor[], options: AdamOptions = {}) {
    super(params, resolve(options, 0.01), true);
  }
}

function resolve(options: AdamOptions, defaultDecay: number): AdamSettings {
  const o = checkOptions(options, ['lr', 'betas', 'eps', 'weightDecay', 'amsgrad']);
  return {
    lr: (o.lr ?? 0.001) as number,
    betas: checkBetas(o.betas),
    eps: numberOption(o, 'eps', 1e-8, NON_NEGATIVE),
    weightDecay: numberOption(o, 'weightDecay', defaultDecay, NON_NEGATIVE),
    amsgrad: booleanOption(o, 'amsgrad', false),
  };
}

function checkBetas(value: unknown): [number, number] {
  if (value === undefined) return [0.9, 0.999];
  if (!Array.isArray(value) || value.length !== 2) {
    throw new GlassnetError({ code: 'type', argument: 'options.betas', expected: 'a pair [β₁, β₂]', found: describeValue(value) });
  }
  const range = { min: 0, max: 1, maxOpen: true };
  return [checkNumber(value[0], range, 'options.betas[0]'), checkNumber(value[1], range, 'options.betas[1]')];
}
