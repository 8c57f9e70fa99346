import type { FloatArray } from '../backend/index.js';
import { allocate, type Tensor } from '../tensor/tensor.js';
import { classOfRow } from '../primitives/losses.js';
import type { OutputReading } from '../primitives/losses.js';

/**
 * Rows at least this long are gathered with `set` (a block copy) rather
 * than element by element: for B2's 784-pixel rows a batch of 64 shuffled
 * rows took about a quarter of the time, while 10-value rows were faster
 * by the loop (the view each `set` needs costs more than the copy).
 */
const BLOCK_COPY_COLS = 64;

/**
 * An unshuffled batch of at least this many input values is a view of the
 * data rather than a copy: a view is two small allocations (and a new
 * array for the Trainer to check), cheaper than copying a large batch but
 * not a batch of a few values (a tiny network's one sample).
 */
const VIEW_MIN_VALUES = 1024;

/**
 * The current minibatch's inputs and targets, in the epoch's order. A
 * large batch of consecutive rows (every batch of an unshuffled epoch) is
 * a view of the data itself, so no sample is copied; other batches are
 * copied into buffers allocated once.
 */
export class Batches {
  /** The current batch's inputs, `rows × inputs` (read after {@link gather}). */
  x: FloatArray;
  /** The current batch's targets, `rows × outputs`. */
  y: FloatArray;
  private buffers: [FloatArray, FloatArray] | null = null;

  constructor(private readonly inputs: Tensor, private readonly targets: Tensor, private readonly batchSize: number, private readonly shuffle: boolean) {
    this.x = inputs.data;
    this.y = targets.data;
  }

  /** Makes rows `order[start .. start+rows)` the current batch. */
  gather(order: Int32Array, start: number, rows: number): void {
    if (!this.shuffle && rows * this.inputs.cols >= VIEW_MIN_VALUES && consecutive(order, start, rows)) {
      this.x = rowsOf(this.inputs, order[start]!, rows);
      this.y = rowsOf(this.targets, order[start]!, rows);
      return;
    }
    this.buffers ??= [allocate(this.inputs.dtype, this.batchSize * this.inputs.cols), allocate(this.targets.dtype, this.batchSize * this.targets.cols)];
    [this.x, this.y] = this.buffers;
    gatherRows(this.x, this.inputs, order, start, rows);
    gatherRows(this.y, this.targets, order, start, rows);
  }
}

/** Whether `order[start .. start+rows)` are consecutive rows. */
function consecutive(order: Int32Array, start: number, rows: number): boolean {
  const first = order[start]!;
  for (let r = 1; r < rows; r++) if (order[start + r] !== first + r) return false;
  return true;
}

/** Rows `first .. first+rows)` of `source` as a view (the data itself when that is all of it). */
function rowsOf(source: Tensor, first: number, rows: number): FloatArray {
  const { data, cols } = source;
  return first === 0 && rows * cols === data.length ? data : data.subarray(first * cols, (first + rows) * cols);
}

function gatherRows(out: FloatArray, source: Tensor, order: Int32Array, start: number, rows: number): void {
  const cols = source.cols;
  const data = source.data;
  if (cols >= BLOCK_COPY_COLS) {
    for (let r = 0; r < rows; r++) {
      const from = order[start + r]! * cols;
      out.set(data.subarray(from, from + cols), r * cols);
    }
    return;
  }
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
  for (let r = 0; r < rows; r++) if (classOfRow('outputs', targets.data, order[start + r]! * cols, cols) === classOfRow(reading, outputs, r * cols, cols)) correct++;
  return correct;
}
