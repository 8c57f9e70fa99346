// Label encoding: one-hot rows, fixed class order, unseen labels, decoding.
import { describe, expect, it } from 'vitest';
import { thrown as failure } from './helpers/errors.js';
import { decodeLabels, encodeLabels, oneHot, parseNumber, sortedClasses } from '../src/data/encode.js';

describe('encode', () => {
  it('parses plain decimal numbers only', () => {
    expect([' 1.5 ', '-2', '+.5', '1e3', '3.', '2E-2'].map(parseNumber)).toEqual([1.5, -2, 0.5, 1000, 3, 0.02]);
    expect(['', ' ', 'abc', '0x1F', 'NaN', 'Infinity', '1,5', '1e', '--1'].map(parseNumber)).toEqual(Array(9).fill(null));
  });

  it('builds one-hot rows', () => {
    expect(oneHot(2, 4)).toEqual([0, 0, 1, 0]);
    expect(failure(() => oneHot(4, 4)).code).toBe('range');
    expect(failure(() => oneHot(0, 0)).argument).toBe('n');
  });

  it('orders classes independently of row order', () => {
    expect(sortedClasses(['b', 'a', 'c', 'a'])).toEqual(['a', 'b', 'c']);
    expect(sortedClasses(['10', '9', '-1'])).toEqual(['-1', '9', '10']);
    expect(sortedClasses(['B', 'a'])).toEqual(['B', 'a']); // code units, not locale
  });

  it('encodes labels, with classes found or given', () => {
    expect(encodeLabels(['cat', 'dog', 'cat'])).toEqual({ y: [[1, 0], [0, 1], [1, 0]], classes: ['cat', 'dog'] });
    expect(encodeLabels(['cat'], ['dog', 'cat', 'eel'])).toEqual({ y: [[0, 1, 0]], classes: ['dog', 'cat', 'eel'] });
  });

  it('rejects a label unseen at training time, naming it and where it is', () => {
    const error = failure(() => encodeLabels(['cat', 'cow'], ['cat', 'dog']));
    expect([error.code, error.argument, error.found]).toEqual(['unknown-name', 'labels[1]', '"cow"']);
    expect(error.expected).toBe('one of the classes seen in training: "cat", "dog"');
    expect(failure(() => encodeLabels(['cow'], ['cat'], (i) => `data.csv:${i + 2}:3`)).argument).toBe('data.csv:2:3');
  });

  it('rejects no labels and a class list with repeats', () => {
    expect(failure(() => encodeLabels([])).code).toBe('empty');
    expect(failure(() => encodeLabels(['a'], ['a', 'a'])).argument).toBe('classes');
    expect(failure(() => encodeLabels(['a'], [])).code).toBe('range');
  });

  it('decodes by the largest entry, first on ties', () => {
    expect(decodeLabels([[0.1, 0.7, 0.2], [1, 0, 0], [0.4, 0.4, 0.2]], ['a', 'b', 'c'])).toEqual(['b', 'a', 'a']);
    const error = failure(() => decodeLabels([[1, 0]], ['a', 'b', 'c']));
    expect([error.code, error.argument]).toEqual(['shape', 'y[0]']);
  });
});
