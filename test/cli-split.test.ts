// glassnet split: seeded, stratified train/test files that hold exactly the input rows.
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { trainTestSplit, iris } from '../src/index.js';
import { glassnet } from './helpers/cli.js';
import { expectOneLineError, tempDir } from './helpers/cli-files.js';

describe('glassnet split', () => {
  it('writes the same rows as trainTestSplit, stratified, and together exactly the input', () => {
    const file = tempDir();
    const run = glassnet('split', 'data/iris.csv', '--test', '0.2', '--seed', '3', '--train-out', file('train.csv'), '--test-out', file('test.csv'));
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('120 rows to');
    const input = readFileSync('data/iris.csv', 'utf8').trim().split('\n');
    const train = readFileSync(file('train.csv'), 'utf8').trim().split('\n');
    const test = readFileSync(file('test.csv'), 'utf8').trim().split('\n');
    expect(train[0]).toBe(input[0]);
    expect(test[0]).toBe(input[0]);
    expect([...train.slice(1), ...test.slice(1)].sort()).toEqual(input.slice(1).sort());
    const classes = test.slice(1).map((line) => line.split(',').at(-1));
    expect(['setosa', 'versicolor', 'virginica'].map((c) => classes.filter((k) => k === c).length)).toEqual([10, 10, 10]);
    // The library's split with the same seed picks the same rows, in the same order.
    const table = iris();
    const expected = trainTestSplit(table, { testFraction: 0.2, seed: 3, stratify: true }).test.x.map((row) => row.join(','));
    expect(test.slice(1).map((line) => line.split(',').slice(0, 4).map(Number).join(','))).toEqual(expected);
  });

  it('refuses --stratify yes for a file with missing cells, and says when auto could not stratify', () => {
    const file = tempDir();
    const data = file('gaps.csv');
    writeFileSync(data, ['a,b,label', '1,2,x', '3,NA,y', '5,6,x', '7,8,y', '9,10,x', '11,12,y', '13,14,x', '15,16,y'].join('\n'));
    const outputs = ['--train-out', file('train.csv'), '--test-out', file('test.csv')];
    const forced = glassnet('split', data, '--test', '0.25', '--stratify', 'yes', ...outputs);
    expect(forced.status).toBe(1);
    expect(forced.stderr).toMatch(/--stratify yes: expected a file without missing cells .*found 1 rows with missing cells/);
    const auto = glassnet('split', data, '--test', '0.25', ...outputs);
    expect(auto.status, auto.stderr).toBe(0);
    expect(auto.stdout).toContain('(not stratified: 1 rows have missing cells)');
  });

  it('needs both output files', () => {
    expect(glassnet('split', 'data/iris.csv', '--train-out', 'x.csv').status).not.toBe(0);
    expectOneLineError(glassnet('split', 'data/iris.csv', '--test', '1', '--train-out', 'a.csv', '--test-out', 'b.csv'), /^glassnet: --test: expected a number in \(0, 1\), found "1"$/, 2);
  });
});
