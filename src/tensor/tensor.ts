import type { FloatArray } from '../backend/index.js';
import { GlassnetError, describeValue } from '../errors.js';
import { checkFinite, checkOptions, optionNames } from '../util/checks.js';
import { formatShape, sameShape, shapePath, sizeOf } from '../util/shape.js';
import type { Node } from './autograd.js';

/** Element types a tensor can hold. */
export type DType = 'float32' | 'float64';

/** Nested arrays of numbers, as users write data by hand. */
export type NestedNumbers = number | readonly NestedNumbers[];

/**
 * A contiguous, row-major block of numbers with a shape. A Tensor holds
 * data and its place in the autograd graph; the math lives in `ops.ts`.
 */
export class Tensor {
  /** The elements, row-major. */
  readonly data: FloatArray;
  /** Dimension sizes; `[]` is a scalar. */
  readonly shape: readonly number[];
  /** Whether backward() should compute a gradient for this tensor. */
  requiresGrad: boolean;
  /** Accumulated gradient of the last backward() for a leaf that requires it. */
  grad: Tensor | null = null;
  /** The operation that produced this tensor, when it was recorded. */
  node: Node | null = null;
  /** A name given with `label()`, read by observers such as explain. */
  label: string | null = null;

  constructor(data: FloatArray, shape: readonly number[], requiresGrad = false) {
    if (data.length !== sizeOf(shape)) {
      throw new GlassnetError({
        code: 'shape', argument: 'data', expected: `${sizeOf(shape)} elements for shape ${formatShape(shape)}`, found: `${data.length}`,
      });
    }
    this.data = data;
    this.shape = shape;
    this.requiresGrad = requiresGrad;
  }

  get dtype(): DType {
    return this.data instanceof Float64Array ? 'float64' : 'float32';
  }

  get size(): number {
    return this.data.length;
  }

  /** Number of rows when viewed as a matrix (the first dimension; 1 for a scalar or vector). */
  get rows(): number {
    return this.shape.length >= 2 ? this.shape[0]! : 1;
  }

  /** Number of columns when viewed as a matrix (the product of all but the first dimension). */
  get cols(): number {
    return this.shape.length >= 2 ? this.size / this.shape[0]! : this.size;
  }

  /** The single value of a one-element tensor. */
  item(): number {
    if (this.size !== 1) {
      throw new GlassnetError({ code: 'shape', argument: 'tensor', expected: 'exactly one element', found: `shape ${formatShape(this.shape)}` });
    }
    return this.data[0]!;
  }

  /** The elements as nested arrays of numbers, shaped like the tensor. */
  toArray(): NestedNumbers {
    const build = (dim: number, offset: number): NestedNumbers => {
      if (dim === this.shape.length) return this.data[offset]!;
      const stride = sizeOf(this.shape.slice(dim + 1));
      return Array.from({ length: this.shape[dim]! }, (_, i) => build(dim + 1, offset + i * stride));
    };
    return build(0, 0);
  }
}

/** Options accepted by {@link tensor}. */
export interface TensorOptions {
  dtype?: DType;
  requiresGrad?: boolean;
  /** Required shape; nested input must match it, flat input is reshaped to it. */
  shape?: readonly number[];
  /** Name of the argument in error messages (default `"values"`). */
  argument?: string;
}

/** Every option {@link tensor} reads; any other is refused. */
const TENSOR_OPTIONS = optionNames<TensorOptions>({ dtype: true, requiresGrad: true, shape: true, argument: true });

/** Allocates zeroed storage of the given type. */
export function allocate(dtype: DType, size: number): FloatArray {
  return dtype === 'float64' ? new Float64Array(size) : new Float32Array(size);
}

/** A tensor of zeros. */
export function zeros(shape: readonly number[], dtype: DType = 'float32'): Tensor {
  return new Tensor(allocate(dtype, sizeOf(shape)), shape.slice());
}

/**
 * Builds a tensor from a number, nested arrays or a typed array, checking
 * that nesting is rectangular and every value is finite.
 * @throws GlassnetError naming `options.argument` and the offending index.
 */
export function tensor(values: NestedNumbers | FloatArray | Tensor, options: TensorOptions = {}): Tensor {
  checkOptions(options, TENSOR_OPTIONS);
  const argument = options.argument ?? 'values';
  if (values instanceof Tensor) return tensor(values.data, { ...options, shape: options.shape ?? values.shape });
  let flat: number[] | FloatArray;
  let shape: number[];
  if (ArrayBuffer.isView(values)) {
    flat = values;
    shape = options.shape ? options.shape.slice() : [values.length];
  } else {
    shape = inferShape(values, argument);
    flat = [];
    flatten(values, shape, 0, argument, flat);
    // A flat list of numbers takes the requested shape, as a typed array does; nested input must already have it.
    if (options.shape && shape.length === 1 && sizeOf(options.shape) === flat.length) shape = options.shape.slice();
    if (options.shape && !sameShape(shape, options.shape)) {
      throw new GlassnetError({ code: 'shape', argument, expected: `shape ${formatShape(options.shape)}`, found: `shape ${formatShape(shape)}` });
    }
  }
  if (flat.length !== sizeOf(shape)) {
    throw new GlassnetError({ code: 'shape', argument, expected: `${sizeOf(shape)} values for shape ${formatShape(shape)}`, found: `${flat.length}` });
  }
  const dtype = options.dtype ?? (values instanceof Float64Array ? 'float64' : 'float32');
  checkFinite(flat, argument, { at: shapePath(shape) });
  const data = allocate(dtype, flat.length);
  data.set(flat);
  return new Tensor(data, shape, options.requiresGrad ?? false);
}

function inferShape(values: NestedNumbers, argument: string): number[] {
  const shape: number[] = [];
  let level: NestedNumbers = values;
  while (Array.isArray(level)) {
    if (level.length === 0) {
      throw new GlassnetError({ code: 'empty', argument, expected: 'at least one value in every dimension', found: 'an empty array' });
    }
    shape.push(level.length);
    level = level[0] as NestedNumbers;
  }
  return shape;
}

function flatten(values: NestedNumbers, shape: number[], dim: number, path: string, out: number[]): void {
  if (dim === shape.length) {
    if (typeof values !== 'number') {
      throw new GlassnetError({ code: 'type', argument: path, expected: 'a number', found: describeValue(values) });
    }
    out.push(values);
    return;
  }
  if (!Array.isArray(values) || values.length !== shape[dim]) {
    throw new GlassnetError({
      code: 'shape', argument: path, expected: `an array of length ${shape[dim]} (rows must all have the same length)`, found: describeValue(values),
    });
  }
  values.forEach((v: NestedNumbers, i: number) => flatten(v, shape, dim + 1, `${path}[${i}]`, out));
}
