// Bad input: a GlassnetError that names the argument, what was expected and
// what was found, and no state changed by the failed call.
import { describe, expect, it } from 'vitest';
import {
  Dense, SGD, Sequential, articleNetwork, fit, gradCheck, matmul, mlp, squaredError, tensor, trainStep, type Dense as DenseT,
} from '../src/index.js';
import { setBackend } from '../src/backend/index.js';
import { thrown } from './helpers/errors.js';

const weightsOf = (model: Sequential) => model.layers.map((l) => Array.from((l as DenseT).weight.data));

describe('errors name the argument, the expectation and the finding', () => {
  it.each([
    ['NaN in inputs', () => fit(articleNetwork(), [[0.02, NaN]], [[0.5, 0.9]]), 'not-finite', 'x[0][1]', 'NaN'],
    ['Infinity in targets', () => fit(articleNetwork(), [[0.02, 0.04]], [[Infinity, 0.9]]), 'not-finite', 'y[0][0]', 'Infinity'],
    ['NaN in weights', () => new Dense(2, 2, { weights: [[0.1, 0.2], [NaN, 0.4]] }), 'not-finite', 'options.weights[1][0]', 'NaN'],
    ['ragged weights', () => new Dense(2, 2, { weights: [[0.1, 0.2], [0.3]] }), 'shape', 'options.weights[1]', 'an array of length 1'],
    ['wrong weight shape', () => new Dense(3, 2, { weights: [[0.1, 0.2], [0.3, 0.4]] }), 'shape', 'options.weights', 'shape [2, 2]'],
    ['empty data', () => fit(articleNetwork(), [], []), 'empty', 'x', 'an empty array'],
    ['input width', () => fit(articleNetwork(), [[1, 2, 3]], [[0.5, 0.9]]), 'shape', 'x', 'shape [1, 3]'],
    ['target width', () => fit(articleNetwork(), [[1, 2]], [[0.5]]), 'shape', 'y', 'shape [1, 1]'],
    ['row counts', () => fit(articleNetwork(), [[1, 2], [3, 4]], [[0.5, 0.9]]), 'shape', 'y', '1 rows'],
    ['zero learning rate', () => fit(articleNetwork(), [[1, 2]], [[0.5, 0.9]], { lr: 0 }), 'range', 'options.lr', '0'],
    ['negative learning rate', () => new SGD([], -0.1), 'range', 'lr', '-0.1'],
    ['NaN learning rate', () => fit(articleNetwork(), [[1, 2]], [[0.5, 0.9]], { lr: NaN }), 'range', 'options.lr', 'NaN'],
    ['infinite learning rate', () => fit(articleNetwork(), [[1, 2]], [[0.5, 0.9]], { lr: Infinity }), 'range', 'options.lr', 'Infinity'],
    ['unknown activation', () => new Dense(2, 2, { activation: 'swish' as never }), 'unknown-name', 'options.activation', '"swish"'],
    ['unknown loss', () => fit(articleNetwork(), [[1, 2]], [[0.5, 0.9]], { loss: 'hinge' as never }), 'unknown-name', 'options.loss', '"hinge"'],
    ['NaN as an activation name', () => new Dense(2, 2, { activation: NaN as never }), 'unknown-name', 'options.activation', 'NaN'],
    ['unknown initialiser', () => new Dense(2, 2, { init: 'orthogonal' as never }), 'unknown-name', 'options.init', '"orthogonal"'],
    ['unknown backend', () => setBackend('gpu' as never), 'unknown-name', 'backend', '"gpu"'],
    ['bad epochs', () => fit(articleNetwork(), [[1, 2]], [[0.5, 0.9]], { epochs: 1.5 }), 'range', 'options.epochs', '1.5'],
    ['bad threshold', () => fit(articleNetwork(), [[1, 2]], [[0.5, 0.9]], { errorThreshold: -1 }), 'range', 'options.errorThreshold', '-1'],
    ['layer chain', () => new Sequential([new Dense(2, 3), new Dense(2, 1)]), 'shape', 'layers[1]', '2'],
    ['mixed dtypes', () => new Sequential([new Dense(2, 3), new Dense(3, 1, { dtype: 'float64' })]), 'dtype', 'layers[1]', 'float64'],
    ['matmul shapes', () => matmul(tensor([[1, 2]]), tensor([[1, 2]])), 'shape', 'b', 'shape [1, 2]'],
    ['loss target shape', () => squaredError(tensor([[1, 2]]), tensor([[1, 2, 3]])), 'shape', 'target', 'shape [1, 3]'],
    ['gradCheck on float32', () => gradCheck(() => tensor([1]), [tensor([1])]), 'dtype', 'params[0]', 'float32'],
    ['non-integer units', () => new Dense(2, 0), 'range', 'units', '0'],
  ])('%s', (_what, fn, code, argument, found) => {
    const error = thrown(fn);
    expect(error.code).toBe(code);
    expect(error.argument).toBe(argument);
    expect(error.found).toBe(found);
    expect(error.expected.length).toBeGreaterThan(3);
    expect(error.message).toBe(`${argument}: expected ${error.expected}, found ${found}`);
  });
});

describe('a failed call changes nothing', () => {
  it('leaves the weights untouched when fit rejects its arguments', () => {
    const model = articleNetwork();
    const before = weightsOf(model);
    thrown(() => fit(model, [[0.02, 0.04]], [[0.5, 0.9]], { lr: -1 }));
    thrown(() => fit(model, [[0.02, 0.04]], [[0.5, NaN]]));
    thrown(() => fit(model, [[0.02, 0.04]], [[0.5, 0.9]], { loss: 'nope' as never }));
    expect(weightsOf(model)).toEqual(before);
  });

  it('stops before the update when the loss becomes non-finite, naming epoch and batch', () => {
    const model = mlp([1, 1], { activation: 'linear', seed: 1, dtype: 'float64' });
    // A huge learning rate makes the weights blow up within a few steps.
    const error = thrown(() => fit(model, [[1e150]], [[1]], { lr: 1e10, loss: 'mse', epochs: 50 }));
    expect(error.code).toBe('not-finite');
    expect(error.argument).toMatch(/^loss at epoch \d+, batch 1$/);
    expect(['NaN', 'Infinity']).toContain(error.found);
  });

  it('trainStep does not update on a non-finite loss', () => {
    const model = mlp([1, 1], { activation: 'linear', dtype: 'float64' });
    const before = weightsOf(model);
    const optimizer = new SGD(model.parameters(), 0.1);
    thrown(() => trainStep(model, squaredError, optimizer, tensor([[1e200]], { dtype: 'float64' }), tensor([[-1e200]], { dtype: 'float64' })));
    expect(weightsOf(model)).toEqual(before);
  });
});
