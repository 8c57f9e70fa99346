import type { Sequential } from '../nn/model.js';
import { GlassnetError, describeValue } from '../errors.js';
import type { EarlyStoppingOptions, EarlyStoppingState, EpochInfo } from './fit-types.js';

/** Early stopping's memory: the best monitored loss so far and the weights that gave it. */
export class BestWeights {
  private best = Infinity;
  private bestEpoch = 0;
  private waited = 0;
  private snapshot: (Float32Array | Float64Array)[] | null = null;
  private readonly monitor: 'loss' | 'valLoss';

  constructor(private readonly model: Sequential, private readonly options: EarlyStoppingOptions | undefined, hasValidation: boolean) {
    this.monitor = options?.monitor ?? (hasValidation ? 'valLoss' : 'loss');
  }

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

  /** The memory to save with a checkpoint; undefined without early stopping. */
  getState(): EarlyStoppingState | undefined {
    if (this.options === undefined) return undefined;
    const weights = this.snapshot === null ? null : this.snapshot.map((data) => Array.from(data));
    return { best: this.best, bestEpoch: this.bestEpoch, waited: this.waited, weights };
  }

  /**
   * Continues from a saved memory.
   * @throws GlassnetError, changing nothing, when it does not fit the model.
   */
  setState(state: EarlyStoppingState): void {
    const params = this.model.parameters();
    const sizesFit = state.weights === null
      || (Array.isArray(state.weights) && state.weights.length === params.length && state.weights.every((w, i) => Array.isArray(w) && w.length === params[i]!.size));
    const counts = [state.bestEpoch, state.waited].every((v) => Number.isInteger(v) && v >= 0);
    if (typeof state.best !== 'number' || Number.isNaN(state.best) || !counts || !sizesFit) {
      throw new GlassnetError({
        code: 'type', argument: 'options.resume.earlyStopping', expected: "early stopping's state for this model (best, bestEpoch, waited, weights of the parameters' sizes)", found: describeValue(state),
      });
    }
    this.best = state.best;
    this.bestEpoch = state.bestEpoch;
    this.waited = state.waited;
    this.snapshot = state.weights === null ? null : state.weights.map((w, i) => {
      const copy = params[i]!.data.slice();
      copy.set(w);
      return copy;
    });
  }

  /** Puts the best weights back (when asked to) and returns their epoch. */
  restore(): number {
    if (this.snapshot !== null) this.model.parameters().forEach((p, i) => p.data.set(this.snapshot![i]!));
    return this.bestEpoch;
  }
}
