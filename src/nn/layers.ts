import { GlassnetError } from '../errors.js';
import { label, needsGrad } from '../tensor/autograd.js';
import { activationParameter, add, denseInferenceOp, dropout, matmul } from '../tensor/ops.js';
import { defaultInit } from '../primitives/activations.js';
import { Tensor, tensor, zeros, type DType } from '../tensor/tensor.js';
import { RATE, checkInteger, checkNumber, checkOptions, optionNames } from '../util/checks.js';
import { Random } from '../util/random.js';
import { formatShape } from '../util/shape.js';
import { activate, checkActivation, type ActivationName } from './activations.js';
import { checkInitializer, initialize, type InitializerName } from './init.js';

/** What every layer offers a model. */
export interface Layer {
  /** Name used in labels, model files and explanations. */
  name: string;
  readonly inputSize: number;
  readonly outputSize: number;
  /** Element type of the layer's parameters and outputs. */
  readonly dtype: DType;
  /**
   * Forward pass on a `[batch, inputSize]` tensor. `training` is true
   * inside `fit`, where layers such as Dropout behave differently.
   */
  forward(x: Tensor, training?: boolean): Tensor;
  /** Tensors an optimizer should update. */
  parameters(): Tensor[];
  /** The parameters an L2 penalty applies to: weights, not biases. */
  weights(): Tensor[];
}

/** Options of {@link Dense}. */
export interface DenseOptions {
  /** Applied to NET to give OUT (default `"linear"`). */
  activation?: ActivationName;
  /**
   * The activation's option: leakyRelu's negative slope (default 0.01) or
   * ELU's alpha (default 1), as in PyTorch. Refused for an activation
   * without one.
   */
  alpha?: number;
  /** Explicit weights, `[units][inputs]`: row j holds the weights into unit j. */
  weights?: readonly (readonly number[])[];
  /**
   * Initial bias: one number per unit, or one number (for every unit, or
   * the single shared value when `sharedBias`), or `false` for no bias.
   * Default 0.
   */
  bias?: number | readonly number[] | false;
  /** One bias shared by all units, as in the article's b1 and b2. */
  sharedBias?: boolean;
  /** Whether the bias is learned (default true); the article keeps b1, b2 fixed. */
  trainableBias?: boolean;
  /** Initialiser for weights not given explicitly (default `"he"` for relu-type activations, `"xavier"` otherwise). */
  init?: InitializerName;
  /** Seed for the initialiser (ignored when `random` is given). Default 0. */
  seed?: number;
  /** A generator to draw from, so that several layers can share one seeded stream. */
  random?: Random;
  /** Element type (default `"float32"`). */
  dtype?: DType;
  /** Layer name (default set by the model, `"layer1"`, `"layer2"`, ...). */
  name?: string;
}

/**
 * Fully connected layer: NET = x·Wᵀ + b, OUT = activation(NET), with W
 * stored `[units][inputs]` (PyTorch's layout), so W's row j feeds unit j.
 */
export class Dense implements Layer {
  name: string;
  readonly inputSize: number;
  readonly outputSize: number;
  readonly activation: ActivationName;
  /** The activation's option (leakyRelu's slope, ELU's alpha); 0 for an activation without one. */
  readonly alpha: number;
  readonly weight: Tensor;
  /** Shape `[units]`, or `[1]` when shared; null without a bias. */
  readonly bias: Tensor | null;

  constructor(inputSize: number, units: number, options: DenseOptions = {}) {
    checkInteger(inputSize, 1, 'inputSize');
    checkInteger(units, 1, 'units');
    checkOptions(options, DENSE_OPTIONS);
    const dtype = options.dtype ?? 'float32';
    this.inputSize = inputSize;
    this.outputSize = units;
    this.name = options.name ?? 'dense';
    this.activation = checkActivation(options.activation ?? 'linear', 'options.activation');
    this.alpha = activationParameter(this.activation, options.alpha, 'options.alpha');
    this.weight = options.weights === undefined
      ? initialWeights(inputSize, units, this.activation, options, dtype)
      : tensor(options.weights, { dtype, shape: [units, inputSize], argument: 'options.weights' });
    this.weight.requiresGrad = true;
    this.bias = initialBias(units, options, dtype);
  }

  forward(x: Tensor): Tensor {
    if (x.shape.length !== 2 || x.shape[1] !== this.inputSize) {
      throw new GlassnetError({
        code: 'shape', argument: `${this.name} input`, expected: `shape [batch, ${this.inputSize}]`, found: `shape ${formatShape(x.shape)}`,
      });
    }
    // With nothing to record (inference), one fused kernel gives the same bits as the three ops below.
    if (!needsGrad(this.bias === null ? [x, this.weight] : [x, this.weight, this.bias])) {
      return denseInferenceOp(x, this.weight, this.bias, this.activation, this.alpha);
    }
    const product = matmul(x, this.weight, false, true);
    const net = label(this.bias === null ? product : add(product, this.bias), `${this.name}.net`);
    return label(activate(this.activation, net, this.alpha), `${this.name}.out`);
  }

  get dtype(): DType {
    return this.weight.dtype;
  }

  parameters(): Tensor[] {
    return this.bias !== null && this.bias.requiresGrad ? [this.weight, this.bias] : [this.weight];
  }

  weights(): Tensor[] {
    return [this.weight];
  }

  /** Gives parameters names of the form `layer1.weight` for observers and model files. */
  rename(name: string): void {
    this.name = name;
    this.weight.label = `${name}.weight`;
    if (this.bias !== null) this.bias.label = `${name}.bias`;
  }
}

/** Every option {@link Dense} reads: anything else is a typo (`activaton`) and refused. */
const DENSE_OPTIONS = optionNames<DenseOptions>({
  activation: true, alpha: true, weights: true, bias: true, sharedBias: true, trainableBias: true, init: true, seed: true, random: true, dtype: true, name: true,
});

function initialWeights(inputSize: number, units: number, activation: ActivationName, options: DenseOptions, dtype: DType): Tensor {
  const init = checkInitializer(options.init ?? defaultInit(activation), 'options.init');
  const weight = zeros([units, inputSize], dtype);
  initialize(init, weight.data, inputSize, units, options.random ?? new Random(options.seed ?? 0));
  return weight;
}

function initialBias(units: number, options: DenseOptions, dtype: DType): Tensor | null {
  const value = options.bias ?? 0;
  if (value === false) return null;
  const size = options.sharedBias === true ? 1 : units;
  const values = typeof value === 'number' ? new Array<number>(size).fill(value) : value;
  const bias = tensor(values, { dtype, shape: [size], argument: 'options.bias' });
  bias.requiresGrad = options.trainableBias ?? true;
  return bias;
}

/** Options of {@link Dropout}. */
export interface DropoutOptions {
  /** Seed of the mask stream (default 0; ignored when `random` is given). */
  seed?: number;
  /** A generator to draw masks from. */
  random?: Random;
  name?: string;
}

/** Every option {@link Dropout} reads. */
const DROPOUT_OPTIONS = optionNames<DropoutOptions & { dtype?: DType }>({ seed: true, random: true, dtype: true, name: true });

/**
 * Inverted dropout: while training, each value is zeroed with probability
 * `rate` and the survivors are scaled by 1/(1 − rate), so nothing changes
 * at prediction time (when the layer passes its input through).
 */
export class Dropout implements Layer {
  name: string;
  readonly inputSize: number;
  readonly outputSize: number;
  readonly dtype: DType;
  readonly rate: number;
  /** The mask stream; its state is part of a checkpoint. */
  readonly random: Random;

  constructor(size: number, rate: number, options: DropoutOptions & { dtype?: DType } = {}) {
    checkInteger(size, 1, 'size');
    checkOptions(options, DROPOUT_OPTIONS);
    checkNumber(rate, RATE, 'rate');
    this.inputSize = size;
    this.outputSize = size;
    this.rate = rate;
    this.dtype = options.dtype ?? 'float32';
    this.random = options.random ?? new Random(options.seed ?? 0);
    this.name = options.name ?? 'dropout';
  }

  forward(x: Tensor, training = false): Tensor {
    return training && this.rate > 0 ? dropout(x, this.rate, this.random) : x;
  }

  parameters(): Tensor[] {
    return [];
  }

  weights(): Tensor[] {
    return [];
  }
}
