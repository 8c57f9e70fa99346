/**
 * PyTorch state dicts as safetensors (docs/interop.md): a glassnet model is
 * the `torch.nn.Sequential` whose modules are, layer by layer, a `Linear`,
 * then its activation's module (none for linear), and a `Dropout` for each
 * Dropout layer. Each module takes the next index, so parameters are named
 * `0.weight`, `0.bias`, `2.weight`, ... exactly as `state_dict()` names
 * them, with `Linear`'s layout (`weight` `[out, in]`, `bias` `[out]`).
 */
import { GlassnetError, describeValue } from '../errors.js';
import { checkActivation, type ActivationName } from '../nn/activations.js';
import { Dense, Dropout, type Layer } from '../nn/layers.js';
import { Sequential } from '../nn/model.js';
import type { DType } from '../tensor/tensor.js';
import { ACTIVATION_INTEROP, alphaOf, alphaOption, defaultAlpha, importedAlpha } from './interop-activations.js';
import { checkSavable, fileLayers } from './layerspec.js';
import { encodeSafetensors, type SafeTensor } from './safetensors.js';
import { JsonPath, checkKeys, expectArray, expectObject, parseJson, required } from './validate.js';

/** One `torch.nn` module of the Sequential, as data. */
export type TorchModule =
  | { module: 'Linear'; in: number; out: number; bias: boolean }
  | { module: 'Dropout'; p: number }
  /** An activation; `alpha` is its option (leakyRelu's slope, ELU's alpha) where it takes one, so an import restores it. */
  | { module: string; args: string; alpha?: number };

/** The safetensors metadata key holding the module list as JSON (what `torch.nn.Sequential` to build). */
export const TORCH_MODULES_KEY = 'glassnet.torch.modules';

/** The `torch.nn.Sequential` a glassnet model corresponds to, module by module. */
export function torchModules(model: Sequential): TorchModule[] {
  return fileLayers(model, 'model').flatMap((layer): TorchModule[] => {
    if (layer instanceof Dropout) return [{ module: 'Dropout', p: layer.rate }];
    const activation = ACTIVATION_INTEROP[layer.activation].torch(alphaOf(layer));
    const linear: TorchModule = { module: 'Linear', in: layer.inputSize, out: layer.outputSize, bias: layer.bias !== null };
    return activation === null ? [linear] : [linear, { module: activation.module, args: activation.args, ...alphaOption(layer.activation, alphaOf(layer)) }];
  });
}

/** The module list as Python source, e.g. `nn.Sequential(nn.Linear(3, 5), nn.Tanh(), nn.Linear(5, 2))`. */
export function torchSource(model: Sequential): string {
  const modules = torchModules(model).map((m) => {
    if (m.module === 'Linear' && 'in' in m) return `nn.Linear(${m.in}, ${m.out}${m.bias ? '' : ', bias=False'})`;
    if ('p' in m) return `nn.Dropout(p=${m.p})`;
    return `nn.${m.module}(${'args' in m ? m.args : ''})`;
  });
  return `nn.Sequential(${modules.join(', ')})`;
}

/**
 * The model's parameters as a safetensors state dict that the
 * `torch.nn.Sequential` of {@link torchSource} loads with `load_state_dict`.
 * A shared bias is written once per unit (a `Linear` has one bias per
 * output). The metadata records `format: "pt"`, the module list
 * ({@link TORCH_MODULES_KEY}) and the Python source (`glassnet.torch.source`).
 * @throws GlassnetError for layers other than Dense and Dropout or NaN/infinite weights.
 */
export function toTorchStateDict(model: Sequential): Uint8Array {
  const modules = torchModules(model);
  const dense = model.layers.filter((layer): layer is Dense => layer instanceof Dense);
  const tensors: [string, { shape: number[]; data: ArrayLike<number> }][] = [];
  // The k-th Linear is the k-th Dense layer; its parameters are named by its place in the module list, as state_dict() names them.
  let k = 0;
  modules.forEach((module, index) => {
    if (module.module !== 'Linear') return;
    const layer = dense[k++]!;
    checkSavable(layer.weight, `${layer.name}.weight`);
    tensors.push([`${index}.weight`, { shape: [layer.outputSize, layer.inputSize], data: layer.weight.data }]);
    const bias = layer.bias;
    if (bias !== null) {
      checkSavable(bias, `${layer.name}.bias`);
      tensors.push([`${index}.bias`, { shape: [layer.outputSize], data: Array.from({ length: layer.outputSize }, (_, u) => bias.data[bias.size === 1 ? 0 : u]!) }]);
    }
  });
  return encodeSafetensors(tensors, model.dtype === 'float64' ? 'F64' : 'F32', {
    format: 'pt', [TORCH_MODULES_KEY]: JSON.stringify(modules), 'glassnet.torch.source': torchSource(model),
  });
}

/** What {@link fromTorchStateDict} needs besides the tensors: one activation per `Linear`, in order. */
export interface TorchArchitecture {
  activations: readonly ActivationName[];
  /** `alphas[k]`: the option of Linear k's activation (its default when undefined). */
  alphas?: readonly (number | undefined)[];
  /** `dropout[k]`: the rate of a Dropout layer right after Linear k (none when undefined). */
  dropout?: readonly (number | undefined)[];
  /** The new model's dtype (default: the tensors'). */
  dtype?: DType;
}

const KEY = /^(0|[1-9]\d{0,5})\.(weight|bias)$/;

/** Each activation's torch module and arguments at its default option (none for linear), built once for every module list read. */
const TORCH_FORMS = (Object.keys(ACTIVATION_INTEROP) as ActivationName[]).flatMap((name) => {
  const form = ACTIVATION_INTEROP[name].torch(defaultAlpha(name));
  return form === null ? [] : [{ name, module: form.module, args: form.args }];
});

/**
 * A glassnet model from a `torch.nn.Sequential` state dict of `Linear`
 * layers (read with `fromSafetensors`): the keys must all be
 * `<index>.weight` / `<index>.bias`; each index with a weight is one Dense
 * layer, in index order, sizes taken from the shapes (each layer's input
 * size the previous one's output size), activations from `architecture`.
 * Everything is checked before a layer is built.
 * @param file names the input in errors.
 * @throws GlassnetError naming the file and the key.
 */
export function fromTorchStateDict(tensors: ReadonlyMap<string, SafeTensor>, architecture: TorchArchitecture, file = 'state_dict'): Sequential {
  const fail = (code: 'unknown-name' | 'shape' | 'dtype', part: string, expected: string, found: string): never => {
    throw new GlassnetError({ code, argument: `${file}: ${part}`, expected, found });
  };
  const layers = new Map<number, { weight?: SafeTensor; bias?: SafeTensor }>();
  for (const [name, t] of tensors) {
    const match = KEY.exec(name) ?? fail('unknown-name', JSON.stringify(name), 'keys "<index>.weight" and "<index>.bias" (a torch.nn.Sequential of Linear layers)', JSON.stringify(name));
    const index = Number(match[1]);
    const entry = layers.get(index) ?? {};
    entry[match[2] as 'weight' | 'bias'] = t;
    layers.set(index, entry);
  }
  const indices = [...layers.keys()].sort((a, b) => a - b);
  const activations = architecture.activations.map((a, i) => checkActivation(a, `activations[${i}]`));
  if (indices.length !== activations.length) {
    fail('shape', 'keys', `${activations.length} Linear layers (one per activation given)`, `${indices.length} (indices ${indices.join(', ')})`);
  }
  const dtypes = new Set([...tensors.values()].map((t) => t.dtype));
  const dtype = architecture.dtype ?? (dtypes.has('F64') ? 'float64' : 'float32');
  let width = 0;
  const specs = indices.map((index, k) => {
    const { weight, bias } = layers.get(index)!;
    if (weight === undefined) return fail('unknown-name', `"${index}.bias"`, `a "${index}.weight" with it`, 'a bias alone');
    if (weight.shape.length !== 2) fail('shape', `"${index}.weight"`, 'a matrix [out, in]', `shape [${weight.shape.join(', ')}]`);
    const [units, inputs] = weight.shape as [number, number];
    if (units < 1 || inputs < 1) fail('shape', `"${index}.weight"`, 'at least one row and column', `shape [${weight.shape.join(', ')}]`);
    if (k > 0 && inputs !== width) fail('shape', `"${index}.weight"`, `${width} columns (the previous Linear's outputs)`, `shape [${weight.shape.join(', ')}]`);
    if (bias !== undefined && (bias.shape.length !== 1 || bias.shape[0] !== units)) fail('shape', `"${index}.bias"`, `shape [${units}]`, `shape [${bias.shape.join(', ')}]`);
    width = units;
    return { units, inputs, weight, bias, activation: activations[k]! };
  });
  const built: Layer[] = specs.flatMap((s, k) => {
    const dense = new Dense(s.inputs, s.units, {
      activation: s.activation,
      ...alphaOption(s.activation, architecture.alphas?.[k] ?? defaultAlpha(s.activation)),
      weights: Array.from({ length: s.units }, (_, u) => Array.from(s.weight.data.subarray(u * s.inputs, (u + 1) * s.inputs))),
      bias: s.bias === undefined ? false : Array.from(s.bias.data),
      dtype,
    });
    const rate = architecture.dropout?.[k];
    return rate === undefined ? [dense] : [dense, new Dropout(s.units, rate, { dtype })];
  });
  return new Sequential(built);
}

/**
 * Reads the module list glassnet wrote into a state dict's metadata
 * ({@link TORCH_MODULES_KEY}): the activations of its Linear layers and
 * its Dropout rates, so a glassnet export comes back without flags.
 * Undefined when absent.
 */
export function torchArchitectureFromMetadata(metadata: Readonly<Record<string, string>>, file = 'state_dict'): TorchArchitecture | undefined {
  const text = metadata[TORCH_MODULES_KEY];
  if (text === undefined || !Object.hasOwn(metadata, TORCH_MODULES_KEY)) return undefined;
  const argument = `${file}: __metadata__["${TORCH_MODULES_KEY}"]`;
  let modules: unknown;
  try {
    modules = JSON.parse(text);
  } catch (error) {
    throw new GlassnetError({ code: 'type', argument, expected: 'a JSON module list', found: describeValue(text), cause: error });
  }
  if (!Array.isArray(modules)) throw new GlassnetError({ code: 'type', argument, expected: 'a JSON module list', found: describeValue(modules) });
  // One module may stand for several activations (GELU, and GELU with approximate='tanh'): its arguments tell them apart.
  const activationOf = (module: unknown, args: unknown, alpha: unknown): ActivationName | undefined => {
    const candidates = TORCH_FORMS.filter((f) => f.module === module);
    if (candidates.length < 2) return candidates[0]?.name;
    return candidates.find((f) => (typeof alpha === 'number' ? ACTIVATION_INTEROP[f.name].torch(alpha)?.args : f.args) === args)?.name;
  };
  const activations: ActivationName[] = [];
  const alphas: (number | undefined)[] = [];
  const dropout: (number | undefined)[] = [];
  modules.forEach((m: unknown, i) => {
    const name = typeof m === 'object' && m !== null && Object.hasOwn(m, 'module') ? (m as { module: unknown }).module : undefined;
    if (name === 'Linear') activations.push('linear');
    else if (name === 'Dropout') {
      const p = (m as { p?: unknown }).p;
      if (activations.length === 0 || typeof p !== 'number' || !(p >= 0 && p < 1)) {
        throw new GlassnetError({ code: 'range', argument: `${argument}[${i}]`, expected: 'a Dropout with p in [0, 1) after a Linear', found: describeValue(p) });
      }
      dropout[activations.length - 1] = p;
    } else {
      const activation = typeof name === 'string' ? activationOf(name, (m as { args?: unknown }).args, (m as { alpha?: unknown }).alpha) : undefined;
      if (activation === undefined || activations.length === 0 || activations[activations.length - 1] !== 'linear') {
        throw new GlassnetError({ code: 'unknown-name', argument: `${argument}[${i}]`, expected: 'Linear, Dropout, or an activation module right after a Linear', found: describeValue(name) });
      }
      activations[activations.length - 1] = activation;
      const given = (m as { alpha?: unknown }).alpha;
      if (given !== undefined) {
        const alpha = typeof given === 'number' ? importedAlpha(activation, given) : null;
        if (alpha === null) throw new GlassnetError({ code: 'range', argument: `${argument}[${i}].alpha`, expected: `a value glassnet's ${activation} takes`, found: describeValue(given) });
        alphas[activations.length - 1] = alpha;
      }
    }
  });
  return { activations, alphas, dropout };
}

/**
 * A small JSON description of a state dict's architecture,
 * `{ "activations": ["tanh", "relu", "linear"] }` (one per Linear, in
 * order), parsed with `JSON.parse` and checked.
 * @throws GlassnetError naming `file` and the field.
 */
export function torchArchitectureFromJSON(text: string, file = 'architecture.json'): TorchArchitecture {
  const path = JsonPath.root(file);
  const description = expectObject(parseJson(text, path), path);
  checkKeys(description, path, ['activations']);
  const list = expectArray(required(description, 'activations', path), path.key('activations'));
  return { activations: list.map((a, i) => checkActivation(a, String(path.key('activations').index(i)))) };
}
