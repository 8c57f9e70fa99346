/**
 * The ends of the graph glassnet's export writes around the network
 * (onnx-export.ts), read back by the import: the categorical columns'
 * encoding in front (a string input per column, ai.onnx.ml OneHotEncoder,
 * Flatten, Concat, and a Gather putting the inputs in the model's column
 * order) and the target scaling behind (Mul, Add). Both are found by data
 * flow, from the graph's inputs and output, and must be exactly what the
 * export writes; anything else is an error naming the node and what was
 * expected there.
 */
import { GlassnetError, describeValue, type ErrorCode } from '../errors.js';
import { MAX_CATEGORIES, type FeatureEncoding } from '../data/table.js';
import { ONNX_INPUT, ONNX_OUTPUT, encodedOrder, onnxInputs } from './onnx-inputs.js';
import { ONNX_ATTRIBUTE, ONNX_DTYPE, ONNX_ML_DOMAIN, type OnnxAttribute, type OnnxNode, type OnnxValueInfo } from './onnx-schema.js';
import { JsonPath, expectArray, expectObject, expectString, type JsonObject } from './validate.js';
import type { OnnxConstant } from './onnx-activations.js';

/** How the import reports a bad part of the file: the part, what was expected there and what was found. */
export type Fail = (code: ErrorCode, part: string, expected: string, found: string) => never;

/** A node of the graph with its position in `graph.node`, for messages. */
export interface IndexedNode {
  node: OnnxNode;
  index: number;
}

/** An INT64 initializer's values (Gather's indices). */
export interface OnnxIndices {
  dims: number[];
  values: number[];
}

/** What {@link readEncoding} found. */
interface EncodingPrefix {
  /** The model's CSV columns, categories and names (fill values are not in the graph: null). */
  encoding: FeatureEncoding;
  /** The value the network's first layer reads: the encoded inputs in the model's order. */
  output: string;
  /** Its width, the model's input size. */
  width: number;
  /** The prefix's nodes, which the rest of the import leaves out. */
  nodes: ReadonlySet<OnnxNode>;
}

/** The `glassnet.inputs` metadata: its parsed JSON, its path (for JSON errors) and the part errors name. */
interface Declared {
  value: unknown;
  path: JsonPath;
  part: string;
}

/** Who reads each value: the nodes that take it as an input. */
type Consumers = ReadonlyMap<string, readonly IndexedNode[]>;

/** Each value's readers, from the nodes' inputs. */
export function consumersOf(nodes: readonly IndexedNode[]): Map<string, IndexedNode[]> {
  const map = new Map<string, IndexedNode[]>();
  for (const n of nodes) {
    for (const name of new Set(n.node.input)) {
      if (name === '') continue;
      const readers = map.get(name);
      if (readers === undefined) map.set(name, [n]);
      else readers.push(n);
    }
  }
  return map;
}

/** A node as messages name it: `graph.node[3] "onehot1" (OneHotEncoder)`. */
export function nodePart({ node, index }: IndexedNode): string {
  return `graph.node[${index}] "${node.name ?? ''}" (${node.opType ?? ''})`;
}

/**
 * The categorical prefix of a glassnet export: for each string input (one
 * categorical column, `[batch, 1]`) one OneHotEncoder (`cats_strings`, `zeros`
 * 0) and one Flatten (axis 1); a Concat (axis 1) of the float input `input`
 * (the numeric columns, when there are any) and those blocks in input
 * order; and, unless the columns are already in that order, a Gather
 * (axis 1) whose INT64 indices put them in the model's column order.
 * @param inputs the graph's inputs that are not initializers.
 * @param declared the `glassnet.inputs` metadata (JSON, already parsed), which names the numeric columns; required when there are any.
 * @throws GlassnetError (through `fail`) naming the node or input that differs from that form.
 */
export function readEncoding(
  inputs: readonly OnnxValueInfo[], consumers: Consumers, indices: (name: string) => OnnxIndices | undefined,
  declared: Declared | undefined, fail: Fail,
): EncodingPrefix {
  const taken = new Set<OnnxNode>();
  const form = 'the one-hot encoding glassnet exports';
  /** The one node reading `value`, which must be a `op` of the default domain (or `domain`) with exactly these inputs and attributes. */
  const only = (value: string, op: string, wanted: readonly string[], where: string, domain = ''): IndexedNode => {
    const readers = consumers.get(value) ?? [];
    if (readers.length !== 1) fail('shape', where, `${JSON.stringify(value)} read by one ${op} node (${form})`, `${readers.length} readers`);
    const reader = readers[0]!;
    const { node } = reader;
    const part = nodePart(reader);
    if (node.opType !== op || (node.domain ?? '') !== domain) fail('unknown-name', part, `a ${op}${domain === '' ? '' : ` of domain ${domain}`} reading ${JSON.stringify(value)} (${form})`, `op type "${node.opType ?? ''}"${(node.domain ?? '') === '' ? '' : ` of domain ${JSON.stringify(node.domain)}`}`);
    if (node.input.length !== wanted.length || node.input.some((name, j) => name !== wanted[j])) {
      fail('shape', `${part}.input`, JSON.stringify(wanted), JSON.stringify(node.input));
    }
    if (node.output.length !== 1 || node.output[0] === '') fail('shape', `${part}.output`, 'one output', JSON.stringify(node.output));
    taken.add(node);
    return reader;
  };

  // The inputs: `input` (float32, the numeric columns) first when there is one, then one [batch, 1] string input per categorical column.
  const floats = inputs.filter((v) => v.type?.tensorType?.elemType !== ONNX_DTYPE.STRING);
  const strings = inputs.filter((v) => v.type?.tensorType?.elemType === ONNX_DTYPE.STRING);
  const numeric = floats.length === 0 ? 0 : floatWidth(floats, inputs, fail);
  strings.forEach((v) => {
    const dims = v.type?.tensorType?.shape?.dim ?? [];
    if (dims.length !== 2 || dims[1]!.dimValue !== 1) fail('shape', `graph.input "${v.name ?? ''}"`, 'a string input of shape [batch, 1] (one categorical column)', `${dims.length} dimensions`);
  });

  // Each categorical column: OneHotEncoder, then Flatten to [batch, categories].
  const categories: string[][] = [];
  const blocks = strings.map((v) => {
    const name = v.name ?? '';
    const encoder = only(name, 'OneHotEncoder', [name], `graph.input "${name}"`, ONNX_ML_DOMAIN);
    categories.push(encoderCategories(encoder, fail));
    const flatten = only(encoder.node.output[0]!, 'Flatten', [encoder.node.output[0]!], nodePart(encoder));
    checkAttributes(flatten, { axis: [ONNX_ATTRIBUTE.INT, 1] }, fail);
    return flatten.node.output[0]!;
  });
  const parts = [...(numeric > 0 ? [ONNX_INPUT] : []), ...blocks];
  let output = parts[0]!;
  if (parts.length > 1) {
    const concat = only(parts[0]!, 'Concat', parts, numeric > 0 ? 'graph.input "input"' : `the Flatten of ${JSON.stringify(strings[0]!.name ?? '')}`);
    checkAttributes(concat, { axis: [ONNX_ATTRIBUTE.INT, 1] }, fail);
    // Every block is read by the Concat alone.
    parts.forEach((p) => (consumers.get(p)?.length ?? 0) === 1 || fail('shape', `the value ${JSON.stringify(p)}`, `read by ${nodePart(concat)} only`, `${consumers.get(p)?.length ?? 0} readers`));
    output = concat.node.output[0]!;
  }
  const width = numeric + categories.reduce((n, c) => n + c.length, 0);

  // The Gather that puts the columns in the model's order, when they are not already.
  let order: number[] | null = null;
  let where = `the value ${JSON.stringify(output)} (read by no Gather)`;
  const next = consumers.get(output) ?? [];
  if (next.length === 1 && next[0]!.node.opType === 'Gather' && (next[0]!.node.domain ?? '') === '') {
    const gather = next[0]!;
    const name = gather.node.input[1] ?? '';
    only(output, 'Gather', [output, name], nodePart(gather));
    checkAttributes(gather, { axis: [ONNX_ATTRIBUTE.INT, 1] }, fail);
    const found = indices(name) ?? fail('type', `${nodePart(gather)}.input[1]`, 'an INT64 initializer (the column order)', JSON.stringify(name));
    if (found.dims.length !== 1 || found.values.length !== width) fail('shape', `${nodePart(gather)}.input[1] "${name}"`, `${width} indices (the model's inputs)`, `dims [${found.dims.join(', ')}]`);
    order = found.values;
    where = `${nodePart(gather)}.input[1] "${name}"`;
    output = gather.node.output[0]!;
  }

  const names = numeric === 0 ? [] : numericNames(declared, numeric, fail);
  const encoding = rebuild(names, strings.map((v) => v.name ?? ''), categories, order ?? Array.from({ length: width }, (_, j) => j));
  const expected = encodedOrder(encoding);
  const complete = encoding.categories.reduce((n, c) => n + (c?.length ?? 1), 0) === width;
  if (!complete || JSON.stringify(expected) !== JSON.stringify(order)) {
    const wanted = !complete ? 'indices that take each numeric column once and each categorical column\'s block whole (the column order glassnet exports)'
      : expected === null ? 'no Gather (the columns are in order)' : `a Gather by [${expected.join(', ')}] (numeric columns, then each categorical column's block, in the model's column order)`;
    fail('shape', where, wanted, order === null ? 'none' : `[${order.join(', ')}]`);
  }
  // The metadata, when written, says the same as the graph.
  let described: unknown;
  try {
    described = onnxInputs(width, { encoding });
  } catch (error) {
    // A string input named like the export's own values ("input", "output", ""), which the export never writes.
    if (!(error instanceof GlassnetError)) throw error;
    fail('unknown-name', 'graph.input', `string inputs named other than ${JSON.stringify(ONNX_INPUT)}, ${JSON.stringify(ONNX_OUTPUT)} and ""`, error.found);
  }
  if (declared !== undefined && JSON.stringify(declared.value) !== JSON.stringify(described)) {
    fail('state', declared.part, 'the inputs the graph has (names, widths, categories)', 'a different list');
  }
  return { encoding, output, width, nodes: taken };
}

/** The width of the float input, which must be `input` and come first. */
function floatWidth(floats: readonly OnnxValueInfo[], inputs: readonly OnnxValueInfo[], fail: Fail): number {
  const input = floats[0]!;
  if (floats.length !== 1 || input.name !== ONNX_INPUT || inputs[0] !== input || input.type?.tensorType?.elemType !== ONNX_DTYPE.FLOAT) {
    fail('shape', 'graph.input', `one float input ${JSON.stringify(ONNX_INPUT)} (the numeric columns), before the string inputs`, `${floats.map((f) => JSON.stringify(f.name ?? '')).join(', ')}`);
  }
  const dims = input.type?.tensorType?.shape?.dim ?? [];
  const width = dims[1]?.dimValue;
  if (dims.length !== 2 || width === undefined || width < 1) fail('shape', `graph.input "${ONNX_INPUT}"`, 'a shape [batch, columns]', `${dims.length} dimensions`);
  return width!;
}

/** A OneHotEncoder's categories, after checking it has exactly the export's attributes. */
function encoderCategories(encoder: IndexedNode, fail: Fail): string[] {
  checkAttributes(encoder, { cats_strings: [ONNX_ATTRIBUTE.STRINGS], zeros: [ONNX_ATTRIBUTE.INT, 0] }, fail);
  const part = `${nodePart(encoder)} cats_strings`;
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  const raw = encoder.node.attribute.find((a) => a.name === 'cats_strings')!.strings;
  // A column glassnet encodes has at most MAX_CATEGORIES categories; refusing more first keeps the checks below small.
  if (raw.length > MAX_CATEGORIES) fail('range', part, `at most ${MAX_CATEGORIES} categories (glassnet's limit for a column)`, `${raw.length}`);
  const categories = raw.map((bytes, j) => {
    try {
      return utf8.decode(bytes);
    } catch {
      return fail('type', `${part}[${j}]`, 'UTF-8 text', 'invalid bytes');
    }
  });
  if (categories.length === 0) fail('empty', part, 'at least one category', 'none');
  const seen = new Set<string>();
  categories.forEach((c, j) => {
    if (seen.has(c)) fail('state', `${part}[${j}]`, 'categories that are all different', JSON.stringify(c));
    seen.add(c);
  });
  return categories;
}

/** Exactly these attributes, each of its type and (when given) value. */
function checkAttributes(reader: IndexedNode, wanted: Readonly<Record<string, readonly [type: number, value?: number]>>, fail: Fail): void {
  const part = nodePart(reader);
  const names = reader.node.attribute.map((a) => a.name ?? '');
  const expected = Object.keys(wanted);
  if (names.length !== expected.length || expected.some((n) => !names.includes(n))) fail('unknown-name', `${part}.attribute`, `exactly ${expected.join(', ')}`, names.join(', ') || 'none');
  reader.node.attribute.forEach((a: OnnxAttribute) => {
    const [type, value] = wanted[a.name ?? '']!;
    if (a.type !== undefined && a.type !== type) fail('type', `${part} ${a.name ?? ''}`, `attribute type ${type}`, `${a.type}`);
    if (value !== undefined && (a.i ?? 0) !== value) fail('range', `${part} ${a.name ?? ''}`, `${value}`, `${a.i ?? 0}`);
  });
}

/** The numeric columns' names, from the `glassnet.inputs` metadata's entry for `input`. */
function numericNames(declared: Declared | undefined, width: number, fail: Fail): string[] {
  if (declared === undefined) fail('empty', 'metadata_props', `a "glassnet.inputs" entry naming the ${width} numeric columns of "${ONNX_INPUT}" (glassnet's export writes it)`, 'none');
  const { value, path } = declared!;
  const list = expectArray(value, path);
  const at = list.findIndex((e) => expectObject(e, path)['name'] === ONNX_INPUT);
  if (at < 0) fail('empty', declared!.part, `an entry named ${JSON.stringify(ONNX_INPUT)}`, 'none');
  const entry = expectObject(list[at], path.index(at));
  return expectArray(entry['columns'], path.index(at).key('columns'), width).map((n, j) => expectString(n, path.index(at).key('columns').index(j), true));
}

/**
 * The encoding whose one-hot layout puts the file's concatenation
 * (numeric columns, then the blocks) in `order`: walking the model's
 * inputs, an index below the numeric width is that numeric column, any
 * other must start a block, which takes its categories' width. The caller
 * compares the encoding's own order with `order`, so a walk that went
 * astray is caught there.
 */
function rebuild(numeric: readonly string[], columns: readonly string[], categories: readonly string[][], order: readonly number[]): FeatureEncoding {
  const starts = new Map<number, number>();
  let start = numeric.length;
  categories.forEach((c, k) => {
    starts.set(start, k);
    start += c.length;
  });
  const encoding: FeatureEncoding = { columns: [], categories: [], fill: [] };
  const placed = new Set<string>();
  for (let j = 0; j < order.length;) {
    const p = order[j]!;
    const block = starts.get(p);
    const name = p >= 0 && p < numeric.length ? numeric[p]! : block !== undefined ? columns[block]! : undefined;
    if (name === undefined || placed.has(`${block ?? -1}:${p}`)) break;
    placed.add(`${block ?? -1}:${p}`);
    encoding.columns.push(name);
    encoding.categories.push(block === undefined ? null : [...categories[block]!]);
    encoding.fill.push(null);
    j += block === undefined ? 1 : categories[block]!.length;
  }
  return encoding;
}

/** The target scaling at the end of a glassnet export. */
interface TargetScaling {
  /** The network's output, which the scaling reads. */
  input: string;
  /** The Mul and Add, which the rest of the import leaves out. */
  nodes: OnnxNode[];
  /** The target scaler (`std` the scale, `mean` the offset) for a network of `width` outputs, after checking both have that many values and the scale is positive. */
  scaler(width: number, fail: Fail): JsonObject;
}

/** A constant of one dimension, as an export's final Mul and Add read: `[outputs]` values. */
function isVector(c: OnnxConstant | undefined): c is OnnxConstant {
  return c !== undefined && c.dims.length === 1;
}

/**
 * The target scaling glassnet's export writes after the network,
 * `Add(Mul(y, scale), offset)` with `[outputs]` constants, found from the
 * graph's output backwards; undefined when the graph does not end so.
 */
export function readTargetScaling(output: string, operators: readonly IndexedNode[], constants: ReadonlyMap<string, OnnxConstant>): TargetScaling | undefined {
  const producer = (value: string): IndexedNode | undefined => operators.find((n) => n.node.output.includes(value));
  const readers = (value: string): number => operators.filter((n) => n.node.input.includes(value)).length;
  const affine = (n: IndexedNode | undefined, op: string): boolean => n !== undefined && n.node.opType === op && (n.node.domain ?? '') === ''
    && n.node.input.length === 2 && n.node.output.length === 1 && n.node.attribute.length === 0 && isVector(constants.get(n.node.input[1]!));
  const add = producer(output);
  if (!affine(add, 'Add')) return undefined;
  const mul = producer(add!.node.input[0]!);
  if (!affine(mul, 'Mul') || readers(add!.node.input[0]!) !== 1 || readers(mul!.node.input[0]!) !== 1) return undefined;
  const scale = constants.get(mul!.node.input[1]!)!;
  const offset = constants.get(add!.node.input[1]!)!;
  return {
    input: mul!.node.input[0]!,
    nodes: [mul!.node, add!.node],
    scaler(width: number, fail: Fail): JsonObject {
      for (const [n, c, name] of [[mul!, scale, 'scale'], [add!, offset, 'offset']] as const) {
        if (c.values.length !== width) fail('shape', `${nodePart(n)}.input[1] "${n.node.input[1]}"`, `${width} values (the target scaler's ${name}, one per output)`, `dims [${c.dims.join(', ')}]`);
      }
      scale.values.forEach((v, j) => v > 0 || fail('range', `${nodePart(mul!)}.input[1][${j}]`, 'a scale > 0 (the target scaler\'s)', describeValue(v)));
      return { kind: 'standard', mean: Array.from(offset.values), std: Array.from(scale.values) };
    },
  };
}
