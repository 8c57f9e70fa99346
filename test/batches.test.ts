// fit's minibatches: views of the data for large unshuffled batches, copies
// (block copies for long rows) for shuffled ones; either way the rows the
// epoch's order names, and fit trains exactly as a hand loop of Trainer.step.
import { describe, expect, it } from 'vitest';
import { Dense, Random, SGD, Sequential, Tensor, Trainer, fit } from '../src/index.js';
import { Batches } from '../src/train/batches.js';

/** A `rows × cols` float32 tensor whose value at (r, c) is r·1000 + c: each row names itself. */
function numbered(rows: number, cols: number): Tensor {
  return new Tensor(Float32Array.from({ length: rows * cols }, (_, i) => Math.floor(i / cols) * 1000 + (i % cols)), [rows, cols]);
}

/** The rows `order[start .. start+rows)` of `source`, copied one value at a time: the definition of a batch. */
function expectedRows(source: Tensor, order: Int32Array, start: number, rows: number): number[] {
  const out: number[] = [];
  for (let r = 0; r < rows; r++) for (let c = 0; c < source.cols; c++) out.push(source.data[order[start + r]! * source.cols + c]!);
  return out;
}

describe('Batches', () => {
  // 80 columns take the block copy (≥ 64), 3 the value-by-value loop; 20 rows of 80 reach the view size (1024 values).
  for (const [cols, shuffle] of [[80, false], [80, true], [3, false], [3, true]] as const) {
    it(`gathers the named rows (${cols} columns, ${shuffle ? 'shuffled' : 'in order'}), the last batch short`, () => {
      const x = numbered(50, cols);
      const y = numbered(50, 2);
      const batches = new Batches(x, y, 20, shuffle);
      const order = Int32Array.from({ length: 50 }, (_, i) => i);
      if (shuffle) new Random(3).shuffle(order);
      for (const start of [0, 20, 40]) {
        const rows = Math.min(20, 50 - start);
        batches.gather(order, start, rows);
        expect(Array.from(batches.x.subarray(0, rows * cols))).toEqual(expectedRows(x, order, start, rows));
        expect(Array.from(batches.y.subarray(0, rows * 2))).toEqual(expectedRows(y, order, start, rows));
        // Large in-order batches are views of the data (nothing copied); the rest live in the batch buffers.
        const view = !shuffle && rows * cols >= 1024;
        expect(batches.x.buffer === x.data.buffer).toBe(view);
      }
    });
  }
});

describe('fit against the step loop', () => {
  it('unshuffled, gives bit for bit the weights of Trainer.step over the same batches', () => {
    const make = () => new Sequential([new Dense(70, 16, { activation: 'relu', seed: 1 }), new Dense(16, 3, { seed: 2 })]);
    const random = new Random(5);
    const rows = 100;
    const x = new Tensor(Float32Array.from({ length: rows * 70 }, () => random.uniform(-1, 1)), [rows, 70]);
    const y = new Tensor(Float32Array.from({ length: rows * 3 }, (_, i) => (i % 3 === Math.floor(i / 3) % 3 ? 1 : 0)), [rows, 3]);
    const viaFit = make();
    fit(viaFit, x, y, { loss: 'softmaxCrossEntropy', lr: 0.1, batchSize: 32, epochs: 3, shuffle: false, threads: 1 });
    const byHand = make();
    const trainer = new Trainer(byHand, { loss: 'softmaxCrossEntropy', optimizer: new SGD(byHand.parameters(), 0.1), batchSize: 32 });
    for (let epoch = 0; epoch < 3; epoch++) {
      for (let start = 0; start < rows; start += 32) {
        const n = Math.min(32, rows - start);
        trainer.step(x.data.slice(start * 70, (start + n) * 70), y.data.slice(start * 3, (start + n) * 3), n);
      }
    }
    const weights = (model: Sequential) => model.parameters().map((p) => Array.from(p.data));
    expect(weights(viaFit)).toEqual(weights(byHand));
    // And the run moved the weights: the comparison is not between two untouched models.
    expect(weights(viaFit)).not.toEqual(weights(make()));
  });
});
