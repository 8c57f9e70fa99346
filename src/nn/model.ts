import { GlassnetError } from '../errors.js';
import { noGrad } from '../tensor/autograd.js';
import { Tensor, tensor, type DType, type NestedNumbers } from '../tensor/tensor.js';
import type { FloatArray } from '../backend/index.js';
import { Random } from '../util/random.js';
import { RATE, checkFinite, checkNumber, checkOptions, optionNames } from '../util/checks.js';
import { formatShape, shapePath } from '../util/shape.js';
import type { ActivationName } from './activations.js';
import { Dense, Dropout, type Layer } from './layers.js';
import type { InitializerName } from './init.js';

/** A stack of layers applied in order. */
export class Sequential {
  readonly layers: readonly Layer[];

  /** Layers are named `layer1`, `layer2`, ... by position unless they were given names. */
  constructor(layers: readonly Layer[]) {
    if (layers.length === 0) {
      throw new GlassnetError({ code: 'empty', argument: 'layers', expected: 'at least one layer', found: 'an empty list' });
    }
    layers.forEach((layer, i) => {
      if (i > 0 && layer.inputSize !== layers[i - 1]!.outputSize) {
        throw new GlassnetError({
          code: 'shape', argument: `layers[${i}]`, expected: `inputSize ${layers[i - 1]!.outputSize} (the previous layer's units)`, found: `${layer.inputSize}`,
        });
      }
      if (layer.dtype !== layers[0]!.dtype) {
        throw new GlassnetError({ code: 'dtype', argument: `layers[${i}]`, expected: `dtype ${layers[0]!.dtype}`, found: layer.dtype });
      }
      const name = layer.name === 'dense' || layer.name === 'dropout' ? `layer${i + 1}` : layer.name;
      if (layer instanceof Dense) layer.rename(name);
      else layer.name = name;
    });
    this.layers = layers;
  }

  get inputSize(): number {
    return this.layers[0]!.inputSize;
  }

  get outputSize(): number {
    return this.layers[this.layers.length - 1]!.outputSize;
  }

  /** Element type of the parameters. */
  get dtype(): DType {
    return this.layers[0]!.dtype;
  }

  /**
   * Forward pass that records the graph when parameters require gradients.
   * `training` turns on training-only behaviour such as dropout.
   */
  forward(x: Tensor, training = false): Tensor {
    let out = x;
    for (const layer of this.layers) out = layer.forward(out, training);
    return out;
  }

  /**
   * The layers and parameter count as text, Keras-style, one line a layer:
   * `layer1   dense    4 -> 16  relu  80 parameters`, then the totals.
   */
  summary(): string {
    let total = 0;
    const lines = this.layers.map((layer) => {
      const count = layer.parameters().reduce((s, p) => s + p.size, 0);
      total += count;
      const name = layer.name.padEnd(8);
      if (layer instanceof Dropout) return `${name} dropout  rate ${layer.rate}`;
      const kind = layer instanceof Dense ? 'dense   ' : layer.constructor.name;
      const activation = layer instanceof Dense ? `  ${layer.activation}` : '';
      return `${name} ${kind} ${layer.inputSize} -> ${layer.outputSize}${activation}  ${count} parameters`;
    });
    return [...lines, `${total} parameters, ${this.inputSize} inputs, ${this.outputSize} outputs`].join('\n');
  }

  /** Inference: validates and converts `x`, records nothing. */
  predict(x: NestedNumbers | FloatArray | Tensor): Tensor {
    const input = this.toInput(x, 'x');
    return noGrad(() => this.forward(input));
  }

  /** Every trainable parameter, layer by layer. */
  parameters(): Tensor[] {
    return this.layers.flatMap((layer) => layer.parameters());
  }

  /** The weights an L2 penalty applies to (not biases). */
  weights(): Tensor[] {
    return this.layers.flatMap((layer) => layer.weights());
  }

  /**
   * Converts user data to a `[batch, inputSize]` tensor of the model's
   * dtype; a flat array of inputSize numbers is one sample.
   */
  toInput(x: NestedNumbers | FloatArray | Tensor, argument: string, width = this.inputSize): Tensor {
    // A tensor already in the right form is used as it is: copying a large data set on every call costs memory and time.
    if (x instanceof Tensor && x.dtype === this.dtype && x.shape.length === 2 && x.shape[1] === width) {
      checkFinite(x.data, argument, { at: shapePath(x.shape) });
      return x;
    }
    const t = tensor(x, { dtype: this.dtype, argument });
    const matrix = t.shape.length === 1 && t.shape[0] === width ? new Tensor(t.data, [1, width]) : t;
    if (matrix.shape.length !== 2 || matrix.shape[1] !== width) {
      throw new GlassnetError({ code: 'shape', argument, expected: `shape [samples, ${width}]`, found: `shape ${formatShape(t.shape)}` });
    }
    return matrix;
  }
}

/** Options of {@link mlp}. */
export interface MlpOptions {
  /** Activation of the hidden layers (default `"sigmoid"`). */
  activation?: ActivationName;
  /** Activation of the last layer (default: same as `activation`). */
  outputActivation?: ActivationName;
  /** The hidden activation's option (leakyRelu's slope, ELU's alpha); see `DenseOptions.alpha`. */
  alpha?: number;
  init?: InitializerName;
  /** One seed for all layers (default 0); the Dropout layer after hidden layer k is seeded `seed + k`. */
  seed?: number;
  /** Dropout rate after each hidden layer, in [0, 1) (default 0: no Dropout layers). */
  dropout?: number;
  dtype?: DType;
}

/** Every option {@link mlp} reads; any other is refused. */
const MLP_OPTIONS = optionNames<MlpOptions>({ activation: true, outputActivation: true, alpha: true, init: true, seed: true, dropout: true, dtype: true });

/**
 * A fully connected network from layer sizes, e.g. `mlp([8, 3, 8])`.
 * All layers draw their initial weights from one generator seeded by
 * `options.seed`, so the same seed gives bit-identical weights; Dropout
 * layers draw nothing from it, so `dropout` leaves the weights unchanged.
 */
export function mlp(sizes: readonly number[], options: MlpOptions = {}): Sequential {
  if (sizes.length < 2) {
    throw new GlassnetError({ code: 'shape', argument: 'sizes', expected: 'at least two sizes (inputs and outputs)', found: formatShape(sizes) });
  }
  checkOptions(options, MLP_OPTIONS);
  return mlpChecked(sizes, options, checkNumber(options.dropout ?? 0, RATE, 'options.dropout'));
}

/**
 * {@link mlp} after its checks: at least two sizes, known option names and
 * the dropout rate `dropout` (which replaces `options.dropout`). For callers
 * that check those themselves under their own argument names (`networkFrom`'s
 * flat spec says `dropout`), so each rate is checked once. Internal: not
 * exported from the package.
 */
export function mlpChecked(sizes: readonly number[], options: MlpOptions, dropout: number): Sequential {
  const seed = options.seed ?? 0;
  const random = new Random(seed);
  const hidden = options.activation ?? 'sigmoid';
  const layers: Layer[] = [];
  for (let i = 0; i + 1 < sizes.length; i++) {
    const last = i + 2 === sizes.length;
    layers.push(new Dense(sizes[i]!, sizes[i + 1]!, {
      activation: last ? options.outputActivation ?? hidden : hidden,
      ...(options.alpha === undefined || last ? {} : { alpha: options.alpha }),
      random,
      ...(options.init === undefined ? {} : { init: options.init }),
      ...(options.dtype === undefined ? {} : { dtype: options.dtype }),
    }));
    if (!last && dropout !== 0) layers.push(new Dropout(sizes[i + 1]!, dropout, { seed: seed + i + 1, ...(options.dtype === undefined ? {} : { dtype: options.dtype }) }));
  }
  return new Sequential(layers);
}
