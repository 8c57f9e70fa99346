import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Random } from '../../src/util/random.js';

/** Pixels per digit (28×28). */
export const PIXELS = 784;
export const CLASSES = 10;
/** Training samples of B2: 128 minibatches of 64. */
export const TRAIN_COUNT = 8192;
/** Seed of the one fixed shuffle every library sees. */
const SHUFFLE_SEED = 1;
const IMAGES_FILE = 'digits-images.f32';
const LABELS_FILE = 'digits-labels.u8';

/**
 * The `mnist` package's digits in one fixed shuffled order: the first
 * {@link TRAIN_COUNT} train, the rest are held out for the accuracy check.
 */
export interface Digits {
  /** `count × 784` pixels in [0, 1], row-major. */
  images: Float32Array;
  labels: Uint8Array;
  count: number;
}

/**
 * Writes the shuffled digits as raw little-endian files (float32 pixels,
 * uint8 labels) once, so that JS and Python runners read identical data
 * and no runner parses JSON.
 */
export function prepareDigits(dir: string): void {
  if (existsSync(path.join(dir, IMAGES_FILE)) && existsSync(path.join(dir, LABELS_FILE))) return;
  const require = createRequire(import.meta.url);
  const digitsDir = path.join(path.dirname(require.resolve('mnist/package.json')), 'src', 'digits');
  const perClass = Array.from({ length: CLASSES }, (_, label) => {
    const { data } = JSON.parse(readFileSync(path.join(digitsDir, `${label}.json`), 'utf8')) as { data: number[] };
    return data;
  });
  const count = perClass.reduce((total, data) => total + data.length / PIXELS, 0);
  const order: Array<[label: number, index: number]> = perClass.flatMap((data, label) => Array.from({ length: data.length / PIXELS }, (_, i): [number, number] => [label, i]));
  new Random(SHUFFLE_SEED).shuffle(order);
  const images = new Float32Array(count * PIXELS);
  const labels = new Uint8Array(count);
  order.forEach(([label, index], row) => {
    images.set(perClass[label]!.slice(index * PIXELS, (index + 1) * PIXELS), row * PIXELS);
    labels[row] = label;
  });
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, IMAGES_FILE), images);
  writeFileSync(path.join(dir, LABELS_FILE), labels);
}

/** Reads what {@link prepareDigits} wrote. */
export function loadDigits(dir: string): Digits {
  prepareDigits(dir);
  const raw = readFileSync(path.join(dir, IMAGES_FILE));
  const images = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  const labels = new Uint8Array(readFileSync(path.join(dir, LABELS_FILE)));
  return { images, labels, count: labels.length };
}

/** One-hot rows for `labels[start .. start+count)`. */
export function oneHot(labels: Uint8Array, start: number, count: number): Float32Array {
  const out = new Float32Array(count * CLASSES);
  for (let i = 0; i < count; i++) out[i * CLASSES + labels[start + i]!] = 1;
  return out;
}

/** Index of the largest value in each row of a `rows × cols` matrix. */
export function argmaxRows(values: ArrayLike<number>, rows: number, cols: number): Int32Array {
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let c = 1; c < cols; c++) if (values[r * cols + c]! > values[r * cols + best]!) best = c;
    out[r] = best;
  }
  return out;
}

/** Fraction of `predicted[i] === labels[start + i]`. */
export function accuracy(predicted: Int32Array, labels: Uint8Array, start: number): number {
  let right = 0;
  for (let i = 0; i < predicted.length; i++) if (predicted[i] === labels[start + i]) right++;
  return right / predicted.length;
}
