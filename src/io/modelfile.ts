/**
 * The JSON model file `glassnet.model` 1.x, as pure functions (no file
 * system, so they run in a browser too). docs/model-format.md documents
 * every field; the checks here and in layerspec.ts and extras.ts are that
 * document's validation rules.
 */
import { describeValue } from '../errors.js';
import { Sequential } from '../nn/model.js';
import type { DType } from '../tensor/tensor.js';
import { computeChecksum, verifyChecksum, type Checksum } from './checksum.js';
import { EXTRA_FIELDS, readExtras, type CheckedExtras, type ModelExtras } from './extras.js';
import { buildLayer, fileLayers, readArchitecture, readLayerStates, specOf, stateOf, type LayerSpec, type LayerState } from './layerspec.js';
import { JsonPath, checkKeys, expectObject, fail, field, parseJson, required, type JsonObject, type RngState } from './validate.js';

export type { BiasLayout, DenseSpec, DropoutSpec, LayerSpec, LayerState } from './layerspec.js';
export type { CheckedExtras, ModelExtras, Preprocessing, TrainingInfo } from './extras.js';
export type { JsonObject, JsonValue, RngState } from './validate.js';

/** The `format` field of every model file. */
export const MODEL_FORMAT = 'glassnet.model';
/** The version this glassnet writes. It reads every file with the same major version. */
export const MODEL_VERSION = '1.1';
const MAJOR = 1;
// 1.1: CRC-32 checksums of the tensors (and a checkpoint's state), and a dense layer's "alpha" (the activation's option).
const MINOR = 1;

/** A model file as data: what {@link modelToJSON} returns. */
export interface ModelFile {
  format: typeof MODEL_FORMAT;
  version: string;
  dtype: DType;
  architecture: { type: 'sequential'; layers: LayerSpec[] };
  /** One entry per layer, in layer order. */
  weights: LayerState[];
  preprocessing?: CheckedExtras['preprocessing'];
  training?: CheckedExtras['training'];
  optimizerState?: JsonObject;
  rngState?: RngState;
  /** CRC-32 of every tensor and extra (since 1.1; files without it still load). */
  checksum?: Checksum;
}

/** What {@link modelFromJSON} returns: a new model and the file's extras, each validated. */
export interface LoadedModel extends CheckedExtras {
  model: Sequential;
  /** The format version the file was written in (`"1.0"`, say). */
  version: string;
}

const TOP_FIELDS = ['format', 'version', 'dtype', 'architecture', 'weights', ...EXTRA_FIELDS, 'checksum'];

/**
 * The model (and extras) as a plain object in the `glassnet.model` format.
 * Refuses what could not be loaded back: layers other than Dense and
 * Dropout, invalid or repeated layer names, NaN or infinite parameters,
 * invalid extras. Float32 weights are written as the exact float64 value
 * of each float32.
 * @throws GlassnetError naming the offending layer, parameter or extras path.
 */
export function modelToJSON(model: Sequential, extras: ModelExtras = {}): ModelFile {
  const layers = fileLayers(model, 'model');
  const weights = layers.map(stateOf);
  const extrasPath = JsonPath.root('extras');
  const extrasObject = expectObject(extras, extrasPath);
  checkKeys(extrasObject, extrasPath, EXTRA_FIELDS);
  const specs = layers.map(specOf);
  const checked = readExtras(extrasObject, extrasPath, model.inputSize);
  return {
    format: MODEL_FORMAT,
    version: MODEL_VERSION,
    dtype: model.dtype,
    architecture: { type: 'sequential', layers: specs },
    weights,
    ...checked,
    checksum: computeChecksum(specs, weights, checked),
  };
}

/**
 * A model file as text: two-space indentation, containers of plain values
 * on one line, and `-0` kept (`JSON.stringify` writes `0`, so a weight of
 * -0 would not round-trip bit for bit).
 */
export function formatModelFile(file: ModelFile): string {
  return `${formatJson(file, '')}\n`;
}

/**
 * Reads a model file: `json` is its text (parsed with `JSON.parse` only) or
 * the already-parsed value. Everything is validated before anything is
 * built, and the result is a new model, so bad input changes nothing.
 * A file with a `checksum` (every file written since format 1.1) must match
 * it: a changed value is an error naming the tensor or field.
 * @param options.file names the input in errors (default `"model"`).
 * @throws GlassnetError whose `argument` is a path such as `model.json: weights[1].weight[5]`.
 */
export function modelFromJSON(json: unknown, options: { file?: string } = {}): LoadedModel {
  const root = JsonPath.root(options.file ?? 'model');
  const top = expectObject(typeof json === 'string' ? parseJson(json, root) : json, root);
  const format = required(top, 'format', root);
  if (format !== MODEL_FORMAT) fail('unknown-name', root.key('format'), JSON.stringify(MODEL_FORMAT), describeValue(format));
  // A newer minor version only adds optional fields, which this reader skips.
  const version = required(top, 'version', root);
  const lenient = readMinorVersion(version, root.key('version')) > MINOR;
  checkKeys(top, root, TOP_FIELDS, lenient);
  const dtype = required(top, 'dtype', root);
  if (dtype !== 'float32' && dtype !== 'float64') fail('dtype', root.key('dtype'), '"float32" or "float64"', describeValue(dtype));
  const specs = readArchitecture(required(top, 'architecture', root), root.key('architecture'), lenient);
  const states = readLayerStates(required(top, 'weights', root), root.key('weights'), specs, dtype, lenient);
  // Building has no side effects, so the extras may be checked against the built model.
  const model = new Sequential(specs.map((spec, i) => buildLayer(spec, states[i]!, dtype)));
  const extras = readExtras(top, root, model.inputSize);
  // Files before 1.1 have no checksum; they load as before.
  const checksum = field(top, 'checksum');
  if (checksum !== undefined) verifyChecksum(checksum, specs, states, extras, root);
  return { model, version: version as string, ...extras };
}

function readMinorVersion(value: unknown, path: JsonPath): number {
  const match = typeof value === 'string' ? /^(\d+)\.(\d+)$/.exec(value) : null;
  if (match === null) fail('type', path, 'a version string "major.minor" such as "1.0"', describeValue(value));
  const major = Number(match[1]);
  if (major > MAJOR) {
    fail('range', path, `major version ${MAJOR} (this glassnet reads ${MODEL_FORMAT} ${MAJOR}.x)`, `"${value}": the file is from a newer glassnet version; upgrade glassnet to read it`);
  }
  if (major < MAJOR) fail('range', path, `major version ${MAJOR} (no earlier version of ${MODEL_FORMAT} exists)`, `"${value}"`);
  return Number(match[2]);
}

/** JSON text with containers of plain values on one line and everything else indented. */
function formatJson(value: unknown, indent: string): string {
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : JSON.stringify(value);
  if (typeof value !== 'object' || value === null) return JSON.stringify(value);
  const entries = Array.isArray(value)
    ? value.map((v: unknown) => ['', v] as const)
    : Object.entries(value).filter(([, v]) => v !== undefined).map(([k, v]) => [`${JSON.stringify(k)}: `, v] as const);
  const [open, close] = Array.isArray(value) ? ['[', ']'] : ['{', '}'];
  if (entries.every(([, v]) => typeof v !== 'object' || v === null)) {
    const inline = entries.map(([k, v]) => k + formatJson(v, indent)).join(', ');
    return Array.isArray(value) || inline === '' ? `${open}${inline}${close}` : `${open} ${inline} ${close}`;
  }
  const inner = `${indent}  `;
  return `${open}\n${entries.map(([k, v]) => inner + k + formatJson(v, inner)).join(',\n')}\n${indent}${close}`;
}
