// The tiny path (code generated per network shape) must be the recorded
// computation bit for bit, as the plan is: each case trains the same network
// three ways (Trainer on the tiny path, trainStep on autograd, Trainer on the
// plan) and compares every loss, output, gradient and parameter with toEqual,
// which also tells −0 from +0.
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  ARTICLE, Adam, Dense, Dropout, Random, SGD, Sequential, Trainer, articleNetwork, getLoss,
  stepDecay, tensor, trainStep, type ActivationName, type DType, type DenseOptions, type LossName, type TrainerOptions,
} from '../src/index.js';
import { SMALL_MATMUL_WORK, getBackend, setBackend, type BackendName } from '../src/backend/index.js';
import { TINY_MAX_WEIGHTS } from '../src/train/tiny.js';
import { ALLOCATION_BOUND, leastBytesPerStep } from './helpers/allocation.js';

interface LayerSpec {
  inputs: number;
  units: number;
  activation: ActivationName;
  options?: DenseOptions;
}

interface Case {
  name: string;
  build: () => Sequential;
  loss: LossName;
  lr: number;
  /** Samples cycled through, one per step. */
  samples: { x: number[]; y: number[] }[];
}

function network(dtype: DType, seed: number, layers: LayerSpec[]): () => Sequential {
  return () => {
    const random = new Random(seed);
    return new Sequential(layers.map((l) => new Dense(l.inputs, l.units, { activation: l.activation, random, dtype, bias: 0.1, ...l.options })));
  };
}

function samples(count: number, inputs: number, outputs: number, seed: number, target: (r: Random) => number): Case['samples'] {
  const random = new Random(seed);
  return Array.from({ length: count }, () => ({
    x: Array.from({ length: inputs }, () => random.uniform(-1, 1)),
    y: Array.from({ length: outputs }, () => target(random)),
  }));
}

const b1 = (dtype: DType) => () => new Sequential([
  new Dense(2, 2, { activation: 'sigmoid', weights: [[0.15, 0.2], [0.25, 0.3]], bias: [0.35, 0.35], dtype }),
  new Dense(2, 2, { activation: 'sigmoid', weights: [[0.4, 0.45], [0.5, 0.55]], bias: [0.6, 0.6], dtype }),
]);
const b1Sample = [{ x: [0.02, 0.04], y: [0.5, 0.9] }];

const cases: Case[] = [
  { name: "the article's 2-2-2, shared frozen biases, float64", build: () => articleNetwork(), loss: 'squaredError', lr: ARTICLE.learningRate, samples: [{ x: [...ARTICLE.inputs], y: [...ARTICLE.targets] }] },
  { name: 'B1 2-2-2, per-unit biases, float64', build: b1('float64'), loss: 'squaredError', lr: 0.5, samples: b1Sample },
  { name: 'B1 2-2-2, per-unit biases, float32', build: b1('float32'), loss: 'squaredError', lr: 0.5, samples: b1Sample },
  {
    name: '3-4-2 tanh / leakyRelu, mse, float32',
    build: network('float32', 3, [{ inputs: 3, units: 4, activation: 'tanh' }, { inputs: 4, units: 2, activation: 'leakyRelu' }]),
    loss: 'mse', lr: 0.1, samples: samples(5, 3, 2, 7, (r) => r.uniform(-1, 1)),
  },
  {
    name: '3-4-2 tanh / leakyRelu, mse, float64',
    build: network('float64', 3, [{ inputs: 3, units: 4, activation: 'tanh' }, { inputs: 4, units: 2, activation: 'leakyRelu' }]),
    loss: 'mse', lr: 0.1, samples: samples(5, 3, 2, 7, (r) => r.uniform(-1, 1)),
  },
  {
    // The third hidden unit never fires (bias −5): its ∂L/∂NET is ±0 every step.
    name: '2-3-1 relu / sigmoid, bce, a dead unit, float32',
    build: network('float32', 4, [
      { inputs: 2, units: 3, activation: 'relu', options: { bias: [0.2, -0.1, -5] } }, { inputs: 3, units: 1, activation: 'sigmoid' },
    ]),
    loss: 'binaryCrossEntropy', lr: 0.3, samples: samples(6, 2, 1, 8, (r) => r.int(2)),
  },
  {
    name: '2-3-1 relu / sigmoid, bce, float64',
    build: network('float64', 4, [{ inputs: 2, units: 3, activation: 'relu' }, { inputs: 3, units: 1, activation: 'sigmoid' }]),
    loss: 'binaryCrossEntropy', lr: 0.3, samples: samples(6, 2, 1, 8, (r) => r.int(2)),
  },
  {
    name: 'a layer without bias, a shared trainable bias, a linear output, float32',
    build: network('float32', 5, [
      { inputs: 3, units: 3, activation: 'sigmoid', options: { bias: false } },
      { inputs: 3, units: 2, activation: 'linear', options: { bias: 0.3, sharedBias: true } },
    ]),
    loss: 'squaredError', lr: 0.2, samples: samples(4, 3, 2, 9, (r) => r.uniform(-2, 2)),
  },
  {
    name: 'three layers, leakyRelu / relu / linear, mse, float64',
    build: network('float64', 6, [
      { inputs: 4, units: 5, activation: 'leakyRelu' }, { inputs: 5, units: 3, activation: 'relu' }, { inputs: 3, units: 2, activation: 'linear' },
    ]),
    loss: 'mse', lr: 0.05, samples: samples(7, 4, 2, 10, (r) => r.uniform(-1, 1)),
  },
  // The records added after the tiny path was written: nothing in it names them.
  {
    name: 'gelu / elu (alpha 0.5), mae, float64',
    build: network('float64', 11, [{ inputs: 3, units: 4, activation: 'gelu' }, { inputs: 4, units: 2, activation: 'elu', options: { alpha: 0.5 } }]),
    loss: 'mae', lr: 0.05, samples: samples(5, 3, 2, 12, (r) => r.uniform(-1, 1)),
  },
  {
    name: 'silu / geluTanh, huber, float32',
    build: network('float32', 13, [{ inputs: 3, units: 4, activation: 'silu' }, { inputs: 4, units: 2, activation: 'geluTanh' }]),
    loss: 'huber', lr: 0.1, samples: samples(5, 3, 2, 14, (r) => r.uniform(-3, 3)),
  },
  {
    name: 'softplus / linear, bce with logits, leakyRelu slope 0.2, float32',
    build: network('float32', 15, [
      { inputs: 2, units: 3, activation: 'softplus' }, { inputs: 3, units: 3, activation: 'leakyRelu', options: { alpha: 0.2 } }, { inputs: 3, units: 1, activation: 'linear' },
    ]),
    loss: 'binaryCrossEntropyWithLogits', lr: 0.3, samples: samples(6, 2, 1, 16, (r) => r.int(2)),
  },
];

const STEPS = 40;
const params = (model: Sequential) => model.parameters().map((p) => Array.from(p.data));
const grads = (model: Sequential) => model.parameters().map((p) => Array.from(p.grad!.data));

function typed(dtype: DType, values: number[]): Float32Array | Float64Array {
  return dtype === 'float64' ? Float64Array.from(values) : Float32Array.from(values);
}

interface Run {
  /** Steps to take (default STEPS). */
  steps?: number;
  /** Trainer options besides the loss and batch size (default: plain SGD at the case's rate). */
  options?: (model: Sequential) => TrainerOptions;
  /** Called after each step. */
  afterStep?: (trainer: Trainer) => void;
}

/**
 * Per-step losses, outputs and gradients, and the final parameters and
 * optimizer state, of a Trainer run on one sample a step.
 */
function viaTrainer(c: Case, batchSize: number, run: Run = {}) {
  const model = c.build();
  const trainer = new Trainer(model, { loss: c.loss, lr: c.lr, ...run.options?.(model), batchSize });
  const losses: number[] = [];
  const outputs: number[][] = [];
  const gradients: number[][][] = [];
  for (let s = 0; s < (run.steps ?? STEPS); s++) {
    const { x, y } = c.samples[s % c.samples.length]!;
    losses.push(trainer.step(typed(model.dtype, x), typed(model.dtype, y), 1));
    outputs.push(Array.from(trainer.outputs.subarray(0, y.length)));
    gradients.push(grads(model));
    run.afterStep?.(trainer);
  }
  return { path: trainer.path, losses, outputs, grads: gradients, params: params(model), state: trainer.optimizer.getState() };
}

/** The same run on the tiny path (batch size 1) and on the plan (batch size 2, stepped on one row): equal in everything but the path. */
function expectTinyEqualsPlan(c: Case, run: Run) {
  const tiny = viaTrainer(c, 1, run);
  expect(tiny.path).toBe('tiny');
  expect(tiny).toEqual({ ...viaTrainer(c, 2, run), path: 'tiny' });
  return tiny;
}

function viaAutograd(c: Case) {
  const model = c.build();
  const optimizer = new SGD(model.parameters(), c.lr);
  const losses: number[] = [];
  const outputs: number[][] = [];
  const gradients: number[][][] = [];
  for (let s = 0; s < STEPS; s++) {
    const { x, y } = c.samples[s % c.samples.length]!;
    outputs.push(Array.from(model.forward(tensor([x], { dtype: model.dtype })).data));
    losses.push(trainStep(model, getLoss(c.loss), optimizer, tensor([x], { dtype: model.dtype }), tensor([y], { dtype: model.dtype })));
    gradients.push(grads(model));
  }
  return { losses, outputs, grads: gradients, params: params(model) };
}

const backends: BackendName[] = ['js', 'js-fast', 'wasm', 'wasm-mt'];
const initial = getBackend().name;
afterEach(() => {
  setBackend(initial);
});

describe.each(backends)('the tiny path equals autograd and the plan bit for bit (%s backend)', (backend) => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    expect(setBackend(backend)).toBe(backend);
    const tiny = viaTrainer(c, 1);
    // A batch size of 2 stepped on one row is the same computation, on the plan.
    const planned = viaTrainer(c, 2);
    const recorded = viaAutograd(c);
    expect(tiny.path).toBe('tiny');
    expect(planned.path).toBe('planned');
    expect(tiny.losses).toEqual(recorded.losses);
    expect(tiny.losses).toEqual(planned.losses);
    expect(tiny.outputs).toEqual(recorded.outputs);
    expect(tiny.outputs).toEqual(planned.outputs);
    expect(tiny.grads).toEqual(recorded.grads);
    expect(tiny.grads).toEqual(planned.grads);
    expect(tiny.params).toEqual(recorded.params);
    expect(tiny.params).toEqual(planned.params);
    // Training moved the parameters, and the loss over the last pass through the samples is below the first pass's.
    expect(tiny.params).not.toEqual(params(c.build()));
    const pass = (from: number) => tiny.losses.slice(from, from + c.samples.length).reduce((a, b) => a + b);
    expect(pass(STEPS - c.samples.length)).toBeLessThan(pass(0));
  });
});

const saturated: Case = {
  // NET(o) = 3 + 9·33 + 8·18: the sigmoid rounds to exactly 1 in float32.
  name: 'a sigmoid output of exactly 1 (float32)',
  build: () => new Sequential([
    new Dense(2, 2, { activation: 'relu', weights: [[30, 20], [-4, 25]], bias: [1, 2], dtype: 'float32' }),
    new Dense(2, 1, { activation: 'sigmoid', weights: [[9, 8]], bias: 3, dtype: 'float32' }),
  ]),
  loss: 'binaryCrossEntropy', lr: 1e-12, samples: [{ x: [0.9, 0.8], y: [0] }, { x: [0.5, -0.7], y: [1] }],
};
const zeroOutput: Case = {
  // A linear output of exactly 0: (1 − o)·o = 0 is floored at 1e-12 in the gradient, and ∂L/∂NET is that gradient itself.
  name: 'a linear output of exactly 0 (float64)',
  build: () => new Sequential([
    new Dense(2, 2, { activation: 'tanh', weights: [[0.5, -0.4], [0.3, 0.8]], dtype: 'float64' }),
    new Dense(2, 1, { activation: 'linear', weights: [[0, 0]], bias: 0, dtype: 'float64' }),
  ]),
  loss: 'binaryCrossEntropy', lr: 1e-13, samples: [{ x: [0.3, -0.2], y: [1] }],
};

describe('edge values on the tiny path', () => {
  it.each([[saturated.name, saturated, [1]], [zeroOutput.name, zeroOutput, [0]]] as const)(
    '%s: BCE terms floored at log = −100, the gradient floor, as the reference',
    (_name, c, firstOutput) => {
      const tiny = viaTrainer(c, 1);
      const planned = viaTrainer(c, 2);
      const recorded = viaAutograd(c);
      expect(tiny.path).toBe('tiny');
      expect(tiny.outputs[0]).toEqual(firstOutput);
      // t·log(o) or (1 − t)·log(1 − o) is log(0) = −Infinity, floored at −100.
      expect(tiny.losses[0]).toBe(100);
      expect(tiny).toEqual({ ...planned, path: 'tiny' });
      expect(tiny.losses).toEqual(recorded.losses);
      expect(tiny.grads).toEqual(recorded.grads);
      expect(tiny.params).toEqual(recorded.params);
    },
  );

  it('runs the same update as the plan: Adam, clipping and L2', () => {
    const tiny = expectTinyEqualsPlan(cases[3]!, {
      steps: 20, options: (model) => ({ optimizer: new Adam(model.parameters(), { lr: 0.05 }), clipNorm: 0.3, l2: 0.01 }),
    });
    expect(tiny.state.kind).toBe('adam');
  });

  it('applies plain SGD inside the step with the optimizer counting it, as SGD.step() would', () => {
    // A rate changed between steps is the next step's rate.
    const tiny = expectTinyEqualsPlan(cases[3]!, { steps: 7, afterStep: (trainer) => { trainer.optimizer.lr *= 0.9; } });
    expect(tiny.state.steps).toBe(7);
    expect(tiny.state.params.map((p) => p.step)).toEqual([7, 7, 7, 7]);
    let lr = cases[3]!.lr;
    for (let s = 0; s < 7; s++) lr *= 0.9;
    expect(tiny.state.lr).toBe(lr);
  });

  it.each([
    ['momentum', (m: Sequential) => ({ optimizer: new SGD(m.parameters(), { lr: 0.1, momentum: 0.9 }) })],
    ['weight decay', (m: Sequential) => ({ optimizer: new SGD(m.parameters(), { lr: 0.1, weightDecay: 0.01 }) })],
    ['a schedule', (m: Sequential) => ({ optimizer: new SGD(m.parameters(), 0.1), schedule: stepDecay({ stepSize: 2, gamma: 0.5 }) })],
    ['an optimizer over the last layer only', (m: Sequential) => ({ optimizer: new SGD(m.layers[1]!.parameters(), 0.1) })],
  ] as const)('leaves the update to the optimizer with %s, as the plan does', (_name, options) => {
    const tiny = expectTinyEqualsPlan(cases[3]!, { steps: 6, options });
    expect(tiny.params).not.toEqual(params(cases[3]!.build()));
  });

  it('returns a non-finite loss with no parameter or gradient changed', () => {
    const model = b1('float64')();
    const trainer = new Trainer(model, { lr: 0.5 });
    trainer.step(Float64Array.of(0.02, 0.04), Float64Array.of(0.5, 0.9));
    const [before, gradsBefore] = [params(model), grads(model)];
    expect(trainer.step(Float64Array.of(NaN, 0.04), Float64Array.of(0.5, 0.9))).toBeNaN();
    expect(trainer.step(Float64Array.of(0.02, 0.04), Float64Array.of(Infinity, 0.9))).toBe(Infinity);
    expect(params(model)).toEqual(before);
    expect(grads(model)).toEqual(gradsBefore);
  });
});

describe("benchmark B1's check values", () => {
  // Tolerances: half a unit in the last printed digit; the float32 start is
  // held to the float64 figure, so a few float32 ulps (2.4e-9 each) more.
  it.each([
    ['float64', 3.958156e-2, 5e-9, 3.627711e-4, 5e-11],
    ['float32', 3.958156e-2, 2e-8, 3.62772e-4, 5e-10],
  ] as const)('%s: the loss at the start and after exactly 100 steps', (dtype, start, startTolerance, after, afterTolerance) => {
    const model = b1(dtype)();
    const trainer = new Trainer(model, { loss: 'squaredError', optimizer: new SGD(model.parameters(), 0.5), batchSize: 1 });
    expect(trainer.path).toBe('tiny');
    const x = typed(dtype, [0.02, 0.04]);
    const y = typed(dtype, [0.5, 0.9]);
    const first = trainer.step(x, y);
    for (let i = 1; i < 100; i++) trainer.step(x, y);
    expect(Math.abs(first - start)).toBeLessThan(startTolerance);
    expect(Math.abs(trainer.step(x, y) - after)).toBeLessThan(afterTolerance);
  });
});

describe('which models take the tiny path', () => {
  const dense = (inputs: number, units: number, options: DenseOptions = {}) => new Dense(inputs, units, { activation: 'sigmoid', ...options });
  it.each([
    ['a Dropout layer', () => new Sequential([dense(2, 3), new Dropout(3, 0.2), dense(3, 2)]), 'squaredError', 1, 'planned'],
    ['a Dropout layer of rate 0', () => new Sequential([dense(2, 3), new Dropout(3, 0), dense(3, 2)]), 'squaredError', 1, 'planned'],
    ['batch size 2', () => new Sequential([dense(2, 2), dense(2, 2)]), 'squaredError', 2, 'planned'],
    ['a softmax output', () => new Sequential([dense(2, 3), dense(3, 2, { activation: 'softmax' })]), 'squaredError', 1, 'planned'],
    ['softmax cross-entropy', () => new Sequential([dense(2, 3), dense(3, 2, { activation: 'linear' })]), 'softmaxCrossEntropy', 1, 'planned'],
    // At most TINY_MAX_WEIGHTS = 256 weights in all (each layer is then below SMALL_MATMUL_WORK = 512 too).
    ['8-16-8: 256 weights', () => new Sequential([dense(8, 16), dense(16, 8)]), 'mse', 1, 'tiny'],
    ['8-16-9: 272 weights', () => new Sequential([dense(8, 16), dense(16, 9)]), 'mse', 1, 'planned'],
    ['binary cross-entropy', () => new Sequential([dense(2, 3, { activation: 'tanh' }), dense(3, 1)]), 'binaryCrossEntropy', 1, 'tiny'],
  ] as const)('%s', (_name, build, loss, batchSize, path) => {
    expect([TINY_MAX_WEIGHTS, SMALL_MATMUL_WORK]).toEqual([256, 512]);
    expect(new Trainer(build(), { loss, batchSize }).path).toBe(path);
  });

  it('class weights', () => {
    const model = new Sequential([dense(2, 3), dense(3, 2)]);
    expect(new Trainer(model, { loss: 'binaryCrossEntropy', lossOptions: { weight: [1, 2] } }).path).toBe('planned');
  });

  it('falls back to the plan where code generation is forbidden (a Content-Security-Policy), replaying the one recorded step', () => {
    vi.stubGlobal('Function', function Forbidden() {
      throw new EvalError('Refused to evaluate a string as JavaScript');
    });
    try {
      const model = b1('float64')();
      const forward = vi.spyOn(model, 'forward');
      const trainer = new Trainer(model, { lr: 0.5 });
      expect(trainer.path).toBe('planned');
      expect(forward).toHaveBeenCalledTimes(1);
      expect(trainer.step(Float64Array.of(0.02, 0.04), Float64Array.of(0.5, 0.9))).toBeCloseTo(3.958156e-2, 8);
    } finally {
      vi.unstubAllGlobals();
    }
  });
});

describe('the tiny step in steady state', () => {
  it('allocates nothing', () => {
    const { path, bytesPerStep } = leastBytesPerStep('js', 1, 'tiny');
    expect(path).toBe('tiny');
    expect(bytesPerStep).toBeLessThan(ALLOCATION_BOUND);
  }, 120_000);
});

describe('the tiny step is compiled from the tape alone', () => {
  it('keeps layer names out of the generated source', () => {
    const sources: string[] = [];
    const RealFunction = globalThis.Function;
    vi.stubGlobal('Function', function Spy(...args: string[]) {
      sources.push(args[args.length - 1]!);
      return RealFunction(...args);
    });
    try {
      const model = b1('float64')();
      model.layers[0]!.name = '"); throw new Error("injected"); //';
      const trainer = new Trainer(model, { lr: 0.5 });
      expect(trainer.path).toBe('tiny');
      expect(trainer.step(Float64Array.of(0.02, 0.04), Float64Array.of(0.5, 0.9))).toBeCloseTo(3.958156e-2, 8);
    } finally {
      vi.unstubAllGlobals();
    }
    expect(sources.some((source) => source.includes('function sgdStep'))).toBe(true);
    expect(sources.join('\n')).not.toContain('injected');
  });
});
