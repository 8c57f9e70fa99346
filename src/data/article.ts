import { Dense } from '../nn/layers.js';
import { Sequential } from '../nn/model.js';
import type { DType } from '../tensor/tensor.js';

/**
 * The worked example of the seed article: a 2-2-2 sigmoid network with one
 * bias per layer, shared by its units and kept fixed. Weights are listed
 * `[unit][input]`, so layer 1 is [[w1, w2], [w3, w4]] and layer 2 is
 * [[w5, w6], [w7, w8]], the article's numbering.
 */
export const ARTICLE = {
  inputs: [0.02, 0.04],
  targets: [0.5, 0.9],
  hiddenWeights: [[0.25, 0.25], [0.15, 0.2]],
  outputWeights: [[0.3, 0.35], [0.4, 0.35]],
  hiddenBias: 0.4,
  outputBias: 0.7,
  learningRate: 0.1,
} as const;

/** Builds the article's network (float64 by default, for exact reference work). */
export function articleNetwork(dtype: DType = 'float64'): Sequential {
  const layer = (weights: readonly (readonly number[])[], bias: number): Dense =>
    new Dense(2, 2, { activation: 'sigmoid', weights, bias, sharedBias: true, trainableBias: false, dtype });
  return new Sequential([layer(ARTICLE.hiddenWeights, ARTICLE.hiddenBias), layer(ARTICLE.outputWeights, ARTICLE.outputBias)]);
}

/** A number as the article prints it, to be held beside a computed one. */
export interface PrintedValue {
  /** The article's notation. */
  quantity: string;
  /** Where the computed value lives: `neurons.h1.net`, `errors.total`, `gradients.w6`, `updated.w6`, `dE_dout.o1`, `dout_dnet.o1`. */
  path: string;
  /** Exactly as printed (its decimals are the precision to compare at). */
  printed: string;
  /** The article's slip that makes its number differ from the computed one, where it does (each language's explain messages word it). */
  slip?: ArticleSlip;
}

/**
 * The three slips found by redoing the article's arithmetic: a product cut
 * short before a sum, an error halved twice, and a total that adds that
 * error.
 */
export const ARTICLE_SLIPS = ['truncatedProduct', 'halvedTwice', 'addsHalvedTwice'] as const;
export type ArticleSlip = (typeof ARTICLE_SLIPS)[number];

/**
 * Every number the article prints for its step. The reasons were found by
 * redoing the article's arithmetic; tests check that exactly these entries
 * disagree with the computed values at the printed precision.
 */
export const ARTICLE_PRINTED: readonly PrintedValue[] = [
  { quantity: 'NET(h1)', path: 'neurons.h1.net', printed: '0.415' },
  { quantity: 'OUT(h1)', path: 'neurons.h1.out', printed: '0.602286177' },
  { quantity: 'NET(h2)', path: 'neurons.h2.net', printed: '0.411' },
  { quantity: 'OUT(h2)', path: 'neurons.h2.out', printed: '0.601327636' },
  { quantity: 'NET(o1)', path: 'neurons.o1.net', printed: '1.091150525', slip: 'truncatedProduct' },
  { quantity: 'OUT(o1)', path: 'neurons.o1.out', printed: '0.748598311' },
  { quantity: 'NET(o2)', path: 'neurons.o2.net', printed: '1.151379143' },
  { quantity: 'OUT(o2)', path: 'neurons.o2.out', printed: '0.759762733' },
  { quantity: 'E(o1)', path: 'errors.o1', printed: '0.01545028', slip: 'halvedTwice' },
  { quantity: 'E(o2)', path: 'errors.o2', printed: '0.009833246' },
  { quantity: 'E_total', path: 'errors.total', printed: '0.025283526', slip: 'addsHalvedTwice' },
  { quantity: '∂E_total/∂OUT(o1)', path: 'dE_dout.o1', printed: '0.248598311' },
  { quantity: '∂OUT(o1)/∂NET(o1)', path: 'dout_dnet.o1', printed: '0.18819888' },
  { quantity: '∂E_total/∂w6', path: 'gradients.w6', printed: '0.028133669' },
  { quantity: 'w6⁺', path: 'updated.w6', printed: '0.347186633' },
];
