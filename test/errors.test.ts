// Bad input: a GlassnetError that names the argument, what was expected and
// what was found, and no state changed by the failed call.
import { describe, expect, it } from 'vitest';
import {
  DELIMITER_WORDS, Dense, Dropout, RATE, parseCsv, SGD, Sequential, articleNetwork, createSession, fit, gradCheck, loadJsonData, matmul, mlp, modelFromJSON,
  modelToJSON, networkFrom, scalerFromJSON, squaredError, tensor, trainStep, type Dense as DenseT,
} from '../src/index.js';
import { integerWords, intervalWords } from '../src/util/checks.js';
import { setBackend } from '../src/backend/index.js';
import { choiceFlag, delimiterFlag, integerFlag, intervalFlag, numberFlag, positiveFlag } from '../cli/flags.js';
import { rejection, thrown } from './helpers/errors.js';

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

describe('options are checked: a typo or an option the choice does not take is an error, not ignored', () => {
  const x = [[0.02, 0.04]];
  const y = [[0.5, 0.9]];
  it.each([
    ['Dense: a misspelled option', () => new Dense(2, 3, { activaton: 'relu' } as never), 'unknown-name', 'options.activaton'],
    ['Dense: alpha for an activation without one', () => new Dense(2, 3, { activation: 'tanh', alpha: 0.2 }), 'unknown-name', 'options.alpha'],
    ['Dense: alpha for linear (the default activation)', () => new Dense(2, 3, { alpha: 0.2 }), 'unknown-name', 'options.alpha'],
    ['Dense: an alpha ELU does not take', () => new Dense(2, 3, { activation: 'elu', alpha: 0 }), 'range', 'options.alpha'],
    ['Dropout: a misspelled option', () => new Dropout(3, 0.5, { sed: 1 } as never), 'unknown-name', 'options.sed'],
    ['mlp: a misspelled option', () => mlp([2, 3, 1], { activaton: 'relu' } as never), 'unknown-name', 'options.activaton'],
    ['mlp: alpha for sigmoid', () => mlp([2, 3, 1], { alpha: 0.1 }), 'unknown-name', 'options.alpha'],
    ['networkFrom: a misspelled field', () => networkFrom({ sizes: [2, 1], activaton: 'relu' } as never), 'unknown-name', 'spec.activaton'],
    ['fit: a misspelled option', () => fit(articleNetwork(), x, y, { epoch: 3 } as never), 'unknown-name', 'options.epoch'],
    ['fit: lossOptions the loss does not take', () => fit(articleNetwork(), x, y, { loss: 'mse', lossOptions: { delta: 1 } }), 'unknown-name', 'options.lossOptions.delta'],
    ['createSession: a misspelled option', () => createSession({ sizes: [2, 2] }, { x, y }, { batchsize: 1 } as never), 'unknown-name', 'options.batchsize'],
    ['SGD: a misspelled option', () => new SGD([], { lr: 0.1, momentun: 0.9 } as never), 'unknown-name', 'options.momentun'],
    ['tensor: a misspelled option', () => tensor([1, 2], { dtyp: 'float64' } as never), 'unknown-name', 'options.dtyp'],
  ])('%s', (_what, fn, code, argument) => {
    const error = rejection(fn, code, argument);
    if (code === 'unknown-name' && argument.startsWith('options.') && !argument.endsWith('alpha') && !argument.includes('lossOptions')) {
      expect(error.expected).toMatch(/^an option: one of "/);
    }
  });

  it('an option the model has not changed anything', () => {
    const model = articleNetwork();
    const before = weightsOf(model);
    thrown(() => fit(model, x, y, { epoch: 3 } as never));
    expect(weightsOf(model)).toEqual(before);
  });

  it('tensor(flat, { shape }) takes the shape, as its documentation says', () => {
    expect(tensor([1, 2, 3, 4, 5, 6], { shape: [3, 2] }).toArray()).toEqual([[1, 2], [3, 4], [5, 6]]);
    expect(tensor(Float32Array.of(1, 2, 3, 4, 5, 6), { shape: [2, 3] }).toArray()).toEqual([[1, 2, 3], [4, 5, 6]]);
    expect(tensor([[1, 2], [3, 4]], { shape: [2, 2] }).toArray()).toEqual([[1, 2], [3, 4]]);
    expect(thrown(() => tensor([1, 2, 3, 4, 5], { shape: [3, 2] })).message).toBe('values: expected shape [3, 2], found shape [5]');
    expect(thrown(() => tensor([[1, 2], [3, 4]], { shape: [4, 1] })).message).toBe('values: expected shape [4, 1], found shape [2, 2]');
  });
});

describe('one wording per kind of check, in the library, the file loaders and the CLI flags', () => {
  const fileWith = (edit: (file: any) => void): string => {
    const file = JSON.parse(JSON.stringify(modelToJSON(new Sequential([new Dense(2, 2, { seed: 1 }), new Dropout(2, 0.5), new Dense(2, 1, { seed: 2 })]))));
    edit(file);
    return JSON.stringify(file);
  };

  it('"an integer >= 1": layer sizes, model files, sizes flags', () => {
    const errors = [
      rejection(() => new Dense(2, 0), 'range', 'units'),
      rejection(() => networkFrom({ sizes: [2, 0] }), 'range', 'sizes[1]'),
      rejection(() => fit(articleNetwork(), [[1, 2]], [[0.5, 0.9]], { epochs: 0 }), 'range', 'options.epochs'),
      rejection(() => modelFromJSON(fileWith((f) => { f.architecture.layers[0].units = 0; })), 'range', 'model: architecture.layers[0].units'),
      rejection(() => integerFlag('--epochs', '0', 1), 'range', '--epochs'),
    ];
    for (const error of errors) expect(error.expected).toBe('an integer >= 1');
    expect(integerWords(1)).toBe('an integer >= 1');
    expect(rejection(() => integerFlag('--precision', '18', 0, 17), 'range', '--precision').expected).toBe('an integer from 0 to 17');
  });

  it('"a number in [0, 1)": dropout rates in the library, the model file and the flag', () => {
    const errors = [
      rejection(() => new Dropout(2, 1), 'range', 'rate'),
      rejection(() => networkFrom({ sizes: [2, 3, 1], dropout: 1 }), 'range', 'dropout'),
      rejection(() => modelFromJSON(fileWith((f) => { f.architecture.layers[1].rate = 1; })), 'range', 'model: architecture.layers[1].rate'),
      rejection(() => intervalFlag('--dropout', '1', RATE), 'range', '--dropout'),
    ];
    for (const error of errors) expect(error.expected).toBe(intervalWords(RATE));
    expect(intervalWords(RATE)).toBe('a number in [0, 1)');
  });

  it('"a finite number": tensors, data files, scaler files, model weights', () => {
    const errors = [
      rejection(() => tensor([[1, NaN]]), 'not-finite', 'values[0][1]'),
      rejection(() => loadJsonData('{"x": [[1, 2]], "y": [[1e999]]}', { file: 'd.json' }), 'not-finite', 'd.json: y[0][0]'),
      rejection(() => scalerFromJSON({ kind: 'standard', mean: [0, Infinity], std: [1, 1] }), 'not-finite', 'scaler.mean[1]'),
      rejection(() => modelFromJSON(fileWith((f) => { f.weights[0].weight[0] = 1e39; })), 'not-finite', 'model: weights[0].weight[0]'),
    ];
    expect(errors.map((e) => e.expected)).toEqual(['a finite number', 'a finite number', 'a finite number', 'a finite number (finite in float32)']);
  });

  it('the flag parsers add only the flag name and what was typed', () => {
    const library = rejection(() => new SGD([], { lr: -1 }), 'range', 'options.lr');
    const flag = rejection(() => positiveFlag('--lr', '-1'), 'range', '--lr');
    expect(flag.expected).toBe(library.expected);
    expect(flag.found).toBe('"-1"');
    expect(rejection(() => choiceFlag('--format', 'xml', ['csv', 'json']), 'unknown-name', '--format').message).toBe('--format: expected one of "csv", "json", found "xml"');
    expect(rejection(() => numberFlag('--lr', '0x10'), 'type', '--lr').expected).toBe('a finite decimal number');
  });
});

describe('one wording for a delimiter, in the loader and the flag', () => {
  it('refuses a quote as delimiter with the same words in parseCsv and --delimiter', () => {
    const library = rejection(() => parseCsv('a,b\n1,2', { delimiter: '"' }), 'range', 'delimiter');
    expect(library.expected).toBe(DELIMITER_WORDS);
    const flag = rejection(() => delimiterFlag('--delimiter', '"'), 'range', '--delimiter');
    expect(flag.expected).toBe(`auto, comma, semicolon, tab or ${DELIMITER_WORDS}`);
    expect(delimiterFlag('--delimiter', 'semicolon')).toBe(';');
    expect(delimiterFlag('--delimiter', '|')).toBe('|');
  });
});
