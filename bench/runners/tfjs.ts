/**
 * TensorFlow.js runner, `--backend cpu` (plain JS kernels) or `--backend
 * wasm` (XNNPACK in WebAssembly). Models are written with tf.variable and
 * ops, the way tfjs-core users build them without tfjs-layers.
 */
import { createRequire, register } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { CLASSES, PIXELS, TRAIN_COUNT, accuracy, argmaxRows, loadDigits, oneHot, type Digits } from '../lib/digits.js';
import { runRunner, type Outcome, type RunnerArgs } from '../lib/protocol.js';
import { loadReferences, loadSharedStart } from '../lib/shared-start.js';
import { MLP, SEED, checkSeed, gemmWorkload, halfSquaredError, mlp1Workload, mlpWorkload, timeSeedSteps, type Evaluation, type SeedNetwork } from '../lib/workloads.js';

/**
 * Selects the backend. In Node, tfjs-backend-wasm never picks its threaded
 * binary (its WASM_HAS_MULTITHREAD_SUPPORT flag is false under IS_NODE), so
 * it loads the SIMD binary when SIMD validates; setThreadsCount(1) pins the
 * XNNPACK pool to one thread in case that ever changes.
 */
async function setup(args: RunnerArgs): Promise<Record<string, string>> {
  register('../lib/tfjs-esm-hooks.js', import.meta.url);
  await import('@tensorflow/tfjs-core/dist/register_all_gradients.js');
  if (args.backend === 'wasm') {
    const require = createRequire(import.meta.url);
    setWasmPaths(path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + path.sep);
    setThreadsCount(1);
  }
  if (args.backend !== 'cpu' && args.backend !== 'wasm') throw new Error(`--backend must be cpu or wasm, found ${args.backend}`);
  if (!(await tf.setBackend(args.backend))) throw new Error(`tf.setBackend("${args.backend}") failed`);
  await tf.ready();
  if (args.backend === 'cpu') return { backend: 'cpu' };
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  const threads = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
  return {
    backend: 'wasm',
    binary: threads === true ? 'tfjs-backend-wasm-threaded-simd.wasm' : simd === true ? 'tfjs-backend-wasm-simd.wasm' : 'tfjs-backend-wasm.wasm',
    threads: String(getThreadsCount()),
  };
}

/** A dense layer's parameters: weight `[in, out]` (tfjs's layout) and bias. */
interface DenseVars {
  w: tf.Variable;
  b: tf.Variable;
}

function denseVars(w: Float32Array, b: Float32Array, inputs: number, units: number): DenseVars {
  return { w: tf.variable(tf.tensor2d(w, [inputs, units])), b: tf.variable(tf.tensor1d(b)) };
}

function dense(x: tf.Tensor2D, layer: DenseVars): tf.Tensor2D {
  return tf.add(tf.matMul(x, layer.w), layer.b);
}

function allVars(layers: readonly DenseVars[]): tf.Variable[] {
  return layers.flatMap((l) => [l.w, l.b]);
}

/** `[out][in]` rows transposed to a flat `[in, out]` matrix. */
function transposed(rows: readonly (readonly number[])[]): Float32Array {
  return Float32Array.from({ length: rows.length * rows[0]!.length }, (_, i) => rows[i % rows.length]![Math.floor(i / rows.length)]!);
}

function seedTrainer(): SeedNetwork {
  const layers = [
    denseVars(transposed(SEED.w1), Float32Array.from(SEED.b1), 2, 2),
    denseVars(transposed(SEED.w2), Float32Array.from(SEED.b2), 2, 2),
  ];
  const x = tf.tensor2d([[...SEED.x]]);
  const t = tf.tensor2d([[...SEED.t]]);
  const forward = (): tf.Tensor2D => tf.sigmoid(dense(tf.sigmoid(dense(x, layers[0]!)), layers[1]!));
  const optimizer = tf.train.sgd(SEED.lr);
  const vars = allVars(layers);
  return {
    step: () => void optimizer.minimize(() => tf.mul(0.5, tf.sum(tf.square(tf.sub(t, forward())))), false, vars),
    loss: () => tf.tidy(() => halfSquaredError(forward().dataSync(), [...SEED.t])),
  };
}

function b1(args: RunnerArgs): Outcome {
  const trainer = seedTrainer();
  const check = checkSeed(trainer, 'float32');
  return {
    measurement: timeSeedSteps(args, (count) => {
      for (let i = 0; i < count; i++) trainer.step();
    }),
    check,
    config: { dtype: 'float32' },
  };
}

/** The B2 network from the start every library shares, its `[units][inputs]` weights transposed to tfjs's `[inputs, units]`. */
function digitsModel(args: RunnerArgs): DenseVars[] {
  return loadSharedStart(args.dataDir).map((l) => {
    const w = new Float32Array(l.inputs * l.units);
    for (let u = 0; u < l.units; u++) for (let i = 0; i < l.inputs; i++) w[i * l.units + u] = l.weight[u * l.inputs + i]!;
    return denseVars(w, l.bias, l.inputs, l.units);
  });
}

function logits(layers: readonly DenseVars[], x: tf.Tensor2D): tf.Tensor2D {
  return layers.reduce((h, layer, i) => (i === layers.length - 1 ? dense(h, layer) : tf.relu(dense(h, layer))), x);
}

/** Softmax cross-entropy and accuracy on the first `count` held-out digits. */
function evaluate(layers: readonly DenseVars[], digits: Digits, count: number): Evaluation {
  return tf.tidy(() => {
    const x = tf.tensor2d(digits.images.subarray(TRAIN_COUNT * PIXELS, (TRAIN_COUNT + count) * PIXELS), [count, PIXELS]);
    const y = tf.tensor2d(oneHot(digits.labels, TRAIN_COUNT, count), [count, CLASSES]);
    const z = logits(layers, x);
    return {
      loss: tf.losses.softmaxCrossEntropy(y, z).dataSync()[0]!,
      accuracy: accuracy(argmaxRows(z.dataSync(), count, CLASSES), digits.labels, TRAIN_COUNT),
    };
  });
}

/** Batches converted to tensors once, then SGD steps over them in order, wrapping at the end of an epoch. */
function batchTrainer(layers: readonly DenseVars[], digits: Digits, size: number, lr: number): (count: number) => void {
  const targets = oneHot(digits.labels, 0, TRAIN_COUNT);
  const data = Array.from({ length: TRAIN_COUNT / size }, (_, i) => [
    tf.tensor2d(digits.images.subarray(i * size * PIXELS, (i + 1) * size * PIXELS), [size, PIXELS]),
    tf.tensor2d(targets.subarray(i * size * CLASSES, (i + 1) * size * CLASSES), [size, CLASSES]),
  ] as const);
  const optimizer = tf.train.sgd(lr);
  const vars = allVars(layers);
  let next = 0;
  return (count) => {
    for (let i = 0; i < count; i++) {
      const [x, y] = data[next]!;
      optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, logits(layers, x)) as tf.Scalar, false, vars);
      next = (next + 1) % data.length;
    }
  };
}

function mlpBatch64(args: RunnerArgs): Outcome {
  const digits = loadDigits(args.dataDir);
  const layers = digitsModel(args);
  return {
    ...mlpWorkload(args, digits, batchTrainer(layers, digits, MLP.batch, MLP.lr), (count) => evaluate(layers, digits, count), loadReferences(args.dataDir)),
    config: { dtype: 'float32' },
  };
}

function mlpBatch1(args: RunnerArgs): Outcome {
  const digits = loadDigits(args.dataDir);
  const layers = digitsModel(args);
  return {
    ...mlp1Workload(args, batchTrainer(layers, digits, 1, MLP.batch1Lr), (count) => evaluate(layers, digits, count), { references: loadReferences(args.dataDir) }),
    config: { dtype: 'float32' },
  };
}

function gemm(args: RunnerArgs): Outcome {
  // dataSync() waits for the product and copies it out, as any caller reading the result must.
  const product = gemmWorkload(args, (a, b, n) => {
    const ta = tf.tensor2d(a, [n, n]);
    const tb = tf.tensor2d(b, [n, n]);
    return () => {
      const c = tf.matMul(ta, tb);
      const values = c.dataSync();
      c.dispose();
      return values;
    };
  });
  return { ...product, config: { dtype: 'float32', call: 'tf.matMul + dataSync' } };
}

await runRunner((args) => `tfjs-${args.backend ?? 'cpu'}`, { b1, mlp: mlpBatch64, mlp1: mlpBatch1, gemm }, setup);
