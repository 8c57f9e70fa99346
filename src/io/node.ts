/**
 * File-system entry points for model files, for Node only. The browser-safe
 * parts (serialise, parse, validate) are in modelfile.ts and safetensors.ts;
 * this module adds reading and atomic writing.
 */
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { Sequential } from '../nn/model.js';
import { writeFileAtomic } from './atomic.js';
import { formatModelFile, modelFromJSON, modelToJSON, type LoadedModel, type ModelExtras } from './modelfile.js';
import { fromSafetensors, toSafetensors, type SafetensorsContents } from './safetensors.js';
import { JsonPath, decodeUtf8 } from './validate.js';
import { TrainedModel } from './trained.js';
import { decodeText } from '../data/text.js';

export { writeFileAtomic } from './atomic.js';

/**
 * Saves `model` (and `extras`) as a `glassnet.model` JSON file. Everything is
 * validated and serialised before the file system is touched; the write is
 * atomic, so `path` holds either its old content or the whole new file.
 * @throws GlassnetError for a model or extras that could not be loaded back; fs errors as Node raises them.
 */
export async function saveModel(path: string, model: Sequential, extras: ModelExtras = {}): Promise<void> {
  await writeFileAtomic(path, formatModelFile(modelToJSON(model, extras)));
}

/**
 * Loads a `glassnet.model` JSON file into a new model, validating every
 * field; errors name `path` and the position (`model.json: weights[1].weight[5]`).
 */
export async function loadModel(path: string): Promise<LoadedModel> {
  const text = decodeUtf8(await readFile(path), JsonPath.root(path));
  return modelFromJSON(text, { file: path });
}

/** Saves the model's parameters as a safetensors file, atomically. */
export async function saveSafetensors(path: string, model: Sequential, metadata: Readonly<Record<string, string>> = {}): Promise<void> {
  await writeFileAtomic(path, toSafetensors(model, metadata));
}

/** Reads and validates a safetensors file; pass its `tensors` to `loadWeightsInto`. */
export async function loadSafetensors(path: string): Promise<SafetensorsContents> {
  return fromSafetensors(await readFile(path), { file: path });
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
 * readers (`loadTableStream`, `featureBatches`).
 * @throws GlassnetError `type` at `path:line:column` of the first byte that is not UTF-8.
 */
export async function* readTextChunks(path: string, chunkBytes = 1 << 20): AsyncGenerator<string> {
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
