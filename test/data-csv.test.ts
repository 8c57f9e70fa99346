// CSV parsing and table loading: RFC 4180 details, header and task
// detection, and every bad-input error with its file:line:column.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { rejection, thrown as failure } from './helpers/errors.js';
import { parseCsv } from '../src/data/csv.js';
import { loadFeatures, loadTable } from '../src/data/table.js';

const fixture = (name: string): string => readFileSync(new URL(`./fixtures/data/${name}`, import.meta.url), 'utf8');

describe('parseCsv', () => {
  it('reads quoted fields, doubled quotes, CRLF, a line break inside quotes and a BOM', () => {
    const table = parseCsv(fixture('quoted.csv'), { file: 'quoted.csv' });
    expect(table.header).toBe(true);
    expect(table.columns).toEqual(['name', 'value, in cm', 'note']);
    expect(table.rows).toEqual([['x "quoted"', '1.5', 'two\r\nlines'], ['plain', '2.5', '']]);
    // The second record starts on line 4: the quoted field spans lines 2-3.
    expect(table.lines).toEqual([2, 4]);
  });

  it('skips blank lines, trailing or not', () => {
    expect(parseCsv('a,b\n\n1,2\n\n\n3,4\n\n').rows).toEqual([['1', '2'], ['3', '4']]);
    expect(parseCsv(fixture('flowers.csv')).rows).toHaveLength(6);
  });

  it('keeps an empty quoted field as a one-cell record, not a blank line', () => {
    expect(parseCsv('v\n""\n1', { header: true }).rows).toEqual([[''], ['1']]);
  });

  it('takes the delimiter from the options', () => {
    const table = parseCsv(fixture('semicolon.csv'), { delimiter: ';' });
    expect(table.columns).toEqual(['x1', 'x2', 'price']);
    expect(table.rows[1]).toEqual(['2', '3', '11.25']);
  });

  it('detects a header: a non-number above a number in some column', () => {
    expect(parseCsv('x,y\n1,2').header).toBe(true);
    expect(parseCsv('1,a\n2,b').header).toBe(false); // column 2 is text in both rows
    expect(parseCsv('1,2\n3,4').header).toBe(false);
    expect(parseCsv('a,b').header).toBe(true); // one row, no numbers
    expect(parseCsv('a,2').header).toBe(false); // one row holding a number
  });

  it('names columns col1.. without a header, and obeys header: true/false', () => {
    const none = parseCsv(fixture('noheader.csv'));
    expect(none.header).toBe(false);
    expect(none.columns).toEqual(['col1', 'col2', 'col3']);
    expect(none.rows).toHaveLength(4);
    expect(parseCsv('1,2\n3,4', { header: true }).columns).toEqual(['1', '2']);
    expect(parseCsv('x,y\n1,2', { header: false }).rows).toEqual([['x', 'y'], ['1', '2']]);
  });

  it('rejects an empty file with code "empty"', () => {
    for (const name of ['empty.csv', 'blank.csv']) {
      rejection(() => parseCsv(fixture(name), { file: name }), 'empty', name);
    }
  });

  it('names the line and both field counts of a ragged row', () => {
    const error = rejection(() => parseCsv(fixture('ragged.csv'), { file: 'ragged.csv' }), 'shape', 'ragged.csv:4');
    expect(error.expected).toContain('3 fields');
    expect(error.found).toBe('2 fields');
  });

  it('rejects an unterminated quote and text after a closing quote', () => {
    const open = failure(() => parseCsv('a,b\n1,"2\n3,4', { file: 'f.csv' }));
    expect([open.code, open.argument, open.found]).toEqual(['type', 'f.csv:2:2', 'the end of the file']);
    const trailing = failure(() => parseCsv('a,b\n1,"2"x', { file: 'f.csv' }));
    expect([trailing.code, trailing.argument, trailing.found]).toEqual(['type', 'f.csv:2:2', '"x"']);
  });

  it('rejects a delimiter that is not one plain character', () => {
    expect(failure(() => parseCsv('a', { delimiter: ';;' })).argument).toBe('delimiter');
    expect(failure(() => parseCsv('a', { delimiter: '"' })).code).toBe('range');
  });
});

describe('loadTable', () => {
  it('defaults to the last column as a class target, one-hot in sorted class order', () => {
    const table = loadTable(fixture('flowers.csv'), { file: 'flowers.csv' });
    expect(table.task).toBe('classification');
    expect(table.targetName).toBe('species');
    expect(table.featureNames).toEqual(['sepal_length', 'sepal_width', 'petal_length', 'petal_width']);
    expect(table.classes).toEqual(['setosa', 'versicolor', 'virginica']);
    expect(table.x[1]).toEqual([7.0, 3.2, 4.7, 1.4]);
    expect(table.y).toEqual([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 0, 0], [0, 1, 0], [0, 0, 1]]);
  });

  it('chooses target and features by name or index', () => {
    const table = loadTable(fixture('flowers.csv'), { target: 'petal_width', features: [0, 'petal_length'] });
    expect(table.task).toBe('regression');
    expect(table.featureNames).toEqual(['sepal_length', 'petal_length']);
    expect(table.x[2]).toEqual([6.3, 6.0]);
    expect(table.y.map((r) => r[0])).toEqual([0.2, 1.4, 2.5, 0.2, 1.5, 1.9]);
    expect(table.classes).toBeUndefined();
    expect(loadTable(fixture('flowers.csv'), { target: 0, features: [1] }).targetName).toBe('sepal_length');
  });

  it('detects the task: text or few distinct integers are classes, else regression', () => {
    expect(loadTable('a,y\n1,2.5\n2,3.5').task).toBe('regression');
    const integers = loadTable(fixture('noheader.csv'));
    expect(integers.task).toBe('classification');
    expect(integers.classes).toEqual(['0', '1']);
    // 11 distinct integers: more than MAX_AUTO_CLASSES (10), so a quantity.
    const many = Array.from({ length: 11 }, (_, i) => `${i},${i * 2}`).join('\n');
    expect(loadTable(`a,y\n${many}`).task).toBe('regression');
    expect(loadTable(`a,y\n${many}`, { task: 'classification' }).classes).toHaveLength(11);
  });

  it('sorts numeric labels numerically and merges spellings of one number', () => {
    const table = loadTable('a,y\n1,10\n2,2\n3,2.0\n4,+10', { task: 'classification' });
    expect(table.classes).toEqual(['2', '10']);
    expect(table.y).toEqual([[0, 1], [1, 0], [1, 0], [0, 1]]);
  });

  it('names file, line, column number and name of a cell that is not a number', () => {
    const error = rejection(() => loadTable(fixture('bad-cell.csv'), { file: 'iris.csv' }), 'type', 'iris.csv:9:3 (petal_length)');
    expect(error.expected).toBe('a number');
    expect(error.found).toBe('"abc"');
    expect(error.message).toBe('iris.csv:9:3 (petal_length): expected a number, found "abc"');
  });

  it('gives file:line:column without a name when there is no header', () => {
    const error = failure(() => loadTable('1,2\n3,x\n', { file: 'n.csv', header: false, task: 'regression' }));
    expect(error.argument).toBe('n.csv:2:2');
  });

  it('rejects non-numbers such as hex and Infinity in a numeric column, and reports overflow as not finite', () => {
    for (const cell of ['0x10', 'Infinity', '1,5']) {
      const text = `a,y\n"${cell}",1\n2,1\n3,1\n`;
      rejection(() => loadTable(text, { file: 'f.csv', header: true }), 'type', 'f.csv:2:1 (a)');
    }
    for (const cell of ['NaN', '', 'NA', '?']) {
      rejection(() => loadTable(`a,y\n"${cell}",1\n2,1\n`, { file: 'f.csv', header: true }), 'empty', 'f.csv:2:1 (a)');
    }
    rejection(() => loadTable('a,y\n1e999,1\n', { file: 'f.csv' }), 'not-finite', 'f.csv:2:1 (a)');
  });

  it('rejects a regression target that is not a number', () => {
    rejection(() => loadTable('a,y\n1,2\n2,two\n', { file: 'r.csv', task: 'regression' }), 'type', 'r.csv:3:2 (y)');
  });

  it('lists the available columns for an unknown target or feature', () => {
    const error = rejection(() => loadTable(fixture('flowers.csv'), { target: 'class' }), 'unknown-name', 'target');
    expect(error.found).toBe('"class"');
    for (const name of ['sepal_length', 'sepal_width', 'petal_length', 'petal_width', 'species']) expect(error.expected).toContain(`"${name}"`);
    expect(failure(() => loadTable(fixture('flowers.csv'), { target: 5 })).code).toBe('unknown-name');
    expect(failure(() => loadTable(fixture('flowers.csv'), { features: ['sepal', 0] })).argument).toBe('features[0]');
  });

  it('rejects the target listed among the features, and an ambiguous column name', () => {
    expect(failure(() => loadTable(fixture('flowers.csv'), { features: [0, 'species'] })).code).toBe('range');
    expect(failure(() => loadTable('a,a,y\n1,2,3\n', { features: ['a'] })).found).toContain('more than once');
  });

  it('rejects a blank target cell instead of making it a class', () => {
    const error = rejection(() => loadTable('a,y\n1,cat\n2, \n', { file: 'b.csv' }), 'empty', 'b.csv:3:2 (y)');
    expect(error.expected).toContain('1 missing cell');
  });

  it('rejects a header without data rows', () => {
    rejection(() => loadTable('a,b,y\n', { file: 'h.csv', header: true }), 'empty', 'h.csv');
  });

  it('at prediction time, rejects a label unseen in training with its line', () => {
    const classes = ['setosa', 'versicolor'];
    const error = rejection(() => loadTable(fixture('flowers.csv'), { file: 'test.csv', classes }), 'unknown-name', 'test.csv:4:5 (species)');
    expect(error.found).toBe('"virginica"');
    expect(error.expected).toContain('"setosa", "versicolor"');
    // With the full training list, the encoding follows that list's order.
    const table = loadTable(fixture('flowers.csv'), { classes: ['virginica', 'setosa', 'versicolor'] });
    expect(table.y[0]).toEqual([0, 1, 0]);
  });
});

describe('loadFeatures', () => {
  it('reads numeric columns only, e.g. for prediction without targets', () => {
    const data = loadFeatures('a,b\n1,2\n3,4\n', { file: 'p.csv' });
    expect(data).toEqual({ x: [[1, 2], [3, 4]], featureNames: ['a', 'b'], encoding: { columns: ['a', 'b'], categories: [null, null], fill: [null, null] }, filledCells: 0 });
    expect(loadFeatures(fixture('flowers.csv'), { features: ['petal_width'] }).x[2]).toEqual([2.5]);
    // A text column is categorical: one input per category.
    expect(loadFeatures(fixture('flowers.csv'), { features: ['species'] }).featureNames).toEqual(['species=setosa', 'species=versicolor', 'species=virginica']);
  });
});
