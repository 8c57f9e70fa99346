/**
 * How each glassnet activation is written in the other formats glassnet
 * exchanges models with: ONNX operators, TensorFlow.js layers and PyTorch
 * modules. One record, keyed by every activation name, so that a new
 * activation does not compile until each format says how to express it;
 * importers read the same record backwards.
 */
import type { ActivationName } from '../nn/activations.js';
import { LEAKY_RELU_SLOPE } from '../tensor/ops.js';

/** An ONNX operator (default domain) applied to a Dense layer's NET, with its attributes. */
export interface OnnxActivation {
  op: string;
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

/** A `torch.nn` module after a `Linear` (its class name and constructor arguments as Python source), or none. */
export interface TorchActivation {
  module: string;
  /** Arguments as `torch.nn` spells them, e.g. `negative_slope=0.01`. */
  args: string;
}

export interface ActivationInterop {
  /** null: the identity, no operator. */
  onnx: OnnxActivation | null;
  tfjs: TfjsActivation;
  /** null: the identity, no module (and no index in a `torch.nn.Sequential`). */
  torch: TorchActivation | null;
}

/** Every activation in every format. Softmax is over the last axis (the units), as in glassnet. */
export const ACTIVATION_INTEROP: Readonly<Record<ActivationName, ActivationInterop>> = {
  sigmoid: { onnx: { op: 'Sigmoid' }, tfjs: { activation: 'sigmoid' }, torch: { module: 'Sigmoid', args: '' } },
  tanh: { onnx: { op: 'Tanh' }, tfjs: { activation: 'tanh' }, torch: { module: 'Tanh', args: '' } },
  relu: { onnx: { op: 'Relu' }, tfjs: { activation: 'relu' }, torch: { module: 'ReLU', args: '' } },
  leakyRelu: {
    onnx: { op: 'LeakyRelu', floats: { alpha: LEAKY_RELU_SLOPE } },
    tfjs: { layer: 'LeakyReLU', config: { alpha: LEAKY_RELU_SLOPE } },
    torch: { module: 'LeakyReLU', args: `negative_slope=${LEAKY_RELU_SLOPE}` },
  },
  linear: { onnx: null, tfjs: { activation: 'linear' }, torch: null },
  softmax: { onnx: { op: 'Softmax', ints: { axis: -1 } }, tfjs: { activation: 'softmax' }, torch: { module: 'Softmax', args: 'dim=-1' } },
};

/** The activation names, in the record's order. */
export const INTEROP_ACTIVATIONS = Object.keys(ACTIVATION_INTEROP) as ActivationName[];
