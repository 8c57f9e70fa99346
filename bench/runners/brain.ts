/**
 * brain.js runner. brain.js trains one sample at a time through
 * `trainPattern`, with weights `[layer][node][input]` and per-node biases
 * that can be set before training; its constructor refuses momentum 0,
 * so the option is cleared on the instance (its update still adds
 * momentum × previous change, now 0). It stores parameters as Float32Array
 * and computes in float64, so B1 is checked against the float32 figure.
 */
import brain from 'brain.js';
import { CLASSES, PIXELS, TRAIN_COUNT, loadDigits, oneHot } from '../lib/digits.js';
import { runRunner, type Outcome, type RunnerArgs } from '../lib/protocol.js';
import { MLP, SEED, checkSeed, evaluateSquaredError, halfSquaredError, mlp1Workload, timeSeedSteps } from '../lib/workloads.js';

/** The parts of brain.js's NeuralNetwork the bench uses; its typings expose only train/run. */
interface Network {
  sizes: number[];
  weights: Float32Array[][];
  biases: Float32Array[];
  trainOpts: { learningRate: number; momentum: number };
  initialize(): void;
  trainPattern(value: { input: ArrayLike<number>; output: ArrayLike<number> }): void;
  run(input: ArrayLike<number>): Float32Array;
}

function network(sizes: number[], lr: number): Network {
  const net = new brain.NeuralNetwork({ activation: 'sigmoid' }) as unknown as Network;
  net.sizes = sizes;
  net.initialize();
  net.trainOpts.learningRate = lr;
  net.trainOpts.momentum = 0;
  return net;
}

function seedNetwork(): Network {
  const net = network([2, 2, 2], SEED.lr);
  const layers = [{ w: SEED.w1, b: SEED.b1 }, { w: SEED.w2, b: SEED.b2 }];
  layers.forEach(({ w, b }, i) => {
    w.forEach((row, node) => net.weights[i + 1]![node]!.set(row));
    net.biases[i + 1]!.set(b);
  });
  return net;
}

function b1(args: RunnerArgs): Outcome {
  const sample = { input: [...SEED.x], output: [...SEED.t] };
  const net = seedNetwork();
  return {
    check: checkSeed({ step: () => net.trainPattern(sample), loss: () => halfSquaredError(net.run(sample.input), sample.output) }, 'float32'),
    measurement: timeSeedSteps(args, (count) => {
      for (let i = 0; i < count; i++) net.trainPattern(sample);
    }),
    config: { activation: 'sigmoid', storage: 'Float32Array' },
  };
}

/** mlp1 with brain.js's only fitting option: sigmoid everywhere and squared error (no ReLU + softmax). */
function mlpBatch1(args: RunnerArgs): Outcome {
  const digits = loadDigits(args.dataDir);
  const targets = oneHot(digits.labels, 0, TRAIN_COUNT);
  const samples = Array.from({ length: TRAIN_COUNT }, (_, i) => ({
    input: digits.images.subarray(i * PIXELS, (i + 1) * PIXELS),
    output: targets.subarray(i * CLASSES, (i + 1) * CLASSES),
  }));
  const net = network([...MLP.sizes], MLP.batch1Lr);
  let next = 0;
  const train = (count: number): void => {
    for (let i = 0; i < count; i++) {
      net.trainPattern(samples[next]!);
      next = (next + 1) % TRAIN_COUNT;
    }
  };
  return {
    ...mlp1Workload(args, train, (count) => evaluateSquaredError((input) => net.run(input), digits, count), { ownNetwork: true, warmup: MLP.batch1Warmup }),
    config: { activation: 'sigmoid (all layers)', loss: 'squared error', storage: 'Float32Array' },
  };
}

await runRunner(() => 'brain.js', { b1, mlp1: mlpBatch1 });
