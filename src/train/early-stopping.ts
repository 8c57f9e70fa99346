import type { Sequential } from '../nn/model.js';
import type { EarlyStoppingOptions, EpochInfo } from './fit-types.js';

/** Early stopping's memory: the best monitored loss so far and the weights that gave it. */
export class BestWeights {
  private best = Infinity;
  private bestEpoch = 0;
  private waited = 0;
  private snapshot: (Float32Array | Float64Array)[] | null = null;

  constructor(private readonly model: Sequential, private readonly options: EarlyStoppingOptions | undefined, hasValidation: boolean) {
    this.monitor = options?.monitor ?? (hasValidation ? 'valLoss' : 'loss');
  }

  private readonly monitor: 'loss' | 'valLoss';

  /** Records an epoch; false once patience has run out. */
  observe(info: EpochInfo): boolean {
    if (this.options === undefined) return true;
    const value = this.monitor === 'valLoss' ? info.valLoss! : info.loss;
    if (value < this.best - (this.options.minDelta ?? 0)) {
      this.best = value;
      this.bestEpoch = info.epoch;
      this.waited = 0;
      if (this.options.restoreBestWeights !== false) this.snapshot = this.model.parameters().map((p) => p.data.slice());
      return true;
    }
    this.waited++;
    return this.waited < this.options.patience;
  }

  /** Puts the best weights back (when asked to) and returns their epoch. */
  restore(): number {
    if (this.snapshot !== null) this.model.parameters().forEach((p, i) => p.data.set(this.snapshot![i]!));
    return this.bestEpoch;
  }
}
