/**
 * File-system entry points for model files, for Node only. The browser-safe
 * parts (serialise, parse, validate) are in modelfile.ts and safetensors.ts;
 * this module adds reading and atomic writing.
 */
import { createReadStream } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { GlassnetError } from '../errors.js';
import type { Sequential } from '../nn/model.js';
import { fileError, writeFileAtomic } from './atomic.js';
import { formatModelFile, modelFromJSON, modelToJSON, type LoadedModel, type ModelExtras } from './modelfile.js';
import { fromSafetensors, toSafetensors, type SafetensorsContents } from './safetensors.js';
import { toOnnx, type OnnxExportOptions } from './onnx-export.js';
import { fromOnnx, type ImportedOnnx } from './onnx-import.js';
import { checkTfjsWeightsPath, fromTfjs, toTfjs } from './tfjs.js';
import { fromTorchStateDict, toTorchStateDict, torchArchitectureFromMetadata, type TorchArchitecture } from './torch.js';
import { JsonPath, decodeUtf8, expectArray, expectObject, parseJson, required } from './validate.js';
import type { DType } from '../tensor/tensor.js';
import { TrainedModel } from './trained.js';
import { decodeText } from '../data/text.js';

export { removeTempFilesSync, writeFileAtomic } from './atomic.js';
// The CRC-32 of float64 values that a model file's checksum uses, for the command's fingerprint of a data set.
export { crc32Float64 } from '../util/crc32.js';

/**
 * The bytes of a file.
 * @throws GlassnetError (code `io`) naming the path: missing, unreadable, a directory.
 */
async function readFileBytes(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (error) {
    throw fileError(path, 'read the file', error);
  }
}

/**
 * Saves `model` (and `extras`) as a `glassnet.model` JSON file. Everything is
 * validated and serialised before the file system is touched; the write is
 * atomic, so `path` holds either its old content or the whole new file.
 * @throws GlassnetError for a model or extras that could not be loaded back, or (code `io`) a failed write naming the path.
 */
export async function saveModel(path: string, model: Sequential, extras: ModelExtras = {}): Promise<void> {
  await writeFileAtomic(path, formatModelFile(modelToJSON(model, extras)));
}

/**
 * Loads a `glassnet.model` JSON file into a new model, validating every
 * field; errors name `path` and the position (`model.json: weights[1].weight[5]`).
 */
export async function loadModel(path: string): Promise<LoadedModel> {
  const text = decodeUtf8(await readFileBytes(path), JsonPath.root(path));
  return modelFromJSON(text, { file: path });
}

/** Saves the model's parameters as a safetensors file, atomically. */
export async function saveSafetensors(path: string, model: Sequential, metadata: Readonly<Record<string, string>> = {}): Promise<void> {
  await writeFileAtomic(path, toSafetensors(model, metadata));
}

/** Reads and validates a safetensors file; pass its `tensors` to `loadWeightsInto`. */
export async function loadSafetensors(path: string): Promise<SafetensorsContents> {
  return fromSafetensors(await readFileBytes(path), { file: path });
}

/** Saves the model as an ONNX file (see `toOnnx`), atomically. */
export async function saveOnnx(path: string, model: Sequential, options: OnnxExportOptions = {}): Promise<void> {
  await writeFileAtomic(path, toOnnx(model, options));
}

/** Reads an ONNX file of a multi-layer perceptron (see `fromOnnx`); errors name `path`. */
export async function loadOnnx(path: string, options: { dtype?: DType } = {}): Promise<ImportedOnnx> {
  return fromOnnx(await readFile(path), { file: path, ...options });
}

/** Saves the model as a PyTorch state dict in safetensors (see `toTorchStateDict`), atomically. */
export async function saveTorchStateDict(path: string, model: Sequential): Promise<void> {
  await writeFileAtomic(path, toTorchStateDict(model));
}

/**
 * Reads a PyTorch `torch.nn.Sequential` state dict from safetensors. The
 * activations (one per Linear) are `options.activations`, or else the ones
 * glassnet recorded in the file's metadata (with its Dropout layers).
 * @throws GlassnetError (argument `options.activations`) when neither gives them; others naming `path`.
 */
export async function loadTorchStateDict(path: string, options: Partial<TorchArchitecture> = {}): Promise<Sequential> {
  const { tensors, metadata } = fromSafetensors(await readFile(path), { file: path });
  const { activations, dropout, dtype } = options;
  const architecture = activations === undefined ? torchArchitectureFromMetadata(metadata, path) : { activations, ...(dropout === undefined ? {} : { dropout }) };
  if (architecture === undefined) {
    throw new GlassnetError({ code: 'type', argument: 'options.activations', expected: 'one activation per Linear layer', found: `none given, and ${path} does not record them` });
  }
  return fromTorchStateDict(tensors, { ...architecture, ...(dtype === undefined ? {} : { dtype }) }, path);
}

/**
 * Saves the model as a TensorFlow.js layers model: `dir/model.json` and
 * `dir/weights.bin` (the directory is created if needed). The weights are
 * written first, each file atomically, so a `model.json` that exists names
 * weights that do too.
 */
export async function saveTfjs(dir: string, model: Sequential): Promise<void> {
  const { modelJson, weights } = toTfjs(model);
  await mkdir(dir, { recursive: true });
  await writeFileAtomic(join(dir, modelJson.weightsManifest[0]!.paths[0]!), weights);
  await writeFileAtomic(join(dir, 'model.json'), `${JSON.stringify(modelJson, null, 1)}\n`);
}

/**
 * Loads a TensorFlow.js layers model from its `model.json`; the weight
 * files its manifest names must be plain file names in the same directory
 * (a path that climbs out is refused before anything is read).
 */
export async function loadTfjs(path: string, options: { dtype?: DType } = {}): Promise<Sequential> {
  const root = JsonPath.root(path);
  const json = expectObject(parseJson(decodeUtf8(await readFile(path), root), root), root);
  const groups = expectArray(required(json, 'weightsManifest', root), root.key('weightsManifest'));
  const files = groups.flatMap((g, i) => {
    const at = root.key('weightsManifest').index(i);
    return expectArray(required(expectObject(g, at), 'paths', at), at.key('paths')).map((p, k) => checkTfjsWeightsPath(p, String(at.key('paths').index(k))));
  });
  const parts = await Promise.all(files.map((name) => readFile(join(dirname(path), name))));
  const weights = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    weights.set(part, at);
    at += part.length;
  }
  return fromTfjs(json, weights, { file: path, ...(options.dtype === undefined ? {} : { dtype: options.dtype }) });
}

/**
 * Saves a {@link TrainedModel}: the weights with everything `glassnet
 * evaluate` and `glassnet predict` need (loss, task, classes, scalers,
 * feature encoding), atomically.
 */
export async function saveTrained(path: string, trained: TrainedModel): Promise<void> {
  await saveModel(path, trained.model, trained.toExtras());
}

/** Loads a model file as a {@link TrainedModel}, ready for raw rows. */
export async function loadTrained(path: string): Promise<TrainedModel> {
  return TrainedModel.fromLoaded(await loadModel(path), path);
}

/**
 * A text file as chunks of about `chunkBytes`, decoded as strict UTF-8
 * (a character split between chunks is joined), for the streaming CSV
 * readers (`loadTableStream`, `featureBatches`). The default 64 KiB
 * keeps each chunk's string in the young generation, which is freed as it
 * goes; 1 MiB strings went to the large-object space, which is not, and
 * reading a 38 MB file then held 150 MB instead of 65 MB.
 * @throws GlassnetError `type` at `path:line:column` of the first byte that is not UTF-8.
 */
export async function* readTextChunks(path: string, chunkBytes = 1 << 16): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  try {
    for await (const bytes of createReadStream(path, { highWaterMark: chunkBytes })) yield decoder.decode(bytes as Uint8Array, { stream: true });
    yield decoder.decode();
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    // Only on this error path is the whole file read, to name the bad byte's line and column.
    decodeText(await readFile(path), path);
    throw error;
  }
}
