/**
 * The inputs of an exported ONNX file, worked out from the model's CSV
 * feature encoding (docs/interop.md): the numeric columns together in one
 * float32 input `input`, and each categorical column in a string input of
 * its own, named like the column, which the file one-hot encodes. One
 * description, read by the exporter that builds the graph and by
 * `glassnet info` that shows it.
 */
import { GlassnetError } from '../errors.js';
import { encodedNames, type FeatureEncoding } from '../data/table.js';

/** The graph input of the numeric columns (all of them, for a model without categorical columns). */
export const ONNX_INPUT = 'input';
/** The graph output's name: `[batch, outputSize]` float32. */
export const ONNX_OUTPUT = 'output';

/** One input of an exported ONNX file. */
export type OnnxInput =
  /** `[batch, columns.length]` float32: the numeric columns, in the model's order (`columns` empty when the model names none). */
  | { name: string; type: 'float32'; width: number; columns: string[] }
  /** `[batch, 1]` string: one categorical column, whose cells must be one of `categories` (one-hot in this order). */
  | { name: string; type: 'string'; width: 1; column: string; categories: string[] };

/**
 * The file's inputs: without an encoding (or with numeric columns only) the
 * one float input `input`; otherwise `input` for the numeric columns, if
 * any, then one string input per categorical column, in column order.
 * @param inputSize the model's input size, which the encoding must produce.
 * @throws GlassnetError when the encoding's width is not `inputSize`, or a categorical column's name is empty or the name of another input or the output.
 */
export function onnxInputs(inputSize: number, options: { encoding?: FeatureEncoding; featureNames?: readonly string[] } = {}): OnnxInput[] {
  const { encoding, featureNames } = options;
  if (encoding === undefined || encoding.categories.every((c) => c === null)) {
    return [{ name: ONNX_INPUT, type: 'float32', width: inputSize, columns: [...(encoding?.columns ?? featureNames ?? [])] }];
  }
  const width = encodedNames(encoding).length;
  if (width !== inputSize) {
    throw new GlassnetError({ code: 'shape', argument: 'options.encoding', expected: `columns that encode to ${inputSize} inputs (the model's input size)`, found: `${width}` });
  }
  const numeric = encoding.columns.filter((_, j) => encoding.categories[j] === null);
  const inputs: OnnxInput[] = numeric.length === 0 ? [] : [{ name: ONNX_INPUT, type: 'float32', width: numeric.length, columns: numeric }];
  const taken = new Set([ONNX_INPUT, ONNX_OUTPUT]);
  encoding.columns.forEach((column, j) => {
    const categories = encoding.categories[j];
    if (categories === null || categories === undefined) return;
    // The input is named like its column, so a caller feeds { city: [...] }; the file's other names must stay distinct.
    if (column === '' || taken.has(column)) {
      throw new GlassnetError({
        code: 'unknown-name', argument: `options.encoding.columns[${j}]`,
        expected: `a categorical column name other than ${[...taken].map((n) => JSON.stringify(n)).join(', ')} (it names the column's ONNX input; rename the column)`, found: JSON.stringify(column),
      });
    }
    taken.add(column);
    inputs.push({ name: column, type: 'string', width: 1, column, categories: [...categories] });
  });
  return inputs;
}

/**
 * Where each of the model's inputs sits in the concatenation of the file's
 * inputs (numeric columns first, then each categorical column's one-hot
 * block): the indices a Gather takes to put them back in the model's order,
 * or null when they already are.
 */
export function encodedOrder(encoding: FeatureEncoding): number[] | null {
  let numeric = 0;
  let block = encoding.categories.reduce((n, c) => n + (c === null ? 1 : 0), 0);
  const order: number[] = [];
  encoding.categories.forEach((categories) => {
    if (categories === null) {
      order.push(numeric++);
      return;
    }
    for (let k = 0; k < categories.length; k++) order.push(block + k);
    block += categories.length;
  });
  return order.every((p, i) => p === i) ? null : order;
}
