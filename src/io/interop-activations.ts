/**
 * How each glassnet activation is written in the other formats glassnet
 * exchanges models with: ONNX operators, TensorFlow.js layers and PyTorch
 * modules. One record, keyed by every activation name, so that a new
 * activation does not compile until each format says how to express it;
 * importers read the same record backwards. Each form is a function of
 * the activation's option `alpha` (leakyRelu's negative slope).
 */
import type { ActivationName } from '../nn/activations.js';
import type { Dense } from '../nn/layers.js';
import { LEAKY_RELU_SLOPE } from '../tensor/ops.js';

/**
 * One ONNX operator (default domain) of an activation's form. `inputs`
 * (default `["x"]`) are `"x"`, the layer's NET; `"$k"`, the output of step
 * k of the same form; or a number, a float32 scalar constant. So an
 * activation without an operator of its own (SiLU = x·Sigmoid(x)) is
 * written as a few standard ones.
 */
export interface OnnxStep {
  op: string;
  inputs?: readonly (string | number)[];
  /** Float attributes (LeakyRelu's `alpha`). */
  floats?: Readonly<Record<string, number>>;
  /** Integer attributes (Softmax's `axis`). */
  ints?: Readonly<Record<string, number>>;
}

/**
 * A TF.js activation: either the Dense layer's `activation` string, or a
 * separate layer after a linear Dense (TF.js has no leaky-ReLU activation
 * string, only a `LeakyReLU` layer).
 */
export type TfjsActivation = { activation: string } | { layer: string; config: Readonly<Record<string, number>> };

/** A `torch.nn` module after a `Linear` (its class name and constructor arguments as Python source). */
export interface TorchActivation {
  module: string;
  /** Arguments as `torch.nn` spells them, e.g. `negative_slope=0.01`. */
  args: string;
}

export interface ActivationInterop {
  /** The ONNX nodes applied to NET; `[]` for the identity. */
  onnx(alpha: number): readonly OnnxStep[];
  tfjs(alpha: number): TfjsActivation;
  /** null: the identity, no module (and no index in a `torch.nn.Sequential`). */
  torch(alpha: number): TorchActivation | null;
}

/** Every activation in every format. Softmax is over the last axis (the units), as in glassnet. */
export const ACTIVATION_INTEROP: Readonly<Record<ActivationName, ActivationInterop>> = {
  sigmoid: { onnx: () => [{ op: 'Sigmoid' }], tfjs: () => ({ activation: 'sigmoid' }), torch: () => ({ module: 'Sigmoid', args: '' }) },
  tanh: { onnx: () => [{ op: 'Tanh' }], tfjs: () => ({ activation: 'tanh' }), torch: () => ({ module: 'Tanh', args: '' }) },
  relu: { onnx: () => [{ op: 'Relu' }], tfjs: () => ({ activation: 'relu' }), torch: () => ({ module: 'ReLU', args: '' }) },
  leakyRelu: {
    onnx: (alpha) => [{ op: 'LeakyRelu', floats: { alpha } }],
    tfjs: (alpha) => ({ layer: 'LeakyReLU', config: { alpha } }),
    torch: (alpha) => ({ module: 'LeakyReLU', args: `negative_slope=${alpha}` }),
  },
  linear: { onnx: () => [], tfjs: () => ({ activation: 'linear' }), torch: () => null },
  softmax: { onnx: () => [{ op: 'Softmax', ints: { axis: -1 } }], tfjs: () => ({ activation: 'softmax' }), torch: () => ({ module: 'Softmax', args: 'dim=-1' }) },
};

/** The activation names, in the record's order. */
export const INTEROP_ACTIVATIONS = Object.keys(ACTIVATION_INTEROP) as ActivationName[];

/** The option value an activation has when a file does not say (leakyRelu's slope; 0 for activations without one). */
export function defaultAlpha(name: ActivationName): number {
  return name === 'leakyRelu' ? LEAKY_RELU_SLOPE : 0;
}

/** A Dense layer's activation option, as the forms above take it. */
export function alphaOf(layer: Dense): number {
  return defaultAlpha(layer.activation);
}

/**
 * An imported activation option: glassnet's leakyRelu has a fixed slope, so
 * another value (compared in float32, as ONNX and TF.js store it) is
 * refused; `undefined` (not stated) means the default.
 * @returns whether `value` is an option glassnet's `name` has.
 */
export function acceptsAlpha(name: ActivationName, value: number | undefined): boolean {
  return value === undefined || Math.fround(value) === Math.fround(defaultAlpha(name));
}
