import type { FloatArray } from '../backend/index.js';
import { allocate, type Tensor } from '../tensor/tensor.js';
import { classOf } from './metrics.js';
import type { OutputReading } from '../primitives/losses.js';

/**
 * Minibatch buffers, allocated once and refilled in the epoch's order; a
 * full, unshuffled batch is the data itself.
 */
export class Batches {
  readonly x: FloatArray;
  readonly y: FloatArray;
  private readonly whole: boolean;

  constructor(private readonly inputs: Tensor, private readonly targets: Tensor, batchSize: number, shuffle: boolean) {
    this.whole = batchSize === inputs.rows && !shuffle;
    this.x = this.whole ? inputs.data : allocate(inputs.dtype, batchSize * inputs.cols);
    this.y = this.whole ? targets.data : allocate(targets.dtype, batchSize * targets.cols);
  }

  /** Copies rows `order[start .. start+rows)` into the buffers. */
  gather(order: Int32Array, start: number, rows: number): void {
    if (this.whole) return;
    gatherRows(this.x, this.inputs, order, start, rows);
    gatherRows(this.y, this.targets, order, start, rows);
  }
}

function gatherRows(out: FloatArray, source: Tensor, order: Int32Array, start: number, rows: number): void {
  const cols = source.cols;
  const data = source.data;
  for (let r = 0; r < rows; r++) {
    const from = order[start + r]! * cols;
    const to = r * cols;
    for (let c = 0; c < cols; c++) out[to + c] = data[from + c]!;
  }
}

/** How many of the batch's rows `outputs` classifies as their targets do. */
export function countCorrect(outputs: Float32Array | Float64Array, targets: Tensor, order: Int32Array, start: number, rows: number, reading: OutputReading): number {
  const cols = targets.cols;
  let correct = 0;
  for (let r = 0; r < rows; r++) if (classOf(targets.data, order[start + r]! * cols, cols) === classOf(outputs, r * cols, cols, reading)) correct++;
  return correct;
}
