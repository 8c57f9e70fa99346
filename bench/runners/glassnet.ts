/**
 * glassnet's runner: `node bench/results/build/bench/runners/glassnet.js
 * --workload b1 ...` (flags in lib/protocol.ts), or `--probe` to list the
 * backends that load.
 */
import {
  Dense, SGD, Sequential, Tensor, Trainer, fit, softmaxCrossEntropy, squaredError, tensor,
  type DType,
} from '../../src/index.js';
import { createWasmBackend, getBackend, type BackendName } from '../../src/backend/index.js';
import { CLASSES, PIXELS, TRAIN_COUNT, accuracy, argmaxRows, loadDigits, oneHot, type Digits } from '../lib/digits.js';
import { runGlassnetRunner, useBackend } from '../lib/glassnet-backend.js';
import type { Outcome, RunnerArgs } from '../lib/protocol.js';
import { summarize } from '../lib/timing.js';
import { loadReferences, loadSharedStart, sharedModel } from '../lib/shared-start.js';
import { MLP, SEED, checkSeed, gemmWorkload, mlp1Workload, mlpWorkload, timeSeedSteps, type Evaluation, type SeedNetwork } from '../lib/workloads.js';

/** Every backend name; `satisfies` makes the compiler point here when the set changes. */
const BACKENDS = { js: true, 'js-fast': true, wasm: true, 'wasm-mt': true } satisfies Record<BackendName, true>;

/**
 * Limits of the memory workload. RSS moves by tens of MB with no leak
 * (the allocator returns freed pages to the OS when it likes), so RSS
 * catches only a leak the size of the 25 MB input per epoch; the JS heap
 * plus ArrayBuffers after a full GC is exact and catches small leaks.
 */
const MEM_LIMITS_MB = { rss: 32, js: 1 };

/** A {@link Trainer} of the model's dtype for `batchSize`-sample steps with plain SGD, on an allocation-free path (tiny or planned), or an error. */
function fastTrainer(model: Sequential, loss: 'squaredError' | 'softmaxCrossEntropy', lr: number, batchSize: number): Trainer {
  const trainer = new Trainer(model, { loss, optimizer: new SGD(model.parameters(), lr), batchSize });
  // The recorded fallback would time autograd under the Trainer's name.
  if (trainer.path === 'recorded') throw new Error('Trainer took the recorded (autograd) path');
  return trainer;
}

/** Copies numbers into a typed array of `dtype`, the form Trainer.step takes. */
function typed(values: readonly number[], dtype: DType): Float32Array | Float64Array {
  return dtype === 'float64' ? Float64Array.from(values) : Float32Array.from(values);
}

function seedTrainer(dtype: DType): SeedNetwork {
  const model = new Sequential([
    new Dense(2, 2, { activation: 'sigmoid', weights: SEED.w1, bias: SEED.b1, dtype }),
    new Dense(2, 2, { activation: 'sigmoid', weights: SEED.w2, bias: SEED.b2, dtype }),
  ]);
  const trainer = fastTrainer(model, 'squaredError', SEED.lr, 1);
  const x = typed(SEED.x, dtype);
  const t = typed(SEED.t, dtype);
  return {
    step: () => void trainer.step(x, t),
    loss: () => squaredError(model.predict(tensor([SEED.x], { dtype })), tensor([SEED.t], { dtype })).item(),
  };
}

/** B1 in one dtype: the network that is timed is the one that was checked, stepped on from where the check left it. */
function seedWorkload(dtype: DType): (args: RunnerArgs) => Outcome {
  return (args) => {
    const trainer = seedTrainer(dtype);
    const check = checkSeed(trainer, dtype);
    return {
      measurement: timeSeedSteps(args, (count) => {
        for (let i = 0; i < count; i++) trainer.step();
      }),
      check,
      config: { dtype, loop: 'Trainer.step (tiny path: code generated for the shape, plain SGD fused in) on one prebuilt sample' },
    };
  };
}

/** B2's network from the start every library shares. */
function digitsModel(args: RunnerArgs): Sequential {
  return sharedModel(loadSharedStart(args.dataDir), 'float32');
}

/** Softmax cross-entropy and accuracy on the first `count` held-out digits. */
function evaluate(model: Sequential, digits: Digits, count: number): Evaluation {
  const x = new Tensor(digits.images.subarray(TRAIN_COUNT * PIXELS, (TRAIN_COUNT + count) * PIXELS), [count, PIXELS]);
  const logits = model.predict(x);
  return {
    loss: softmaxCrossEntropy(logits, new Tensor(oneHot(digits.labels, TRAIN_COUNT, count), [count, CLASSES])).item(),
    accuracy: accuracy(argmaxRows(logits.data, count, CLASSES), digits.labels, TRAIN_COUNT),
  };
}

/**
 * SGD steps of `size` samples through the training digits in order,
 * wrapping at the end of an epoch; the batches are flat `size × 784` /
 * `size × 10` arrays viewing the loaded data, built once before timing.
 */
function batchTrainer(model: Sequential, digits: Digits, size: number, lr: number): (count: number) => void {
  const targets = oneHot(digits.labels, 0, TRAIN_COUNT);
  const data = Array.from({ length: TRAIN_COUNT / size }, (_, i): [Float32Array, Float32Array] => [
    digits.images.subarray(i * size * PIXELS, (i + 1) * size * PIXELS),
    targets.subarray(i * size * CLASSES, (i + 1) * size * CLASSES),
  ]);
  const trainer = fastTrainer(model, 'softmaxCrossEntropy', lr, size);
  let next = 0;
  return (count) => {
    for (let i = 0; i < count; i++) {
      const [x, y] = data[next]!;
      trainer.step(x, y);
      next = (next + 1) % data.length;
    }
  };
}

function mlpBatch64(args: RunnerArgs): Outcome {
  const digits = loadDigits(args.dataDir);
  const model = digitsModel(args);
  return {
    ...mlpWorkload(args, digits, batchTrainer(model, digits, MLP.batch, MLP.lr), (count) => evaluate(model, digits, count), loadReferences(args.dataDir)),
    config: { dtype: 'float32', loop: 'Trainer.step (planned) over prebuilt batch arrays' },
  };
}

function mlpBatch1(args: RunnerArgs): Outcome {
  const digits = loadDigits(args.dataDir);
  const model = digitsModel(args);
  return {
    ...mlp1Workload(args, batchTrainer(model, digits, 1, MLP.batch1Lr), (count) => evaluate(model, digits, count), { references: loadReferences(args.dataDir) }),
    config: { dtype: 'float32', loop: 'Trainer.step (planned) over prebuilt one-sample arrays' },
  };
}

/**
 * Full GC, a turn of the event loop, and a second GC: V8 frees ArrayBuffer
 * backing stores on a background thread, so one GC can still count the
 * last epoch's input copy.
 */
async function settle(gc: () => void): Promise<void> {
  gc();
  await new Promise((resolve) => setTimeout(resolve, 20));
  gc();
}

/**
 * B2 through the public `fit()` loop, one call per epoch, recording RSS
 * and JS memory (heap plus ArrayBuffers) after a forced GC at the end of
 * every epoch: neither may grow after epoch 1 (limits above). Throughput
 * is that of epochs 2 and later.
 */
async function memory(args: RunnerArgs): Promise<Outcome> {
  const digits = loadDigits(args.dataDir);
  const model = digitsModel(args);
  const x = new Tensor(digits.images.subarray(0, TRAIN_COUNT * PIXELS), [TRAIN_COUNT, PIXELS]);
  const y = new Tensor(oneHot(digits.labels, 0, TRAIN_COUNT), [TRAIN_COUNT, CLASSES]);
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('the memory workload needs node --expose-gc');
  const rss: number[] = [];
  const js: number[] = [];
  const rates: number[] = [];
  for (let epoch = 1; epoch <= args.epochs; epoch++) {
    const start = performance.now();
    fit(model, x, y, { loss: 'softmaxCrossEntropy', lr: MLP.lr, batchSize: MLP.batch, epochs: 1, shuffle: false, threads: columnThreads() });
    if (epoch > 1) rates.push(TRAIN_COUNT / ((performance.now() - start) / 1000));
    await settle(gc);
    const usage = process.memoryUsage();
    rss.push(usage.rss / 2 ** 20);
    js.push((usage.heapUsed + usage.arrayBuffers) / 2 ** 20);
  }
  const growth = { rss: rss[rss.length - 1]! - rss[0]!, js: js[js.length - 1]! - js[0]! };
  const mb = (v: number): string => v.toFixed(1);
  return {
    measurement: summarize(rates, 'samples/s'),
    check: {
      ok: growth.rss <= MEM_LIMITS_MB.rss && growth.js <= MEM_LIMITS_MB.js,
      detail: `after epoch 1 → ${args.epochs}: RSS ${mb(rss[0]!)} → ${mb(rss[rss.length - 1]!)} MB (limit +${MEM_LIMITS_MB.rss}), `
        + `JS heap + ArrayBuffers ${mb(js[0]!)} → ${mb(js[js.length - 1]!)} MB (limit +${MEM_LIMITS_MB.js})`,
    },
    config: { dtype: 'float32', loop: 'fit() one epoch per call, shuffle off' },
    extra: { rssMB: rss, jsMB: js, rssGrowthMB: growth.rss, jsGrowthMB: growth.js },
  };
}

/**
 * B2 through the public `fit()` loop as its users call it: one call for
 * many epochs, stopped from `onEpochEnd` once the timed sections are
 * done. Each epoch after the first is one sample of samples/s, timed
 * from one `onEpochEnd` to the next, so the rate holds everything fit
 * does per epoch (gathering batches, accuracy counting, the callback) and
 * nothing it does once per call (checking the data, the final loss).
 */
function fitLoop(args: RunnerArgs): Outcome {
  const digits = loadDigits(args.dataDir);
  const model = digitsModel(args);
  const x = new Tensor(digits.images.subarray(0, TRAIN_COUNT * PIXELS), [TRAIN_COUNT, PIXELS]);
  const y = new Tensor(oneHot(digits.labels, 0, TRAIN_COUNT), [TRAIN_COUNT, CLASSES]);
  const rates: number[] = [];
  let last = 0;
  let timed = 0;
  const result = fit(model, x, y, {
    loss: 'softmaxCrossEntropy', lr: MLP.lr, batchSize: MLP.batch, epochs: 1e6, shuffle: false, threads: columnThreads(),
    onEpochEnd: ({ epoch }) => {
      const now = performance.now();
      if (epoch > 1) {
        rates.push(TRAIN_COUNT / ((now - last) / 1000));
        timed += (now - last) / 1000;
      }
      last = now;
      return timed < args.seconds * args.reps;
    },
  });
  const accuracyNow = evaluate(model, digits, digits.count - TRAIN_COUNT).accuracy;
  return {
    measurement: summarize(rates, 'samples/s'),
    check: { ok: accuracyNow > MLP.minAccuracy, detail: `held-out accuracy ${accuracyNow.toFixed(3)} after ${result.epochs} epochs (need > ${MLP.minAccuracy})` },
    config: { dtype: 'float32', loop: 'fit(): one call, one sample per epoch after the first, shuffle off' },
  };
}

/**
 * The column's own thread count for `fit` (whose default, `'auto'`, would
 * put B2 on every core): so fit() is held to the step loop of the same
 * backend, and the threaded column is the one that measures threads.
 */
function columnThreads(): number {
  const backend = getBackend();
  return 'threads' in backend ? (backend as { threads(): number }).threads() : 1;
}

function gemm(args: RunnerArgs): Outcome {
  const backend = getBackend();
  const product = gemmWorkload(args, (a, b, n) => {
    const c = new Float32Array(n * n);
    return () => {
      backend.matmul(c, a, b, n, n, n, false, false, false);
      return c;
    };
  });
  return { ...product, config: { dtype: 'float32' } };
}

/** Tries every backend name in a fresh process and prints which ones load, the default, and whether the wasm GEMM fuses multiply-adds in this engine. */
async function probe(): Promise<void> {
  const initial = getBackend().name;
  const status: Record<string, string> = {};
  for (const name of Object.keys(BACKENDS)) {
    try {
      await useBackend(name);
      status[name] = 'ok';
    } catch (error) {
      status[name] = error instanceof Error ? error.message : String(error);
    }
  }
  console.log(JSON.stringify({ backends: status, default: initial, relaxedSimd: createWasmBackend()?.relaxedSimd ?? false }));
}

if (process.argv.includes('--probe')) await probe();
else await runGlassnetRunner({ b1: seedWorkload('float32'), b1f64: seedWorkload('float64'), mlp: mlpBatch64, mlp1: mlpBatch1, fit: fitLoop, mem: memory, gemm });
