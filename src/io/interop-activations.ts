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
import { activationOption } from '../primitives/activations.js';
import { inInterval } from '../util/checks.js';

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
  /** null: no TF.js form that TF.js loads back (see geluTanh). */
  tfjs(alpha: number): TfjsActivation | null;
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
  // TF.js's 'elu' string fixes alpha at 1; any other alpha needs its ELU layer.
  elu: {
    onnx: (alpha) => [{ op: 'Elu', floats: { alpha } }],
    tfjs: (alpha) => (alpha === 1 ? { activation: 'elu' } : { layer: 'ELU', config: { alpha } }),
    torch: (alpha) => ({ module: 'ELU', args: `alpha=${alpha}` }),
  },
  softplus: { onnx: () => [{ op: 'Softplus' }], tfjs: () => ({ activation: 'softplus' }), torch: () => ({ module: 'Softplus', args: '' }) },
  // x·σ(x): ONNX has no SiLU operator before opset 22.
  silu: {
    onnx: () => [{ op: 'Sigmoid' }, { op: 'Mul', inputs: ['x', '$0'] }],
    tfjs: () => ({ activation: 'swish' }),
    torch: () => ({ module: 'SiLU', args: '' }),
  },
  // x·½(1 + erf(x/√2)): ONNX's Gelu operator arrives only in opset 20.
  gelu: {
    onnx: () => [
      { op: 'Div', inputs: ['x', Math.SQRT2] }, { op: 'Erf', inputs: ['$0'] }, { op: 'Add', inputs: ['$1', 1] },
      { op: 'Mul', inputs: ['x', '$2'] }, { op: 'Mul', inputs: ['$3', 0.5] },
    ],
    tfjs: () => ({ activation: 'gelu' }),
    torch: () => ({ module: 'GELU', args: '' }),
  },
  // ½x(1 + tanh(√(2/π)(x + 0.044715x³))), PyTorch's approximate='tanh'.
  geluTanh: {
    onnx: () => [
      { op: 'Mul', inputs: ['x', 'x'] }, { op: 'Mul', inputs: ['$0', 'x'] }, { op: 'Mul', inputs: ['$1', 0.044715] },
      { op: 'Add', inputs: ['x', '$2'] }, { op: 'Mul', inputs: ['$3', Math.sqrt(2 / Math.PI)] }, { op: 'Tanh', inputs: ['$4'] },
      { op: 'Add', inputs: ['$5', 1] }, { op: 'Mul', inputs: ['x', '$6'] }, { op: 'Mul', inputs: ['$7', 0.5] },
    ],
    // NOTE: TF.js 4.22 saves a 'gelu_new' activation but cannot load it back (it looks up 'geluNew'), so there is no TF.js form.
    tfjs: () => null,
    torch: () => ({ module: 'GELU', args: "approximate='tanh'" }),
  },
};

/** The activation names, in the record's order. */
export const INTEROP_ACTIVATIONS = Object.keys(ACTIVATION_INTEROP) as ActivationName[];

/** The option value an activation has when a file does not say (leakyRelu's slope, ELU's alpha; 0 for activations without one). */
export function defaultAlpha(name: ActivationName): number {
  return activationOption(name)?.default ?? 0;
}

/** A Dense layer's activation option, as the forms above take it. */
export function alphaOf(layer: Dense): number {
  return layer.alpha;
}

/**
 * An imported activation option as the Dense layer's `alpha`: the value the
 * file states, or the default when it states none. ONNX and TF.js store it
 * in float32, so a value equal to the default in float32 is the default
 * itself (0.01, not 0.009999999776). `null`: a value the activation does not
 * take (the option's own check, such as ELU's alpha > 0).
 */
export function importedAlpha(name: ActivationName, value: number | undefined): number | null {
  const option = activationOption(name);
  if (value === undefined) return defaultAlpha(name);
  if (option === null) return null;
  if (Math.fround(value) === Math.fround(option.default)) return option.default;
  return inInterval(value, option.range) ? value : null;
}

/** The `alpha` Dense option for an imported layer: given only to activations that take one. */
export function alphaOption(name: ActivationName, alpha: number): { alpha?: number } {
  return activationOption(name) === null ? {} : { alpha };
}
