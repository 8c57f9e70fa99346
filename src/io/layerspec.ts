/**
 * Layers in model files: each layer kind's description (architecture) and
 * state (weights), how to read and check them, and how to build the layer.
 */
import { describeValue } from '../errors.js';
import { checkActivation, type ActivationName } from '../nn/activations.js';
import { activationOption } from '../primitives/activations.js';
import { Dense, Dropout } from '../nn/layers.js';
import type { Sequential } from '../nn/model.js';
import type { DType, Tensor } from '../tensor/tensor.js';
import { Random } from '../util/random.js';
import {
  JsonPath, checkKeys, expectArray, expectInteger, expectObject, expectRngState, fail, field, required, type RngState,
} from './validate.js';
import { RATE, checkFinite, checkNumber } from '../util/checks.js';

/** How a dense layer's bias is laid out: one per unit, one shared by all units (the article's b1, b2), or none. */
export type BiasLayout = 'per-unit' | 'shared' | 'none';

/** A dense layer in `architecture.layers`. */
export interface DenseSpec {
  type: 'dense';
  /** Also the prefix of the layer's tensor names: `layer1.weight`. */
  name: string;
  inputSize: number;
  units: number;
  activation: ActivationName;
  /**
   * The activation's option (leakyRelu's slope, ELU's alpha): written for
   * an activation that takes one, absent otherwise. Files from before
   * version 1.1 lack it and get the default (PyTorch's), which was the only
   * value then.
   */
  alpha?: number;
  bias: BiasLayout;
  /** Present exactly when there is a bias: whether training updates it. */
  biasTrainable?: boolean;
}

/** A dropout layer in `architecture.layers`. */
export interface DropoutSpec {
  type: 'dropout';
  name: string;
  /** Its input size, which is also its output size. */
  size: number;
  /** Probability in [0, 1) of zeroing each value while training. */
  rate: number;
}

export type LayerSpec = DenseSpec | DropoutSpec;

/**
 * A layer's entry in `weights`. Dense: `weight` is `[units][inputs]`
 * flattened row by row, `bias` has `units` numbers, or one when shared, and
 * is absent without a bias. Dropout: the state of its mask generator.
 */
export interface LayerState {
  weight?: number[];
  bias?: number[];
  rngState?: RngState;
}

/** The layer kinds model files describe. */
export type FileLayer = Dense | Dropout;

const FIELDS = {
  dense: ['type', 'name', 'inputSize', 'units', 'activation', 'alpha', 'bias', 'biasTrainable'],
  dropout: ['type', 'name', 'size', 'rate'],
} as const;
const BIAS_LAYOUTS: readonly BiasLayout[] = ['per-unit', 'shared', 'none'];
/** Layer names become tensor-name prefixes, so they avoid dots and spaces. */
const LAYER_NAME = /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/;

/**
 * The model's layers, checked to be kinds a file can describe, with names
 * that are valid and unique, since names key the tensors of both formats.
 * @throws GlassnetError (`type` for another layer kind, `unknown-name` for a bad or repeated name).
 */
export function fileLayers(model: Sequential, argument: string): FileLayer[] {
  const seen = new Set<string>();
  return model.layers.map((layer, i) => {
    const path = JsonPath.root(argument).key('layers').index(i);
    if (!(layer instanceof Dense || layer instanceof Dropout)) fail('type', path, 'a Dense or Dropout layer (the kinds model files describe)', describeValue(layer));
    checkLayerName(layer.name, path.key('name'), seen);
    return layer;
  });
}

/** Each parameter under its file name (`layer1.weight`, `layer1.bias`, ...), layer by layer. */
export function namedParameters(layers: readonly FileLayer[]): [string, Tensor][] {
  return layers.flatMap((layer): [string, Tensor][] => {
    if (layer instanceof Dropout) return [];
    return layer.bias === null ? [[`${layer.name}.weight`, layer.weight]] : [[`${layer.name}.weight`, layer.weight], [`${layer.name}.bias`, layer.bias]];
  });
}

/**
 * Refuses to write a parameter holding NaN or infinities (a model that
 * diverged): a file is only written if it can be loaded back.
 */
export function checkSavable(t: Tensor, name: string): void {
  checkFinite(t.data, name);
}

/** The layer's `architecture.layers` entry. */
export function specOf(layer: FileLayer): LayerSpec {
  if (layer instanceof Dropout) return { type: 'dropout', name: layer.name, size: layer.inputSize, rate: layer.rate };
  // A one-unit layer's single bias is per-unit: with one unit the two layouts are the same.
  const bias: BiasLayout = layer.bias === null ? 'none' : layer.bias.size === 1 && layer.outputSize > 1 ? 'shared' : 'per-unit';
  return {
    type: 'dense', name: layer.name, inputSize: layer.inputSize, units: layer.outputSize, activation: layer.activation,
    ...(activationOption(layer.activation) === null ? {} : { alpha: layer.alpha }),
    bias,
    ...(layer.bias === null ? {} : { biasTrainable: layer.bias.requiresGrad }),
  };
}

/** The layer's `weights` entry. */
export function stateOf(layer: FileLayer): LayerState {
  if (layer instanceof Dropout) return { rngState: layer.random.getState() };
  const values = (t: Tensor, name: string): number[] => {
    checkSavable(t, name);
    return Array.from(t.data);
  };
  return {
    weight: values(layer.weight, `${layer.name}.weight`),
    ...(layer.bias === null ? {} : { bias: values(layer.bias, `${layer.name}.bias`) }),
  };
}

/** A new layer from a checked spec and state. */
export function buildLayer(spec: LayerSpec, state: LayerState, dtype: DType): FileLayer {
  if (spec.type === 'dropout') {
    const random = new Random(0);
    if (state.rngState !== undefined) random.setState(state.rngState);
    return new Dropout(spec.size, spec.rate, { random, dtype, name: spec.name });
  }
  const weight = state.weight!;
  return new Dense(spec.inputSize, spec.units, {
    activation: spec.activation,
    ...(spec.alpha === undefined ? {} : { alpha: spec.alpha }),
    weights: Array.from({ length: spec.units }, (_, j) => weight.slice(j * spec.inputSize, (j + 1) * spec.inputSize)),
    bias: state.bias ?? false,
    sharedBias: spec.bias === 'shared',
    trainableBias: spec.biasTrainable ?? false,
    dtype,
    name: spec.name,
  });
}

/** Reads `architecture`: a non-empty chain of layers whose sizes connect. */
export function readArchitecture(value: unknown, path: JsonPath, lenient: boolean): LayerSpec[] {
  const architecture = expectObject(value, path);
  checkKeys(architecture, path, ['type', 'layers'], lenient);
  const type = required(architecture, 'type', path);
  if (type !== 'sequential') fail('unknown-name', path.key('type'), '"sequential"', describeValue(type));
  const list = expectArray(required(architecture, 'layers', path), path.key('layers'));
  if (list.length === 0) fail('empty', path.key('layers'), 'at least one layer', 'an empty array');
  const names = new Set<string>();
  const specs: LayerSpec[] = [];
  list.forEach((item, i) => {
    const at = path.key('layers').index(i);
    const layer = expectObject(item, at);
    const kind = required(layer, 'type', at);
    if (kind !== 'dense' && kind !== 'dropout') fail('unknown-name', at.key('type'), '"dense" or "dropout"', describeValue(kind));
    checkKeys(layer, at, FIELDS[kind], lenient);
    const name = checkLayerName(required(layer, 'name', at), at.key('name'), names);
    const spec = kind === 'dense' ? readDense(layer, at, name) : readDropout(layer, at, name);
    const previous = specs[i - 1];
    if (previous !== undefined && sizesOf(spec)[0] !== sizesOf(previous)[1]) {
      fail('shape', at.key(kind === 'dense' ? 'inputSize' : 'size'), `${sizesOf(previous)[1]} (the previous layer's output size)`, `${sizesOf(spec)[0]}`);
    }
    specs.push(spec);
  });
  return specs;
}

/** Reads `weights`: one entry per layer, each array of exactly the right length and finite in `dtype`. */
export function readLayerStates(value: unknown, path: JsonPath, specs: readonly LayerSpec[], dtype: DType, lenient: boolean): LayerState[] {
  const list = expectArray(value, path, specs.length);
  return specs.map((spec, i) => {
    const at = path.index(i);
    const entry = expectObject(list[i], at);
    if (spec.type === 'dropout') {
      checkKeys(entry, at, ['rngState'], lenient);
      const rngState = field(entry, 'rngState');
      return rngState === undefined ? {} : { rngState: expectRngState(rngState, at.key('rngState')) };
    }
    checkKeys(entry, at, ['weight', 'bias'], lenient);
    const weight = readNumbers(required(entry, 'weight', at), at.key('weight'), spec.units * spec.inputSize, dtype);
    if (spec.bias === 'none') {
      const bias = field(entry, 'bias');
      if (bias !== undefined) fail('type', at.key('bias'), `no such field (architecture.layers[${i}].bias is "none")`, describeValue(bias));
      return { weight };
    }
    return { weight, bias: readNumbers(required(entry, 'bias', at), at.key('bias'), spec.bias === 'shared' ? 1 : spec.units, dtype) };
  });
}

function readDense(layer: Record<string, unknown>, at: JsonPath, name: string): DenseSpec {
  const inputSize = expectInteger(required(layer, 'inputSize', at), at.key('inputSize'), 1);
  const units = expectInteger(required(layer, 'units', at), at.key('units'), 1);
  const activation = checkActivation(required(layer, 'activation', at), String(at.key('activation')));
  const alpha = readAlpha(activation, field(layer, 'alpha'), at.key('alpha'));
  const bias = required(layer, 'bias', at) as BiasLayout;
  if (!BIAS_LAYOUTS.includes(bias)) fail('unknown-name', at.key('bias'), BIAS_LAYOUTS.map((b) => `"${b}"`).join(', '), describeValue(bias));
  const trainable = field(layer, 'biasTrainable');
  if (bias === 'none' ? trainable !== undefined : typeof trainable !== 'boolean') {
    fail('type', at.key('biasTrainable'), bias === 'none' ? 'no such field (the layer has no bias)' : 'true or false', describeValue(trainable));
  }
  return {
    type: 'dense', name, inputSize, units, activation, ...(alpha === undefined ? {} : { alpha }), bias,
    ...(bias === 'none' ? {} : { biasTrainable: trainable as boolean }),
  };
}

/** A dense layer's `alpha`: absent (the default), or a value the activation's option accepts; refused for an activation without one. */
function readAlpha(activation: ActivationName, value: unknown, path: JsonPath): number | undefined {
  if (value === undefined) return undefined;
  const option = activationOption(activation);
  if (option === null) fail('type', path, `no such field (${activation} takes no option)`, describeValue(value));
  return checkNumber(value, option.range, String(path), `(${option.meaning}) for ${activation}`);
}

function readDropout(layer: Record<string, unknown>, at: JsonPath, name: string): DropoutSpec {
  const size = expectInteger(required(layer, 'size', at), at.key('size'), 1);
  const rate = required(layer, 'rate', at);
  return { type: 'dropout', name, size, rate: checkNumber(rate, RATE, String(at.key('rate'))) };
}

/** [input size, output size] of a layer. */
function sizesOf(spec: LayerSpec): [number, number] {
  return spec.type === 'dense' ? [spec.inputSize, spec.units] : [spec.size, spec.size];
}

/** A layer name that is valid and not yet in `seen` (which it joins). */
function checkLayerName(name: unknown, path: JsonPath, seen: Set<string>): string {
  if (typeof name !== 'string' || !LAYER_NAME.test(name)) fail('unknown-name', path, `a name matching ${LAYER_NAME}`, describeValue(name));
  if (seen.has(name)) fail('unknown-name', path, 'a name no other layer has', describeValue(name));
  seen.add(name);
  return name;
}

/** Exactly `length` finite numbers, each also finite once rounded to float32 for a float32 model. */
function readNumbers(value: unknown, path: JsonPath, length: number, dtype: DType): number[] {
  const list = expectArray(value, path, length);
  checkFinite(list, String(path), { dtype });
  return list as number[];
}
