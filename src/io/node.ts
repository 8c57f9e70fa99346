/**
 * File-system entry points for model files, for Node only. The browser-safe
 * parts (serialise, parse, validate) are in modelfile.ts and safetensors.ts;
 * this module adds reading and atomic writing.
 */
import { readFile } from 'node:fs/promises';
import type { Sequential } from '../nn/model.js';
import { fileError, writeFileAtomic } from './atomic.js';
import { formatModelFile, modelFromJSON, modelToJSON, type LoadedModel, type ModelExtras } from './modelfile.js';
import { fromSafetensors, toSafetensors, type SafetensorsContents } from './safetensors.js';
import { JsonPath, decodeUtf8 } from './validate.js';

export { fileError, removeTempFilesSync, writeFileAtomic } from './atomic.js';

/**
 * The bytes of a file.
 * @throws GlassnetError (code `io`) naming the path: missing, unreadable, a directory.
 */
export async function readFileBytes(path: string): Promise<Uint8Array> {
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
