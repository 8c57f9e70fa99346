/**
 * synaptic runner. Networks are `Architect.Perceptron`s (sigmoid units,
 * per-neuron bias); `activate` + `propagate(rate, target)` is one SGD step
 * on one sample, run through the function synaptic generates on first use.
 * Its output layer's error is t − o without the sigmoid derivative
 * (BENCH-SPEC note a), so B1's trajectory, unlike its start, differs
 * from the spec's figures, and the check says so.
 */
import synaptic, { type Layer, type Network } from 'synaptic';
import { CLASSES, PIXELS, TRAIN_COUNT, loadDigits, oneHot, type Digits } from '../lib/digits.js';
import { runRunner, type Outcome, type RunnerArgs } from '../lib/protocol.js';
import { measureRate } from '../lib/timing.js';
import { MLP, SEED, checkBatch1, checkSeedLosses, evaluateSquaredError, halfSquaredError, type Evaluation } from '../lib/workloads.js';

/** synaptic's first activate compiles the whole network to one JS function; a few samples cover it. */
const BATCH1_WARMUP = 16;

/** Sets a layer's weights `[unit][input]` and biases, matching each connection to its source neuron. */
function setLayer(layer: Layer, previous: Layer, weights: readonly (readonly number[])[], biases: readonly number[]): void {
  layer.list.forEach((neuron, unit) => {
    neuron.bias = biases[unit]!;
    for (const connection of Object.values(neuron.connections.inputs)) {
      connection.weight = weights[unit]![previous.list.indexOf(connection.from)]!;
    }
  });
}

function seedNetwork(): Network {
  const net = new synaptic.Architect.Perceptron(2, 2, 2);
  const hidden = net.layers.hidden[0]!;
  setLayer(hidden, net.layers.input, SEED.w1, SEED.b1);
  setLayer(net.layers.output, hidden, SEED.w2, SEED.b2);
  return net;
}

function b1(args: RunnerArgs): Outcome {
  const check = seedNetwork();
  const start = halfSquaredError(check.activate(SEED.x), SEED.t);
  for (let i = 0; i < SEED.checkSteps; i++) {
    check.activate(SEED.x);
    check.propagate(SEED.lr, SEED.t);
  }
  const result = checkSeedLosses(start, halfSquaredError(check.activate(SEED.x), SEED.t), 'float64');
  const net = seedNetwork();
  const run = (count: number): void => {
    for (let i = 0; i < count; i++) {
      net.activate(SEED.x);
      net.propagate(SEED.lr, SEED.t);
    }
  };
  measureRate(run, { seconds: args.seconds, reps: 1, unitsPerCall: 1, unit: 'steps/s' });
  return {
    measurement: measureRate(run, { seconds: args.seconds, reps: args.reps, unitsPerCall: 1, unit: 'steps/s' }),
    check: { ok: result.ok, detail: `${result.detail}; synaptic leaves the sigmoid derivative out of its output delta (BENCH-SPEC note a)` },
    config: { network: 'Architect.Perceptron', precision: 'float64' },
  };
}

function evaluate(net: Network, digits: Digits, count: number): Evaluation {
  return evaluateSquaredError((input) => net.activate(input), digits, count);
}

/** mlp1 as an all-sigmoid perceptron trained on squared error: synaptic has no ReLU + softmax cross-entropy. */
function mlpBatch1(args: RunnerArgs): Outcome {
  const digits = loadDigits(args.dataDir);
  const targets = oneHot(digits.labels, 0, TRAIN_COUNT);
  const net = new synaptic.Architect.Perceptron(...MLP.sizes);
  const before = evaluate(net, digits, MLP.batch1CheckSamples);
  let next = 0;
  const run = (count: number): void => {
    for (let i = 0; i < count; i++) {
      const row = next % TRAIN_COUNT;
      net.activate(digits.images.subarray(row * PIXELS, (row + 1) * PIXELS));
      net.propagate(MLP.batch1Lr, targets.subarray(row * CLASSES, (row + 1) * CLASSES));
      next++;
    }
  };
  run(BATCH1_WARMUP);
  const measurement = measureRate(run, { seconds: args.seconds, reps: args.reps, unitsPerCall: 1, unit: 'samples/s' });
  return {
    measurement,
    check: checkBatch1(before, evaluate(net, digits, MLP.batch1CheckSamples), next),
    config: { network: 'Architect.Perceptron (all sigmoid)', loss: 'squared error', precision: 'float64' },
  };
}

await runRunner(() => 'synaptic', { b1, mlp1: mlpBatch1 });
