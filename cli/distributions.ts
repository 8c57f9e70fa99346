/**
 * How each Dense layer's weights, and the gradients of its last batch, are
 * spread as training goes on, for the report: a few quantiles at evenly
 * spaced epochs (the view TensorBoard calls distributions). Seven numbers
 * per layer and epoch, so the report stays small whatever the layer's size.
 */
import { Dense, quantile, type Sequential } from 'glassnet';

/** The quantiles kept: the extremes, the 10-90 and 25-75 bands, the median. */
export const QUANTILES = [0, 0.1, 0.25, 0.5, 0.75, 0.9, 1] as const;

/** About this many epochs of a run are sampled (the first, evenly spaced ones, and the last). */
export const SPREAD_SAMPLES = 20;

/** One layer at one epoch: the quantiles of its weights and of their last gradients (null before any step, or when not trained). */
export interface LayerSpread {
  weights: number[];
  gradients: number[] | null;
}

/** Every Dense layer's spread at the end of `epoch`. */
export interface SpreadSample {
  epoch: number;
  layers: LayerSpread[];
}

/** The values of `values` at {@link QUANTILES}, interpolated linearly between order statistics. */
export function quantiles(values: ArrayLike<number>): number[] {
  const sorted = Float64Array.from(values).sort();
  return QUANTILES.map((q) => quantile(sorted, q));
}

/** The spread of every Dense layer of `model` now. */
export function spreadOf(model: Sequential, epoch: number): SpreadSample {
  const dense = model.layers.filter((l): l is Dense => l instanceof Dense);
  return {
    epoch,
    layers: dense.map((layer) => {
      const grad = layer.weight.grad;
      return { weights: quantiles(layer.weight.data), gradients: grad === null ? null : quantiles(grad.data) };
    }),
  };
}

/** Whether epoch `epoch` (1-based) of a run of `epochs` is sampled: the first, every `⌈epochs / SPREAD_SAMPLES⌉`-th and the last. */
export function isSampled(epoch: number, epochs: number): boolean {
  const every = Math.max(1, Math.ceil(epochs / SPREAD_SAMPLES));
  return epoch === 1 || epoch % every === 0 || epoch === epochs;
}
