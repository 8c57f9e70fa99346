// Flat matrices: the layout large CSV files are read into for training, checked against the array-of-rows API.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { applyFill, fillMissing, loadMatrixStream, loadTable, type TableOptions } from '../src/data/table.js';
import { matrixFromRows, matrixToRows, pickRows, rowRange } from '../src/data/matrix.js';
import { splitMatrices, trainTestSplit } from '../src/data/split.js';
import { fitScaler } from '../src/data/scaling.js';
import { parseNumber } from '../src/data/encode.js';
import { forwardRows } from '../src/train/evaluate.js';
import { mlp } from '../src/nn/model.js';
import { tensor } from '../src/tensor/tensor.js';
import { Random } from '../src/util/random.js';
import { rejection } from './helpers/errors.js';

const fixture = (name: string): string => readFileSync(new URL(`./fixtures/data/${name}`, import.meta.url), 'utf8');

/** The text in chunks of `size` characters, as a file stream delivers it. */
async function* chunks(text: string, size: number): AsyncGenerator<string> {
  for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
}

describe('loadMatrixStream', () => {
  it('reads the numbers loadTable reads, flat, for categories, filled cells and class targets', async () => {
    const cases: [string, TableOptions][] = [
      ['messy.csv', { target: 'score', missing: 'mean' }],
      ['messy.csv', { target: 'sex', missing: 'drop' }],
      ['tab.csv', {}],
    ];
    for (const [name, options] of cases) {
      const rows = loadTable(fixture(name), options);
      const flat = await loadMatrixStream(() => chunks(fixture(name), 7), options);
      expect(matrixToRows(flat.x)).toEqual(rows.x);
      expect(matrixToRows(flat.y)).toEqual(rows.y);
      expect([flat.x.rows, flat.x.cols]).toEqual([rows.x.length, rows.x[0]!.length]);
      expect({ ...flat, x: null, y: null }).toEqual({ ...rows, x: null, y: null });
    }
  });

  it('puts the numbers on shared memory when asked, and only then', async () => {
    const text = 'a,b,y\n1,2,0.5\n3,4,1.5\n';
    const shared = await loadMatrixStream(() => chunks(text, 4), { shared: true });
    expect(shared.x.data.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(shared.y.data.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(Array.from(shared.x.data)).toEqual([1, 2, 3, 4]);
    const plain = await loadMatrixStream(() => chunks(text, 4));
    expect(plain.x.data.buffer).toBeInstanceOf(ArrayBuffer);
  });
});

describe('missing cells filled from the training rows only', () => {
  const text = 'a,b,y\n1,x,0\nNA,y,1\n3,NA,2\n10,y,3\n';

  it('leaves them NaN with deferFill, then fills them with statistics of the training rows alone', async () => {
    const table = await loadMatrixStream(() => chunks(text, 5), { missing: 'mean', deferFill: true });
    expect(matrixToRows(table.x)).toEqual([[1, 1, 0], [NaN, 0, 1], [3, NaN, NaN], [10, 0, 1]]);
    const train = rowRange(table.x, 0, 2);
    const held = rowRange(table.x, 2, 4);
    const { encoding, filled } = fillMissing(table.encoding, 'mean', train, [held]);
    // a: the mean of the training value 1, not of 1, 3 and 10; b: x and y tie in training, so the first, x.
    expect(encoding.fill).toEqual([1, 'x']);
    expect(filled).toBe(2);
    expect(matrixToRows(table.x)).toEqual([[1, 1, 0], [1, 0, 1], [3, 1, 0], [10, 0, 1]]);
    // Over all rows, as loadTable does without a split, the statistics differ: that difference is the leak avoided.
    expect(loadTable(text, { missing: 'mean' }).encoding.fill).toEqual([14 / 3, 'y']);
  });

  it('fills with a saved encoding, and refuses a column without a fill value, changing nothing', async () => {
    const table = await loadMatrixStream(() => chunks(text, 64), { missing: 'median', deferFill: true });
    expect(applyFill({ ...table.encoding, fill: [2, 'y'] }, [table.x])).toBe(2);
    expect(matrixToRows(table.x)).toEqual([[1, 1, 0], [2, 0, 1], [3, 0, 1], [10, 0, 1]]);
    const again = await loadMatrixStream(() => chunks(text, 64), { missing: 'median', deferFill: true });
    expect(() => applyFill({ ...again.encoding, fill: [null, 'y'] }, [again.x])).toThrow(/a fill value/);
    // Column a could be filled, but b cannot: a is left missing too.
    const before = Array.from(again.x.data);
    rejection(() => applyFill({ ...again.encoding, fill: [2, null] }, [again.x]), 'empty', 'b');
    expect(Array.from(again.x.data)).toEqual(before);
  });
});

describe('matrices', () => {
  const rows = [[1, 2], [3, 4], [5, 6]];

  it('convert to and from rows, pick rows in order, and refuse ragged rows', () => {
    const m = matrixFromRows(rows);
    expect([m.rows, m.cols, Array.from(m.data)]).toEqual([3, 2, [1, 2, 3, 4, 5, 6]]);
    expect(matrixToRows(pickRows(m, [2, 0]))).toEqual([[5, 6], [1, 2]]);
    expect(() => matrixFromRows([[1, 2], [3]])).toThrow(/x\[1\]/);
  });

  it('give row ranges that share memory, and refuse a range outside the rows', () => {
    const m = matrixFromRows(rows);
    const part = rowRange(m, 1, 3);
    expect(matrixToRows(part)).toEqual([[3, 4], [5, 6]]);
    part.data[0] = 30;
    expect(m.data[2]).toBe(30);
    expect(rowRange(m, 3, 3).rows).toBe(0);
    rejection(() => rowRange(m, -1, 2), 'range', 'from');
    rejection(() => rowRange(m, 0.5, 2), 'range', 'from');
    rejection(() => rowRange(m, 2, 1), 'range', 'to');
    rejection(() => rowRange(m, 0, 4), 'range', 'to');
  });

  it('split into the rows trainTestSplit gives for the same seed, stratified or not', () => {
    const random = new Random(3);
    const x = Array.from({ length: 40 }, () => [random.normal(), random.normal()]);
    const y = x.map((_, i) => (i % 3 === 0 ? [1, 0] : [0, 1]));
    for (const stratify of [false, true]) {
      const options = { testFraction: 0.25, seed: 7, stratify };
      const byRows = trainTestSplit({ x, y }, options);
      const flat = splitMatrices({ x: matrixFromRows(x), y: matrixFromRows(y) }, options);
      expect(matrixToRows(flat.train.x)).toEqual(byRows.train.x);
      expect(matrixToRows(flat.test.y)).toEqual(byRows.test.y);
    }
  });

  it('give a scaler the statistics rows give, bit for bit, and scale and unscale in place', () => {
    const random = new Random(1);
    const x = Array.from({ length: 101 }, () => [random.normal() * 1e3, random.uniform(-0.5, 0.5), 7]);
    for (const kind of ['standard', 'minmax'] as const) {
      const m = matrixFromRows(x);
      const scaler = fitScaler(kind, m);
      expect(scaler.toJSON()).toEqual(fitScaler(kind, x).toJSON());
      scaler.transformInPlace(m);
      expect(matrixToRows(m)).toEqual(scaler.transform(x));
      expect(matrixToRows(scaler.inverse(m))).toEqual(scaler.inverse(scaler.transform(x)));
    }
    expect(() => fitScaler('standard', matrixFromRows([[1], [NaN]]))).toThrow(/x\[1\]\[0\]/);
  });
});

describe('parseNumber', () => {
  it('reads plain decimals exactly as Number does', () => {
    fc.assert(fc.property(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e12, max: 1e12 }), fc.integer({ min: 0, max: 12 }), (v, digits) => {
      const text = v.toFixed(digits);
      expect(Object.is(parseNumber(text), Number(text))).toBe(true);
    }));
    for (const text of ['-0', '-0.000', '1.', '.5', '+.5', '007', '123456789012345', '1234567890123456', '0.30000000000000004', '9007199254740993']) {
      expect(Object.is(parseNumber(text), Number(text))).toBe(true);
    }
    for (const text of ['-', '.', '1.2.3', '1e', '0x10', 'NaN', '']) expect(parseNumber(text)).toBeNull();
  });
});

describe('forwardRows', () => {
  it('gives, in slices, the outputs of one forward pass over all rows', () => {
    const model = mlp([3, 5, 2], { activation: 'tanh', seed: 2 });
    const random = new Random(4);
    const x = tensor(Float32Array.from({ length: 20_000 * 3 }, () => random.normal()), { shape: [20_000, 3] });
    const sliced = forwardRows(model, x);
    expect(sliced.shape).toEqual([20_000, 2]);
    expect(Array.from(sliced.data)).toEqual(Array.from(model.predict(x).data));
  });
});
