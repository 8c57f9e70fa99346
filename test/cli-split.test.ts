// glassnet split: seeded, stratified train/test files that hold exactly the input rows.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
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

  it('stratifies rows with missing feature cells, and refuses --stratify yes when a target is missing', () => {
    const file = tempDir();
    const outputs = ['--train-out', file('train.csv'), '--test-out', file('test.csv')];
    const gaps = file('gaps.csv');
    writeFileSync(gaps, ['a,b,label', '1,2,x', '3,NA,y', '5,6,x', '7,8,y', '9,10,x', '11,12,y', '13,14,x', '15,16,y'].join('\n'));
    const kept = glassnet('split', gaps, '--test', '0.25', '--stratify', 'yes', ...outputs);
    expect(kept.status, kept.stderr).toBe(0);
    expect(kept.stdout).toContain('(stratified by class)');
    const test = readFileSync(file('test.csv'), 'utf8').trim().split('\n').slice(1);
    expect(test.map((line) => line.split(',').at(-1)).sort()).toEqual(['x', 'y']);
    const noTarget = file('no-target.csv');
    writeFileSync(noTarget, ['a,b,label', '1,2,x', '3,4,NA', '5,6,x', '7,8,y', '9,10,x', '11,12,y', '13,14,x', '15,16,y'].join('\n'));
    const forced = glassnet('split', noTarget, '--test', '0.25', '--stratify', 'yes', ...outputs);
    expect(forced.status).toBe(1);
    expect(forced.stderr).toMatch(/--stratify yes: expected a class in every row .*found 1 rows with a missing target/);
    const auto = glassnet('split', noTarget, '--test', '0.25', ...outputs);
    expect(auto.status, auto.stderr).toBe(0);
    expect(auto.stdout).toContain('(not stratified: 1 rows have no target)');
  });

  it('finds --target by the library\'s rule: a name twice in the header is refused, writing nothing', () => {
    const file = tempDir();
    const twice = file('twice.csv');
    writeFileSync(twice, 'a,label,label\n1,x,y\n2,y,x\n3,x,y\n4,y,x\n');
    const result = glassnet('split', twice, '--target', 'label', '--train-out', file('a.csv'), '--test-out', file('b.csv'));
    expectOneLineError(result, /--target \(.*twice\.csv\): expected a column name that appears once in the header \(or an index\), found "label" more than once$/, 1);
    expect(existsSync(file('a.csv'))).toBe(false);
  });

  it('needs both output files', () => {
    expect(glassnet('split', 'data/iris.csv', '--train-out', 'x.csv').status).not.toBe(0);
    expectOneLineError(glassnet('split', 'data/iris.csv', '--test', '1', '--train-out', 'a.csv', '--test-out', 'b.csv'), /^glassnet: --test: expected a number in \(0, 1\), found "1"$/, 2);
  });
});
