/**
 * synaptic runner. Networks are `Architect.Perceptron`s (sigmoid units,
 * per-neuron bias); `activate` + `propagate(rate, target)` is one SGD step
 * on one sample, run through the function synaptic generates on first use.
 * Its output layer's error is t − o without the sigmoid derivative
 * (BENCH-SPEC note a), so B1's trajectory, unlike its start, differs
 * from the spec's figures, and the check says so.
 */
import synaptic, { type Layer, type Network } from 'synaptic';
import { CLASSES, PIXELS, TRAIN_COUNT, loadDigits, oneHot } from '../lib/digits.js';
import { runRunner, type Outcome, type RunnerArgs } from '../lib/protocol.js';
import { MLP, SEED, checkSeed, evaluateSquaredError, halfSquaredError, mlp1Workload, timeSeedSteps } from '../lib/workloads.js';

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

/** One SGD step on B1's sample: `propagate` needs the activations of an `activate` on that sample. */
function seedStep(net: Network): void {
  net.activate(SEED.x);
  net.propagate(SEED.lr, SEED.t);
}

function b1(args: RunnerArgs): Outcome {
  const net = seedNetwork();
  const result = checkSeed({ step: () => seedStep(net), loss: () => halfSquaredError(net.activate(SEED.x), SEED.t) }, 'float64');
  return {
    measurement: timeSeedSteps(args, (count) => {
      for (let i = 0; i < count; i++) seedStep(net);
    }),
    check: { ok: result.ok, detail: `${result.detail}; synaptic leaves the sigmoid derivative out of its output delta (BENCH-SPEC note a)` },
    config: { network: 'Architect.Perceptron', precision: 'float64' },
  };
}

/** mlp1 as an all-sigmoid perceptron trained on squared error: synaptic has no ReLU + softmax cross-entropy. */
function mlpBatch1(args: RunnerArgs): Outcome {
  const digits = loadDigits(args.dataDir);
  const targets = oneHot(digits.labels, 0, TRAIN_COUNT);
  const net = new synaptic.Architect.Perceptron(...MLP.sizes);
  let next = 0;
  const train = (count: number): void => {
    for (let i = 0; i < count; i++) {
      net.activate(digits.images.subarray(next * PIXELS, (next + 1) * PIXELS));
      net.propagate(MLP.batch1Lr, targets.subarray(next * CLASSES, (next + 1) * CLASSES));
      next = (next + 1) % TRAIN_COUNT;
    }
  };
  return {
    ...mlp1Workload(args, train, (count) => evaluateSquaredError((input) => net.activate(input), digits, count), { ownNetwork: true, warmup: BATCH1_WARMUP }),
    config: { network: 'Architect.Perceptron (all sigmoid)', loss: 'squared error', precision: 'float64' },
  };
}

await runRunner(() => 'synaptic', { b1f64: b1, mlp1: mlpBatch1 });
