/**
 * TensorFlow.js layers models (docs/interop.md): `model.json` (format
 * `layers-model`, a Keras `Sequential` topology and a weights manifest)
 * plus the weight bytes, float32 little-endian in manifest order. Dense
 * kernels are `[inputs, units]`, the transpose of glassnet's layout.
 */
import { GlassnetError, describeValue } from '../errors.js';
import { RATE, checkFinite, checkNumber, inInterval } from '../util/checks.js';
import type { ActivationName } from '../nn/activations.js';
import { Dense, Dropout, type Layer } from '../nn/layers.js';
import { Sequential } from '../nn/model.js';
import type { DType } from '../tensor/tensor.js';
import { activationOption } from '../primitives/activations.js';
import { ACTIVATION_INTEROP, INTEROP_ACTIVATIONS, alphaOf, alphaOption, defaultAlpha, importedAlpha } from './interop-activations.js';
import { checkSavable, fileLayers } from './layerspec.js';
import {
  JsonPath, expectArray, expectInteger, expectObject, expectString, fail, field, parseJson, required, type JsonObject,
} from './validate.js';

/** A weight's entry in the manifest. */
export interface TfjsWeightSpec {
  name: string;
  shape: number[];
  dtype: 'float32';
}

/** The `model.json` of a TF.js layers model. */
export interface TfjsModelJson {
  format: 'layers-model';
  generatedBy: string;
  convertedBy: null;
  modelTopology: JsonObject;
  weightsManifest: { paths: string[]; weights: TfjsWeightSpec[] }[];
}

/** What {@link toTfjs} returns: `model.json`'s content and the bytes of the one weights file it names. */
export interface TfjsModel {
  modelJson: TfjsModelJson;
  weights: Uint8Array;
}

/** The weights file name {@link toTfjs} writes into the manifest. */
export const TFJS_WEIGHTS_FILE = 'weights.bin';

/**
 * The model as a TF.js layers model: each Dense as a `Dense` layer (a
 * shared bias written per unit), leakyRelu as a linear Dense followed by a
 * `LeakyReLU` layer (TF.js has no such activation string), Dropout as
 * `Dropout`. Weights are float32 (a float64 model is rounded).
 * @throws GlassnetError for layers other than Dense and Dropout or weights not finite in float32.
 */
export function toTfjs(model: Sequential, generatedBy = 'glassnet 0.1.0'): TfjsModel {
  const layers: JsonObject[] = [];
  const specs: TfjsWeightSpec[] = [];
  const values: number[] = [];
  fileLayers(model, 'model').forEach((layer, i) => {
    const input = i === 0 ? { batch_input_shape: [null, layer.inputSize] } : {};
    if (layer instanceof Dropout) {
      layers.push({ class_name: 'Dropout', config: { rate: layer.rate, name: layer.name, trainable: true, ...input } });
      return;
    }
    const tfjs = ACTIVATION_INTEROP[layer.activation].tfjs(alphaOf(layer));
    if (tfjs === null) {
      throw new GlassnetError({ code: 'unknown-name', argument: `${layer.name}.activation`, expected: 'an activation TF.js layers models can hold', found: JSON.stringify(layer.activation) });
    }
    const activation = 'activation' in tfjs ? tfjs.activation : 'linear';
    layers.push({
      class_name: 'Dense',
      config: { units: layer.outputSize, activation, use_bias: layer.bias !== null, name: layer.name, trainable: true, dtype: 'float32', ...input },
    });
    if ('layer' in tfjs) layers.push({ class_name: tfjs.layer, config: { ...tfjs.config, name: `${layer.name}_${layer.activation}`, trainable: true } });
    checkSavable(layer.weight, `${layer.name}.weight`);
    specs.push({ name: `${layer.name}/kernel`, shape: [layer.inputSize, layer.outputSize], dtype: 'float32' });
    for (let k = 0; k < layer.inputSize; k++) for (let u = 0; u < layer.outputSize; u++) values.push(layer.weight.data[u * layer.inputSize + k]!);
    if (layer.bias !== null) {
      checkSavable(layer.bias, `${layer.name}.bias`);
      specs.push({ name: `${layer.name}/bias`, shape: [layer.outputSize], dtype: 'float32' });
      for (let u = 0; u < layer.outputSize; u++) values.push(layer.bias.data[layer.bias.size === 1 ? 0 : u]!);
    }
  });
  const weights = new Uint8Array(values.length * 4);
  const view = new DataView(weights.buffer);
  checkFinite(values, 'model weights', { dtype: 'float32' });
  values.forEach((v, i) => view.setFloat32(4 * i, v, true));
  return {
    modelJson: {
      format: 'layers-model', generatedBy, convertedBy: null,
      modelTopology: { class_name: 'Sequential', config: { name: 'glassnet', layers }, backend: 'tensor_flow.js' },
      weightsManifest: [{ paths: [TFJS_WEIGHTS_FILE], weights: specs }],
    },
    weights,
  };
}

/** The activation a TF.js activation string stands for, read backwards from the interop table. */
const ACTIVATION_OF_TFJS = new Map(INTEROP_ACTIVATIONS.flatMap((name) => {
  const tfjs = ACTIVATION_INTEROP[name].tfjs(defaultAlpha(name));
  return tfjs !== null && 'activation' in tfjs ? [[tfjs.activation, name] as const] : [];
}));
/**
 * Separate activation layers (`LeakyReLU`, `ELU`) and the activation each
 * stands for. A form may depend on the option (ELU is the `elu` string at
 * alpha 1 and an `ELU` layer otherwise), so each activation that takes one
 * is read at its default and at a value inside its range.
 */
const ACTIVATION_LAYERS = new Map(INTEROP_ACTIVATIONS.flatMap((name) => {
  const option = activationOption(name);
  const alphas = option === null ? [0] : [option.default, option.default + 0.5].filter((alpha) => inInterval(alpha, option.range));
  return alphas.flatMap((alpha) => {
    const tfjs = ACTIVATION_INTEROP[name].tfjs(alpha);
    return tfjs !== null && 'layer' in tfjs ? [[tfjs.layer, { name, config: tfjs.config }] as const] : [];
  });
}));
const SUPPORTED = ['Dense', 'Activation', 'Dropout', 'InputLayer', ...ACTIVATION_LAYERS.keys()];

/** A Dense layer read from the topology, before its weights. */
interface DenseEntry {
  name: string;
  units: number;
  useBias: boolean;
  activation: ActivationName;
  /** The activation's option (leakyRelu's slope). */
  alpha: number;
  at: JsonPath;
  /** Whether an activation may still follow (the layer's own is linear and nothing came after it). */
  open: boolean;
}

/**
 * Reads a TF.js layers model: `model.json`'s content (text, parsed with
 * `JSON.parse` only, or the parsed value) and its weight bytes (every
 * manifest group's files concatenated in order). The topology must be a
 * `Sequential` of Dense, Activation, LeakyReLU (slope 0.01), Dropout and
 * InputLayer layers. The manifest is checked against the bytes (float32
 * only, unique names, total size equal to the bytes) and every weight
 * against its layer before the model is built.
 * @param options.file names the input in errors (default `"model.json"`).
 * @param options.dtype the new model's dtype (default float32).
 * @throws GlassnetError naming the file and the part, e.g. `model.json: modelTopology.config.layers[2].class_name`.
 */
export function fromTfjs(modelJson: unknown, weights: Uint8Array, options: { file?: string; dtype?: DType } = {}): Sequential {
  const root = JsonPath.root(options.file ?? 'model.json');
  const top = expectObject(typeof modelJson === 'string' ? parseJson(modelJson, root) : modelJson, root);
  const format = field(top, 'format');
  if (format !== undefined && format !== 'layers-model') fail('unknown-name', root.key('format'), '"layers-model"', describeValue(format));
  let topologyPath = root.key('modelTopology');
  let topology = expectObject(required(top, 'modelTopology', root), topologyPath);
  // Keras' own model.json wraps the model in `model_config`.
  if (field(topology, 'model_config') !== undefined) {
    topologyPath = topologyPath.key('model_config');
    topology = expectObject(topology['model_config'], topologyPath);
  }
  const className = required(topology, 'class_name', topologyPath);
  if (className !== 'Sequential') fail('unknown-name', topologyPath.key('class_name'), '"Sequential"', describeValue(className));
  const config = required(topology, 'config', topologyPath);
  // Older Keras writes the layer list as the config itself.
  const layersPath = Array.isArray(config) ? topologyPath.key('config') : topologyPath.key('config').key('layers');
  const layerList = expectArray(Array.isArray(config) ? config : required(expectObject(config, topologyPath.key('config')), 'layers', topologyPath.key('config')), layersPath);

  const names = new Set<string>();
  const entries: (DenseEntry | { rate: number })[] = [];
  let declaredInput: number | undefined;
  layerList.forEach((item, i) => {
    const at = layersPath.index(i);
    const layer = expectObject(item, at);
    const kind = expectString(required(layer, 'class_name', at), at.key('class_name'));
    const cfg = expectObject(required(layer, 'config', at), at.key('config'));
    const name = expectString(required(cfg, 'name', at.key('config')), at.key('config').key('name'));
    if (names.has(name)) fail('unknown-name', at.key('config').key('name'), 'layer names that are all different', JSON.stringify(name));
    names.add(name);
    const shape = field(cfg, 'batch_input_shape') ?? field(cfg, 'batchInputShape');
    if (shape !== undefined) {
      if (entries.length > 0) fail('shape', at.key('config').key('batch_input_shape'), 'an input shape on the first layer only', describeValue(shape));
      const dims = expectArray(shape, at.key('config').key('batch_input_shape'), 2);
      if (dims[0] !== null) fail('shape', at.key('config').key('batch_input_shape').index(0), 'null (any batch size)', describeValue(dims[0]));
      declaredInput = expectInteger(dims[1], at.key('config').key('batch_input_shape').index(1), 1);
    }
    const last = entries[entries.length - 1];
    const attach = (activation: ActivationName, alpha = defaultAlpha(activation)): void => {
      if (last === undefined || !('open' in last) || !last.open) fail('unknown-name', at.key('class_name'), 'an activation right after a Dense layer with a linear activation', JSON.stringify(kind));
      last.activation = activation;
      last.alpha = alpha;
      last.open = false;
    };
    const activationOf = (value: unknown, path: JsonPath): ActivationName => {
      const text = expectString(value, path);
      return ACTIVATION_OF_TFJS.get(text) ?? fail('unknown-name', path, `one of the activations glassnet has (${[...ACTIVATION_OF_TFJS.keys()].join(', ')})`, JSON.stringify(text));
    };
    if (kind === 'InputLayer') {
      if (entries.length > 0) fail('unknown-name', at.key('class_name'), 'an InputLayer first', 'one later');
      return;
    }
    if (last !== undefined && 'open' in last && kind !== 'Activation' && !ACTIVATION_LAYERS.has(kind)) last.open = false;
    switch (kind) {
      case 'Dense': {
        const units = expectInteger(required(cfg, 'units', at.key('config')), at.key('config').key('units'), 1);
        const useBias = field(cfg, 'use_bias') ?? true;
        if (typeof useBias !== 'boolean') fail('type', at.key('config').key('use_bias'), 'true or false', describeValue(useBias));
        const activation = activationOf(field(cfg, 'activation') ?? 'linear', at.key('config').key('activation'));
        entries.push({ name, units, useBias, activation, alpha: defaultAlpha(activation), at, open: activation === 'linear' });
        break;
      }
      case 'Activation':
        attach(activationOf(required(cfg, 'activation', at.key('config')), at.key('config').key('activation')));
        break;
      case 'Dropout': {
        const rate = required(cfg, 'rate', at.key('config'));
        entries.push({ rate: checkNumber(rate, RATE, String(at.key('config').key('rate'))) });
        break;
      }
      default: {
        const special = ACTIVATION_LAYERS.get(kind) ?? fail('unknown-name', at.key('class_name'), `one of the layers glassnet imports (${SUPPORTED.join(', ')})`, JSON.stringify(kind));
        // The layer's numeric config is the activation's option (alpha).
        let alpha = defaultAlpha(special.name);
        for (const key of Object.keys(special.config)) {
          const found = field(cfg, key);
          const taken = typeof found === 'number' ? importedAlpha(special.name, found) : null;
          alpha = taken ?? fail('range', at.key('config').key(key), `a value glassnet's ${special.name} takes`, describeValue(found));
        }
        attach(special.name, alpha);
      }
    }
  });

  const specs = readManifest(top, root, weights.length);
  const byName = new Map(specs.map((s) => [s.name, s]));
  const dtype = options.dtype ?? 'float32';
  const view = new DataView(weights.buffer, weights.byteOffset, weights.byteLength);
  const used = new Set<string>();
  const take = (name: string, shape: number[], at: JsonPath): Float64Array => {
    const spec = byName.get(name) ?? fail('unknown-name', at, `a weight named ${JSON.stringify(name)} in weightsManifest`, 'none');
    if (spec.shape.length !== shape.length || spec.shape.some((d, k) => d !== shape[k])) fail('shape', spec.at.key('shape'), `[${shape.join(', ')}]`, `[${spec.shape.join(', ')}]`);
    used.add(name);
    return Float64Array.from({ length: spec.size }, (_, k) => view.getFloat32(spec.offset + 4 * k, true));
  };
  const layers: Layer[] = [];
  let width = declaredInput;
  for (const entry of entries) {
    if (!('name' in entry)) {
      if (width === undefined) fail('shape', layersPath.index(0), 'a Dense layer or an input shape before Dropout', 'Dropout first');
      layers.push(new Dropout(width, entry.rate, { dtype }));
      continue;
    }
    const kernelSpec = byName.get(`${entry.name}/kernel`);
    const inputs = width ?? kernelSpec?.shape[0] ?? fail('unknown-name', entry.at, `a weight named "${entry.name}/kernel"`, 'none');
    const kernel = take(`${entry.name}/kernel`, [inputs, entry.units], entry.at);
    const bias = entry.useBias ? take(`${entry.name}/bias`, [entry.units], entry.at) : null;
    layers.push(new Dense(inputs, entry.units, {
      activation: entry.activation,
      ...alphaOption(entry.activation, entry.alpha),
      weights: Array.from({ length: entry.units }, (_, u) => Array.from({ length: inputs }, (_, k) => kernel[k * entry.units + u]!)),
      bias: bias === null ? false : Array.from(bias),
      dtype,
    }));
    width = entry.units;
  }
  if (layers.length === 0 || !layers.some((l) => l instanceof Dense)) fail('empty', layersPath, 'at least one Dense layer', 'none');
  for (const spec of specs) if (!used.has(spec.name)) fail('unknown-name', spec.at.key('name'), 'only weights of the Dense layers', JSON.stringify(spec.name));
  const model = new Sequential(layers);
  for (const layer of model.layers) {
    if (!(layer instanceof Dense)) continue;
    for (const t of layer.bias === null ? [layer.weight] : [layer.weight, layer.bias]) {
      const k = t.data.findIndex((v) => !Number.isFinite(v));
      if (k >= 0) fail('not-finite', root.key('weights').key(layer.name), 'finite weights', describeValue(t.data[k]));
    }
  }
  return model;
}

/** A manifest entry, checked, with its byte offset into the weights. */
interface Spec {
  name: string;
  shape: number[];
  size: number;
  offset: number;
  at: JsonPath;
}

/** The weights manifest, every entry checked, their total size equal to the bytes given (checked before any weight is read). */
function readManifest(top: Record<string, unknown>, root: JsonPath, bytes: number): Spec[] {
  const path = root.key('weightsManifest');
  const groups = expectArray(required(top, 'weightsManifest', root), path);
  const specs: Spec[] = [];
  const names = new Set<string>();
  let offset = 0;
  groups.forEach((g, i) => {
    const group = expectObject(g, path.index(i));
    expectArray(required(group, 'paths', path.index(i)), path.index(i).key('paths')).forEach((p, k) => expectString(p, path.index(i).key('paths').index(k)));
    expectArray(required(group, 'weights', path.index(i)), path.index(i).key('weights')).forEach((w, k) => {
      const at = path.index(i).key('weights').index(k);
      const spec = expectObject(w, at);
      const name = expectString(required(spec, 'name', at), at.key('name'));
      if (names.has(name)) fail('unknown-name', at.key('name'), 'weight names that are all different', JSON.stringify(name));
      names.add(name);
      const dtype = required(spec, 'dtype', at);
      if (dtype !== 'float32') fail('dtype', at.key('dtype'), '"float32"', describeValue(dtype));
      if (field(spec, 'quantization') !== undefined) fail('type', at.key('quantization'), 'unquantized float32 weights', 'quantized ones');
      const shape = expectArray(required(spec, 'shape', at), at.key('shape')).map((d, j) => expectInteger(d, at.key('shape').index(j), 0, bytes));
      const size = shape.reduce((a, b) => a * b, 1);
      if (offset + size * 4 > bytes) fail('shape', at.key('shape'), `a weight within the ${bytes} bytes of weight data`, `[${shape.join(', ')}] ending at byte ${offset + size * 4}`);
      specs.push({ name, shape, size, offset, at });
      offset += size * 4;
    });
  });
  if (offset !== bytes) fail('shape', path, `weights covering all ${bytes} bytes of weight data`, `${offset} bytes`);
  return specs;
}

/** A manifest path glassnet reads: a plain file name next to model.json, never a directory climb. */
export function checkTfjsWeightsPath(value: unknown, path: string): string {
  if (typeof value !== 'string' || !/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(value) || value.includes('..')) {
    throw new GlassnetError({ code: 'type', argument: path, expected: 'a plain file name next to model.json (no directories)', found: describeValue(value) });
  }
  return value;
}
