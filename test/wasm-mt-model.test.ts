// Model-level bit identity with two threads: a network whose matmuls are
// large enough for `wasm-mt` to split them between threads trains to the
// same bits as on one-thread `wasm`, on the planned and the recorded path
// and through fit. (tiny.test.ts and dense-inference.test.ts run their
// small-model comparisons on wasm-mt too.)
import { availableParallelism } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import {
  Random, SGD, Trainer, fit, getLoss, mlp, tensor, trainStep, type Sequential,
} from '../src/index.js';
import { getBackend, setBackend, type BackendName, type WasmBackend } from '../src/backend/index.js';

const initial = getBackend().name;
const available = setBackend('wasm-mt') === 'wasm-mt';
const threads = available ? (getBackend() as WasmBackend).threads() : 1;
// One core gives wasm-mt one thread: the comparison would be of wasm with itself.
const threaded = available && threads > 1;
setBackend(initial);
afterAll(() => {
  setBackend(initial);
});

// 64 × 256 · 256 × 128 is 2^21 multiply-adds, at the size from which wasm-mt splits a product between threads.
const [ROWS, INPUTS, HIDDEN, OUTPUTS] = [64, 256, 128, 10];
const STEPS = 3;

function data(): { x: Float32Array; y: Float32Array } {
  const random = new Random(5);
  const x = Float32Array.from({ length: ROWS * INPUTS }, () => random.uniform(-1, 1));
  const y = new Float32Array(ROWS * OUTPUTS);
  for (let r = 0; r < ROWS; r++) y[r * OUTPUTS + random.int(OUTPUTS)] = 1;
  return { x, y };
}

const network = (): Sequential => mlp([INPUTS, HIDDEN, OUTPUTS], { activation: 'relu', outputActivation: 'sigmoid', seed: 9 });
const parameters = (model: Sequential): number[][] => model.parameters().map((p) => Array.from(p.data));

/** Parameters and losses after STEPS steps through a Trainer (the planned path) on `backend`. */
function planned(backend: BackendName): { params: number[][]; losses: number[]; path: string } {
  setBackend(backend);
  const model = network();
  const trainer = new Trainer(model, { loss: 'mse', optimizer: new SGD(model.parameters(), 0.5), batchSize: ROWS });
  const { x, y } = data();
  const losses = Array.from({ length: STEPS }, () => trainer.step(x, y));
  return { params: parameters(model), losses, path: trainer.path };
}

/** The same through trainStep (the recorded autograd path). */
function recorded(backend: BackendName): { params: number[][]; losses: number[] } {
  setBackend(backend);
  const model = network();
  const optimizer = new SGD(model.parameters(), 0.5);
  const { x, y } = data();
  const [xs, ys] = [tensor(x, { shape: [ROWS, INPUTS] }), tensor(y, { shape: [ROWS, OUTPUTS] })];
  const losses = Array.from({ length: STEPS }, () => trainStep(model, getLoss('mse'), optimizer, xs, ys));
  return { params: parameters(model), losses };
}

it('runs with more than one thread where the machine has more than one core', () => {
  expect(available && threads > 1).toBe(availableParallelism() > 1);
});

describe.runIf(threaded)(`wasm-mt (${threads} threads) trains a model to the bits of one-thread wasm`, () => {
  it('planned path', () => {
    const one = planned('wasm');
    const two = planned('wasm-mt');
    expect(two.path).toBe('planned');
    expect(two.losses).toEqual(one.losses);
    expect(two.params).toEqual(one.params);
    // The steps changed the weights (the comparison is not of untouched initial values).
    expect(two.params).not.toEqual(parameters(network()));
  });

  it('recorded path, equal to the planned one', () => {
    const one = recorded('wasm');
    const two = recorded('wasm-mt');
    expect(two.losses).toEqual(one.losses);
    expect(two.params).toEqual(one.params);
    expect(two.params).toEqual(planned('wasm-mt').params);
  });

  it('fit, with shuffled batches over two epochs', () => {
    const { x, y } = data();
    const rows = (flat: Float32Array, width: number) => Array.from({ length: ROWS }, (_, r) => Array.from(flat.subarray(r * width, (r + 1) * width)));
    const [xs, ys] = [rows(x, INPUTS), rows(y, OUTPUTS)];
    // fit's own default ('auto') would put this batch on every core for both runs: each is pinned to its backend's threads.
    const run = (backend: BackendName, count: number) => {
      setBackend(backend);
      const model = network();
      const result = fit(model, xs, ys, { loss: 'mse', lr: 0.5, epochs: 2, batchSize: ROWS, shuffle: true, seed: 4, threads: count });
      return { params: parameters(model), losses: result.history.map((h) => h.loss) };
    };
    const one = run('wasm', 1);
    expect(run('wasm-mt', threads)).toEqual(one);
  });
});
