// Inference through a Dense layer runs one fused kernel (denseInference →
// Backend.denseForward) when nothing is recorded; it must give exactly the
// bits of the recorded matmul, add and activation ops, on every backend.
import { afterEach, describe, expect, it } from 'vitest';
import {
  ACTIVATIONS, Dense, Random, Sequential, denseInference, noGrad, tensor,
  type ActivationName, type DType, type Tensor,
} from '../src/index.js';
import { getBackend, setBackend, type BackendName } from '../src/backend/index.js';
import { rejection } from './helpers/errors.js';

const initial = getBackend().name;
afterEach(() => {
  setBackend(initial);
});

type BiasKind = 'per unit' | 'shared' | 'none';

function layer(inputs: number, units: number, activation: ActivationName, biasKind: BiasKind, dtype: DType, seed: number): Dense {
  const random = new Random(seed);
  const bias = biasKind === 'none' ? false : biasKind === 'shared' ? 0.3 : Array.from({ length: units }, () => random.uniform(-1, 1));
  return new Dense(inputs, units, { activation, random, dtype, bias, sharedBias: biasKind === 'shared' });
}

function input(rows: number, cols: number, dtype: DType, seed: number): Tensor {
  const random = new Random(seed);
  // Zeros and exact opposites too, so relu sees 0 and −0 and the bias add meets −0.
  const values = Array.from({ length: rows * cols }, (_, i) => (i % 11 === 0 ? 0 : i % 13 === 0 ? -0 : random.uniform(-2, 2)));
  return tensor(Float64Array.from(values), { shape: [rows, cols], dtype });
}

const backends: BackendName[] = ['js', 'js-fast', 'wasm', 'wasm-mt'];
// 3×5·5×4 stays under the small-work size; 16×40·40×24 goes to the fast kernels.
const shapes = [[3, 5, 4], [16, 40, 24]] as const;

describe.each(backends)('Dense inference equals the recorded ops bit for bit (%s)', (backend) => {
  it.each(ACTIVATIONS.flatMap((activation) => (['per unit', 'shared', 'none'] as const).flatMap((bias) =>
    (['float32', 'float64'] as const).map((dtype) => [activation, bias, dtype] as const))))('%s, bias %s, %s', (activation, biasKind, dtype) => {
    setBackend(backend);
    for (const [rows, k, units] of shapes) {
      const dense = layer(k, units, activation, biasKind, dtype, rows + k);
      const x = input(rows, k, dtype, units);
      const recorded = dense.forward(x);
      const fused = noGrad(() => dense.forward(x));
      // The recorded forward built a graph; the fused one did not.
      expect(recorded.node).not.toBeNull();
      expect(fused.node).toBeNull();
      expect(fused.shape).toEqual([rows, units]);
      expect(fused.dtype).toBe(dtype);
      expect(Array.from(fused.data)).toEqual(Array.from(recorded.data));
    }
  });

  it('a model predicts with it, as its recorded forward pass', () => {
    setBackend(backend);
    const model = new Sequential([layer(30, 20, 'relu', 'per unit', 'float32', 1), layer(20, 10, 'softmax', 'per unit', 'float32', 2)]);
    const x = input(12, 30, 'float32', 3);
    expect(Array.from(model.predict(x).data)).toEqual(Array.from(model.forward(x).data));
  });
});

describe('denseInference checks its arguments', () => {
  const x = tensor([[1, 2, 3]]);
  const w = tensor([[1, 0, 1], [0, 1, 0]]);
  it.each([
    ['w', () => denseInference(x, tensor([[1, 2], [3, 4]]), null, 'relu'), 'shape'],
    ['w', () => denseInference(x, w, tensor([1, 2, 3]), 'relu'), 'shape'],
    ['x', () => denseInference(tensor([1, 2, 3]), w, null, 'linear'), 'shape'],
    ['w', () => denseInference(x, tensor([[1, 0, 1]], { dtype: 'float64' }), null, 'linear'), 'dtype'],
    ['bias', () => denseInference(x, w, tensor([1, 2], { dtype: 'float64' }), 'linear'), 'dtype'],
  ] as const)('%s (%s)', (argument, call, code) => {
    rejection(call, code, argument);
  });

  it('computes relu(x·wᵀ + b) for a small case by hand', () => {
    const out = denseInference(x, w, tensor([-5, 0.5]), 'relu');
    expect(Array.from(out.data)).toEqual([0, 2.5]);
  });
});
