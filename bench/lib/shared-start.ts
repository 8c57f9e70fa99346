/**
 * B2's common starting point and its float64 reference. Every library
 * whose network is B2's (ReLU + softmax: glassnet, tfjs, PyTorch) starts
 * from the same weights, read from one file, and checks its held-out loss
 * after the untimed warm-up against the same steps taken in float64. A
 * library that trained a different network, or trained it wrong, fails
 * the check; float32 rounding alone stays far inside the tolerance.
 *
 * The files live beside the prepared digits, so the Python runner reads
 * them too: `mlp-init.f32` holds each layer's weight `[units][inputs]`
 * row-major then its bias (zeros), little-endian float32, layer after
 * layer; `mlp-reference.json` holds {@link References}.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Dense, SGD, Sequential, Tensor, Trainer, noGrad, softmaxCrossEntropy } from '../../src/index.js';
import { setBackend } from '../../src/backend/index.js';
import { Random } from '../../src/util/random.js';
import { CLASSES, PIXELS, TRAIN_COUNT, loadDigits, oneHot, type Digits } from './digits.js';
import { MLP, heUniform } from './workloads.js';

const INIT_FILE = 'mlp-init.f32';
const REFERENCE_FILE = 'mlp-reference.json';

/** One layer of the shared start, glassnet's and PyTorch's layout. */
export interface SharedLayer {
  inputs: number;
  units: number;
  /** `units × inputs`, row-major. */
  weight: Float32Array;
  bias: Float32Array;
}

/** Held-out softmax cross-entropy of the float64 run at the points the runners check. */
export interface References {
  /** Over every held-out digit, after one epoch of batch-64 steps (B2 mlp's warm-up). */
  mlpAfterWarmup: number;
  /** Over the first {@link MLP.batch1CheckSamples} held-out digits, before any step (mlp1). */
  mlp1Start: number;
  /** The same digits after {@link MLP.batch1Warmup} one-sample steps (mlp1's warm-up). */
  mlp1AfterWarmup: number;
}

function initPath(dir: string): string {
  return path.join(dir, INIT_FILE);
}

/** He-uniform weights U(±√(6/fan_in)) from {@link MLP.seed}, zero biases. */
function drawLayers(): SharedLayer[] {
  const random = new Random(MLP.seed);
  return MLP.sizes.slice(1).map((units, i) => {
    const inputs = MLP.sizes[i]!;
    return { inputs, units, weight: heUniform(units, inputs, inputs, random), bias: new Float32Array(units) };
  });
}

/** Reads the shared start (writing it first when missing). */
export function loadSharedStart(dir: string): SharedLayer[] {
  const file = initPath(dir);
  if (!existsSync(file)) {
    const layers = drawLayers();
    writeFileSync(file, Buffer.concat(layers.flatMap((l) => [Buffer.from(l.weight.buffer), Buffer.from(l.bias.buffer)])));
  }
  const raw = readFileSync(file);
  const values = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  let offset = 0;
  const take = (n: number): Float32Array => values.slice(offset, (offset += n));
  return MLP.sizes.slice(1).map((units, i) => {
    const inputs = MLP.sizes[i]!;
    return { inputs, units, weight: take(units * inputs), bias: take(units) };
  });
}

/** B2's network in glassnet, of `dtype`, starting from the shared weights. */
export function sharedModel(layers: readonly SharedLayer[], dtype: 'float32' | 'float64'): Sequential {
  return new Sequential(layers.map((l, i) => {
    const dense = new Dense(l.inputs, l.units, { activation: i === layers.length - 1 ? 'linear' : 'relu', dtype, seed: 0 });
    dense.weight.data.set(l.weight);
    dense.bias!.data.set(l.bias);
    return dense;
  }));
}

/** Held-out softmax cross-entropy of `model` on the first `count` held-out digits. */
function heldOutLoss(model: Sequential, digits: Digits, count: number): number {
  const kind = model.dtype === 'float64' ? Float64Array : Float32Array;
  const x = new Tensor(kind.from(digits.images.subarray(TRAIN_COUNT * PIXELS, (TRAIN_COUNT + count) * PIXELS)), [count, PIXELS]);
  const y = new Tensor(kind.from(oneHot(digits.labels, TRAIN_COUNT, count)), [count, CLASSES]);
  return noGrad(() => softmaxCrossEntropy(model.predict(x), y).item());
}

/** `steps` SGD steps of `size` samples in data order from the start of the training digits, in float64. */
function trainFloat64(model: Sequential, digits: Digits, size: number, lr: number, steps: number): void {
  const trainer = new Trainer(model, { loss: 'softmaxCrossEntropy', optimizer: new SGD(model.parameters(), lr), batchSize: size });
  const x = Float64Array.from(digits.images.subarray(0, steps * size * PIXELS));
  const y = Float64Array.from(oneHot(digits.labels, 0, steps * size));
  for (let s = 0; s < steps; s++) {
    trainer.step(x.subarray(s * size * PIXELS, (s + 1) * size * PIXELS), y.subarray(s * size * CLASSES, (s + 1) * size * CLASSES));
  }
}

/**
 * The references, computed once in float64 on glassnet's reference `js`
 * kernels (whose float64 gradients match PyTorch's to 1e-12 in the test
 * suite) and cached beside the digits.
 */
export function prepareReferences(dir: string): References {
  const file = path.join(dir, REFERENCE_FILE);
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as References;
  setBackend('js');
  const digits = loadDigits(dir);
  const layers = loadSharedStart(dir);
  const heldOut = digits.count - TRAIN_COUNT;
  const batch64 = sharedModel(layers, 'float64');
  trainFloat64(batch64, digits, MLP.batch, MLP.lr, TRAIN_COUNT / MLP.batch);
  const batch1 = sharedModel(layers, 'float64');
  const mlp1Start = heldOutLoss(batch1, digits, MLP.batch1CheckSamples);
  trainFloat64(batch1, digits, 1, MLP.batch1Lr, MLP.batch1Warmup);
  const references: References = {
    mlpAfterWarmup: heldOutLoss(batch64, digits, heldOut),
    mlp1Start,
    mlp1AfterWarmup: heldOutLoss(batch1, digits, MLP.batch1CheckSamples),
  };
  writeFileSync(file, `${JSON.stringify(references, null, 2)}\n`);
  return references;
}

/** Reads what {@link prepareReferences} wrote (the orchestrator prepares it before any runner starts). */
export function loadReferences(dir: string): References {
  return JSON.parse(readFileSync(path.join(dir, REFERENCE_FILE), 'utf8')) as References;
}
