// The planned training step must be the recorded computation, bit for bit:
// the explain trace reads the recorded path, training runs the planned one.
import { describe, expect, it } from 'vitest';
import {
  Random, SGD, fit, getLoss, mlp, mul, tensor, trainStep, type ActivationName, type DType, type Dense, type LossName, type Sequential,
} from '../src/index.js';

const parameters = (model: Sequential) => model.parameters().map((p) => Array.from(p.data));

function data(rows: number, inputs: number, outputs: number, loss: LossName, seed: number) {
  const random = new Random(seed);
  const x = Array.from({ length: rows }, () => Array.from({ length: inputs }, () => random.uniform(-1, 1)));
  const y = Array.from({ length: rows }, () => {
    const hot = random.int(outputs);
    return Array.from({ length: outputs }, (_, j) => loss === 'softmaxCrossEntropy' ? (j === hot ? 1 : 0) : random.uniform(0.05, 0.95));
  });
  return { x, y };
}

const cases: [string, number[], ActivationName, ActivationName, LossName, DType, number][] = [
  ['article shape, squared error, batch 1', [2, 2, 2], 'sigmoid', 'sigmoid', 'squaredError', 'float64', 1],
  ['relu net, softmax cross-entropy, batch 4 of 10', [5, 7, 6, 3], 'relu', 'linear', 'softmaxCrossEntropy', 'float32', 4],
  ['tanh net, mse, one batch', [3, 4, 2], 'tanh', 'linear', 'mse', 'float64', 10],
  ['leaky relu, bce, batch 3', [4, 5, 2], 'leakyRelu', 'sigmoid', 'binaryCrossEntropy', 'float32', 3],
  ['softmax output, squared error', [3, 6, 4], 'sigmoid', 'softmax', 'squaredError', 'float64', 5],
  // Past SMALL_MATMUL_WORK, where wasm fuses the bias and activation into the product: packed (batch 8) and thin (batch 1).
  ['relu net past the small-work size, float32, batch 8', [20, 16, 12, 3], 'relu', 'linear', 'softmaxCrossEntropy', 'float32', 8],
  ['leaky relu past the small-work size, float32, batch 1', [40, 24, 5], 'leakyRelu', 'sigmoid', 'binaryCrossEntropy', 'float32', 1],
  ['tanh past the small-work size, float32, batch 6', [30, 18, 4], 'tanh', 'softmax', 'squaredError', 'float32', 6],
  // Records added after the plan was written: nothing in it names them.
  ['gelu net, bce with logits, batch 3', [4, 6, 2], 'gelu', 'linear', 'binaryCrossEntropyWithLogits', 'float32', 3],
  ['elu net, huber, batch 4', [3, 5, 2], 'elu', 'linear', 'huber', 'float64', 4],
  ['silu net, mae, batch 5', [3, 5, 2], 'silu', 'linear', 'mae', 'float32', 5],
  ['geluTanh / softplus past the small-work size, softmax cross-entropy, batch 8', [20, 16, 3], 'geluTanh', 'softplus', 'softmaxCrossEntropy', 'float32', 8],
];

describe('loss options on the planned path', () => {
  it.each([
    ['softmaxCrossEntropy', { weight: [0.5, 2, 1] }],
    ['binaryCrossEntropyWithLogits', { weight: [3, 0.25, 1] }],
    ['huber', { delta: 0.3 }],
  ] as const)('%s with %j: the plan equals the recorded step bit for bit', async (loss, lossOptions) => {
    const { Trainer } = await import('../src/index.js');
    const { x, y } = data(8, 4, 3, loss, 6);
    const make = () => mlp([4, 5, 3], { activation: 'tanh', outputActivation: 'linear', seed: 3, dtype: 'float32' });
    const planned = make();
    const recorded = make();
    const trainer = new Trainer(planned, { loss, lossOptions, lr: 0.1, batchSize: 4 });
    expect(trainer.path).toBe('planned');
    const optimizer = new SGD(recorded.parameters(), 0.1);
    for (let start = 0; start < 8; start += 4) {
      const bx = tensor(x.slice(start, start + 4), { dtype: 'float32' });
      const by = tensor(y.slice(start, start + 4), { dtype: 'float32' });
      expect(trainer.step(bx.data, by.data, 4)).toBe(trainStep(recorded, getLoss(loss, lossOptions), optimizer, bx, by));
    }
    expect(parameters(planned)).toEqual(parameters(recorded));
  });
});

describe('the planned training step equals the recorded one bit for bit', () => {
  it.each(cases)('%s', (_name, sizes, activation, outputActivation, loss, dtype, batchSize) => {
    const { x, y } = data(10, sizes[0]!, sizes[sizes.length - 1]!, loss, 5);
    const planned = mlp(sizes, { activation, outputActivation, seed: 9, dtype });
    const recorded = mlp(sizes, { activation, outputActivation, seed: 9, dtype });
    for (const layer of [...planned.layers, ...recorded.layers]) (layer as Dense).bias!.data.fill(0.1);

    const result = fit(planned, x, y, { loss, lr: 0.05, epochs: 3, batchSize, shuffle: false });

    const optimizer = new SGD(recorded.parameters(), 0.05);
    const history: number[] = [];
    for (let epoch = 0; epoch < 3; epoch++) {
      let sum = 0;
      let batches = 0;
      for (let start = 0; start < x.length; start += batchSize) {
        const bx = tensor(x.slice(start, start + batchSize), { dtype });
        const by = tensor(y.slice(start, start + batchSize), { dtype });
        sum += trainStep(recorded, getLoss(loss), optimizer, bx, by);
        batches++;
      }
      history.push(sum / batches);
    }
    expect(parameters(planned)).toEqual(parameters(recorded));
    expect(result.history.map((h) => h.loss)).toEqual(history);
    expect(parameters(planned)).not.toEqual(parameters(mlp(sizes, { activation, outputActivation, seed: 9, dtype })));
  });
});

describe('fit with an optimizer, a schedule and clipping', () => {
  it('applies clip, then the scheduled rate, then the update, every step', async () => {
    const { Adam, applySchedule, clipGradNorm, cosineAnnealing, backward } = await import('../src/index.js');
    const { x, y } = data(12, 3, 2, 'mse', 8);
    const schedule = cosineAnnealing({ tMax: 20, etaMin: 0.001 });
    const planned = mlp([3, 5, 2], { activation: 'tanh', outputActivation: 'linear', seed: 4, dtype: 'float64' });
    const recorded = mlp([3, 5, 2], { activation: 'tanh', outputActivation: 'linear', seed: 4, dtype: 'float64' });
    fit(planned, x, y, { loss: 'mse', optimizer: new Adam(planned.parameters(), { lr: 0.05 }), schedule, clipNorm: 0.5, epochs: 5, batchSize: 4, shuffle: false });

    const optimizer = new Adam(recorded.parameters(), { lr: 0.05 });
    for (let epoch = 0; epoch < 5; epoch++) {
      for (let start = 0; start < 12; start += 4) {
        const loss = getLoss('mse')(recorded.forward(tensor(x.slice(start, start + 4), { dtype: 'float64' })), tensor(y.slice(start, start + 4), { dtype: 'float64' }));
        optimizer.zeroGrad();
        backward(loss);
        clipGradNorm(optimizer.params, 0.5);
        applySchedule(optimizer, schedule);
        optimizer.step();
      }
    }
    expect(optimizer.steps).toBe(15);
    expect(parameters(planned)).toEqual(parameters(recorded));
  });
});

describe('the planned step with dropout', () => {
  it('draws the same masks and takes the same steps as the recorded path', async () => {
    const { Dense, Dropout, Sequential } = await import('../src/index.js');
    const build = () => new Sequential([
      new Dense(4, 6, { activation: 'relu', seed: 1 }), new Dropout(6, 0.4, { seed: 2 }), new Dense(6, 3, { seed: 3 }),
    ]);
    const { x, y } = data(9, 4, 3, 'softmaxCrossEntropy', 4);
    const planned = build();
    fit(planned, x, y, { loss: 'softmaxCrossEntropy', lr: 0.1, epochs: 3, batchSize: 4, shuffle: false });
    const recorded = build();
    const optimizer = new SGD(recorded.parameters(), 0.1);
    for (let epoch = 0; epoch < 3; epoch++) {
      for (let start = 0; start < 9; start += 4) {
        trainStep(recorded, getLoss('softmaxCrossEntropy'), optimizer, tensor(x.slice(start, start + 4)), tensor(y.slice(start, start + 4)));
      }
    }
    expect(parameters(planned)).toEqual(parameters(recorded));
    expect((planned.layers[1] as InstanceType<typeof Dropout>).random.getState()).toEqual((recorded.layers[1] as InstanceType<typeof Dropout>).random.getState());
  });
});

describe('Trainer', () => {
  it('steps on raw batches through the plan, as fit does', async () => {
    const { Trainer } = await import('../src/index.js');
    const { x, y } = data(8, 3, 2, 'mse', 3);
    const viaTrainer = mlp([3, 4, 2], { activation: 'tanh', seed: 2, dtype: 'float64' });
    const trainer = new Trainer(viaTrainer, { loss: 'mse', lr: 0.05, batchSize: 8 });
    expect(trainer.path).toBe('planned');
    const losses = [1, 2, 3].map(() => trainer.step(Float64Array.from(x.flat()), Float64Array.from(y.flat())));
    const viaFit = mlp([3, 4, 2], { activation: 'tanh', seed: 2, dtype: 'float64' });
    const result = fit(viaFit, x, y, { loss: 'mse', lr: 0.05, epochs: 3 });
    expect(losses).toEqual(result.history.map((h) => h.loss));
    expect(parameters(viaTrainer)).toEqual(parameters(viaFit));
  });

  it('built inside noGrad, still plans its step, takes the same steps, and leaves noGrad in force', async () => {
    const { Trainer, noGrad } = await import('../src/index.js');
    const { x, y } = data(8, 3, 2, 'mse', 4);
    const [xs, ys] = [Float64Array.from(x.flat()), Float64Array.from(y.flat())];
    const outside = mlp([3, 4, 2], { activation: 'tanh', seed: 5, dtype: 'float64' });
    const inside = mlp([3, 4, 2], { activation: 'tanh', seed: 5, dtype: 'float64' });
    const reference = new Trainer(outside, { loss: 'mse', lr: 0.05, batchSize: 8 });
    const [trainer, stillOff] = noGrad(() => {
      const built = new Trainer(inside, { loss: 'mse', lr: 0.05, batchSize: 8 });
      return [built, mul(tensor([[1]], { requiresGrad: true }), tensor([[2]])).node === null] as const;
    });
    expect(trainer.path).toBe('planned');
    expect(stillOff).toBe(true);
    // Batch size 1 on this small network is the tiny step, which records the same way.
    expect(noGrad(() => new Trainer(mlp([3, 4, 2], { seed: 5 }), { loss: 'mse' })).path).toBe('tiny');
    const start = parameters(inside);
    // The reference steps outside noGrad, so a noGrad that stopped the updates would part the two.
    const losses = [1, 2, 3].map(() => noGrad(() => trainer.step(xs, ys)));
    expect(losses).toEqual([1, 2, 3].map(() => reference.step(xs, ys)));
    expect(parameters(inside)).toEqual(parameters(outside));
    expect(parameters(inside)).not.toEqual(start);
  });

  it('rejects batches of the wrong type or size before changing anything', async () => {
    const { Trainer, GlassnetError } = await import('../src/index.js');
    const model = mlp([3, 2], { seed: 1 });
    const before = parameters(model);
    const trainer = new Trainer(model, { batchSize: 2 });
    expect(() => trainer.step(new Float64Array(6), new Float32Array(4))).toThrow(GlassnetError);
    expect(() => trainer.step(new Float32Array(5), new Float32Array(4))).toThrow(/at least 2 × 3 values/);
    expect(() => trainer.step(new Float32Array(9), new Float32Array(6), 3)).toThrow(/rows/);
    expect(parameters(model)).toEqual(before);
  });
});

describe('one engine: the plan replays the recorded kernels', () => {
  it("a recorded node's kernel recomputes its op into the buffers it is given", async () => {
    const { matmul, sigmoid, withObserver } = await import('../src/index.js');
    type Node = import('../src/index.js').Node;
    const nodes: Node[] = [];
    const x = tensor([[0.5, -1, 2]], { dtype: 'float64' });
    const w = tensor([[0.1, 0.2, 0.3], [-0.4, 0.5, -0.6]], { dtype: 'float64', requiresGrad: true });
    const out = withObserver({ onForward: (node) => nodes.push(node), onBackward: () => undefined }, () => sigmoid(matmul(x, w, false, true)));
    expect(nodes.map((node) => node.op)).toEqual(['matmul', 'sigmoid']);
    // Forward again into other arrays, from other inputs: the same numbers as a fresh op call.
    const x2 = tensor([[-3, 0.25, 1]], { dtype: 'float64' });
    const product = { data: new Float64Array(2), shape: [1, 2] };
    const replayed = { data: new Float64Array(2), shape: [1, 2] };
    nodes[0]!.kernel.forward(product, [x2, w]);
    nodes[1]!.kernel.forward(replayed, [product]);
    expect(Array.from(replayed.data)).toEqual(Array.from(sigmoid(matmul(x2, w, false, true)).data));
    // Backward into a given array: ∂E/∂W = gᵀ·x for E's gradient g at x·Wᵀ, worked by hand (exact in float64).
    const g = Float64Array.of(1, -2);
    const into = new Float64Array(6);
    nodes[0]!.kernel.backward(g, nodes[0]!.output, nodes[0]!.inputs, [null, into], {});
    expect(Array.from(into)).toEqual([0.5, -1, 2, -1, 2, -4]);
    expect(out.node).toBe(nodes[1]);
  });

  it('building a Trainer draws nothing from a dropout generator and changes no parameter', async () => {
    const { Dense, Dropout, Sequential, Trainer } = await import('../src/index.js');
    const dropout = new Dropout(6, 0.5, { seed: 3 });
    const model = new Sequential([new Dense(4, 6, { activation: 'relu', seed: 1 }), dropout, new Dense(6, 3, { seed: 2 })]);
    const [state, before] = [dropout.random.getState(), parameters(model)];
    expect(new Trainer(model, { loss: 'softmaxCrossEntropy', batchSize: 5 }).path).toBe('planned');
    expect(dropout.random.getState()).toEqual(state);
    expect(parameters(model)).toEqual(before);
  });
});
