/**
 * ONNX graphs of multi-layer perceptrons as glassnet models
 * (docs/interop.md): a chain of Gemm, or MatMul then Add, each optionally
 * followed by an activation (one operator, or the several nodes of a form
 * in onnx-activations.ts, their scalars in initializers or Constant nodes),
 * with Flatten, Identity and Dropout passed through. That covers what `torch.onnx.export` writes for a
 * `torch.nn.Sequential` of Linear layers, the MatMul + Add form of
 * TensorFlow/Keras converters, and glassnet's own exports, whose
 * preprocessing becomes the model's again: the categorical columns'
 * one-hot encoding (onnx-preprocessing.ts), the leading Sub and Div (the
 * scaler), an appended output activation (the loss's, taken off the
 * network again) and the trailing Mul and Add (the target scaler). Nodes
 * are followed by data flow (which node reads which value), not by their
 * place in the file. Anything else is refused with an error naming the
 * node and its operator.
 */
import { GlassnetError, describeValue, type ErrorCode } from '../errors.js';
import { RATE, checkFinite, checkNumber, integerWords, intervalWords } from '../util/checks.js';
import type { ActivationName } from '../nn/activations.js';
import type { LossName } from '../nn/losses.js';
import { activationOption } from '../primitives/activations.js';
import { Dense, Dropout, type Layer } from '../nn/layers.js';
import { Sequential } from '../nn/model.js';
import type { DType } from '../tensor/tensor.js';
import type { Preprocessing } from './extras.js';
import { ACTIVATION_INTEROP, INTEROP_ACTIVATIONS, alphaOption, defaultAlpha, importedAlpha, type OnnxStep } from './interop-activations.js';
import { ONNX_METADATA } from './onnx-export.js';
import { MODEL, ONNX_DTYPE, type OnnxAttribute, type OnnxModel, type OnnxNode, type OnnxTensor } from './onnx-schema.js';
import { consumersOf, nodePart, readEncoding, readTargetScaling, type Fail, type IndexedNode, type OnnxIndices } from './onnx-preprocessing.js';
import { outputLoss, readMetadata, readMetadataEntries, readMissing } from './onnx-metadata.js';
import { decodeMessage } from './protobuf.js';
import { encodedNames } from '../data/table.js';
import { MULTI_NODE_FORMS, formName, matchForm, type OnnxConstant } from './onnx-activations.js';
import type { JsonObject } from './validate.js';

/** What {@link fromOnnx} returns. */
export interface ImportedOnnx {
  model: Sequential;
  /**
   * What glassnet's own exports carry besides the network: the scaler and
   * target scaler, the categorical encoding (with fill values and the
   * missing-cell policy when recorded), and the column names, classes and
   * target found in the metadata.
   */
  preprocessing?: Preprocessing;
  /** The `producer_name` and `producer_version` the file records, e.g. `pytorch 1.13.0`. */
  producer: string;
  /** The loss the model was trained with, as glassnet's export records it (or as its appended output activation implies). */
  loss?: LossName;
}

/** Operators passed through unchanged at prediction time. */
const PASS_THROUGH = ['Identity', 'Flatten', 'Dropout'] as const;
/**
 * The activation each ONNX operator stands for, read backwards from the
 * one interop table: the activations written as a single operator on NET
 * (those written as several are matched by onnx-activations.ts).
 */
const ACTIVATION_OF_OP = new Map(INTEROP_ACTIVATIONS.flatMap((name) => {
  const steps = ACTIVATION_INTEROP[name].onnx(defaultAlpha(name));
  const step = steps[0];
  const single = steps.length === 1 && step !== undefined && (step.inputs ?? ['x']).every((i) => i === 'x');
  return single ? [[step.op, { name, step }] as const] : [];
}));
/** ONNX's Gelu operator (opset 20): its `approximate` attribute ("" when absent) as glassnet's activation. */
const GELU_APPROXIMATIONS: ReadonlyMap<string, ActivationName> = new Map([['', 'gelu'], ['none', 'gelu'], ['tanh', 'geluTanh']]);
const SUPPORTED = `${['Gemm', 'MatMul', 'Add', ...ACTIVATION_OF_OP.keys(), 'Gelu', ...PASS_THROUGH, 'Constant'].join(', ')}; and the activations written as several: ${MULTI_NODE_FORMS.map(formName).join(', ')}`;

/** A float tensor's values, checked against its declared dims. */
type Constant = OnnxConstant;

/** A Dense layer being assembled from Gemm/MatMul, Add and an activation. */
interface PendingDense {
  inputSize: number;
  units: number;
  /** `[units][inputs]` row by row. */
  weight: Float64Array;
  bias: Float64Array | null;
  activation: ActivationName | null;
  /** The activation's option (leakyRelu's slope, ELU's alpha). */
  alpha: number;
  dtype: DType;
}

/**
 * Reads an ONNX model of a multi-layer perceptron. The protobuf is decoded
 * with every length checked against the file, initializers and Constant
 * nodes are checked (unique names, float or double, data matching their
 * dims, every value finite) before any weight is copied, and the graph
 * must be a single chain from its input to its output.
 * @param options.file names the input in errors (default `"model.onnx"`).
 * @param options.dtype the new model's dtype (default: the initializers', float32 or float64).
 * @throws GlassnetError naming the file and the part: `model.onnx: graph.node[3] "conv0"` for an unsupported operator,
 * `not-finite` naming the tensor and the element (`model.onnx: graph.initializer[5] "targetScaler.scale"[1]`) for a NaN or infinite constant.
 */
export function fromOnnx(bytes: Uint8Array, options: { file?: string; dtype?: DType } = {}): ImportedOnnx {
  const file = options.file ?? 'model.onnx';
  if (!(bytes instanceof Uint8Array)) throw new GlassnetError({ code: 'type', argument: file, expected: 'a Uint8Array', found: describeValue(bytes) });
  const onnx = decodeMessage(MODEL, bytes, file);
  const at = (part: string): string => `${file}: ${part}`;
  const fail = (code: ErrorCode, part: string, expected: string, found: string): never => {
    throw new GlassnetError({ code, argument: at(part), expected, found });
  };
  checkVersions(onnx, fail);
  const graph = onnx.graph ?? fail('type', 'graph', 'a graph', 'none');

  const constants = new Map<string, Constant>();
  // Constants are data: a NaN or infinity would otherwise load silently into a scaler, a target scaler or an activation's scalar.
  const finite = (c: Constant, part: string): Constant => {
    checkFinite(c.values, at(part));
    return c;
  };
  // INT64 initializers can only be the column order of glassnet's categorical encoding (Gather's indices): read when that asks for them.
  const integers = new Map<string, { tensor: OnnxTensor; part: string }>();
  graph.initializer.forEach((t, i) => {
    const name = t.name ?? '';
    const part = `graph.initializer[${i}] "${name}"`;
    if (constants.has(name) || integers.has(name)) fail('unknown-name', `graph.initializer[${i}].name`, 'initializer names that are all different', JSON.stringify(name));
    if (t.dataType === ONNX_DTYPE.INT64) integers.set(name, { tensor: t, part });
    else constants.set(name, finite(readConstant(t, part, fail), part));
  });
  const indices = (name: string): OnnxIndices | undefined => {
    const found = integers.get(name);
    return found === undefined ? undefined : readIndices(found.tensor, found.part, fail);
  };
  // Constant nodes (PyTorch writes an activation's scalars so) are constants like initializers, outside the chain.
  const operators: IndexedNode[] = [];
  graph.node.forEach((node, i) => {
    if (node.opType !== 'Constant' || (node.domain ?? '') !== '') {
      operators.push({ node, index: i });
      return;
    }
    const part = `graph.node[${i}] "${node.name ?? ''}" (Constant)`;
    const name = node.output[0] ?? '';
    if (node.input.length !== 0 || node.output.length !== 1 || constants.has(name) || integers.has(name)) fail('shape', part, 'no inputs and one output, a name no other constant has', `${node.input.length} inputs, outputs ${JSON.stringify(node.output)}`);
    constants.set(name, finite(constantNode(node, part, fail), part));
  });
  const metadata = readMetadataEntries(onnx, file);
  // Before IR version 4 initializers were listed as inputs too.
  const inputs = graph.input.filter((v) => !constants.has(v.name ?? '') && !integers.has(v.name ?? ''));
  if (graph.output.length !== 1) fail('shape', 'graph.output', 'exactly one output', `${graph.output.length}`);
  // Each value is produced once: by an input, an initializer, a Constant or one node.
  const produced = new Set<string>([...constants.keys(), ...integers.keys()]);
  const realInputs = new Set(inputs);
  graph.input.forEach((v, j) => {
    const name = v.name ?? '';
    if (!realInputs.has(v)) return; // an initializer listed as an input (IR < 4)
    if (produced.has(name)) fail('unknown-name', `graph.input[${j}]`, 'value names that are all different (each value produced once)', JSON.stringify(name));
    produced.add(name);
  });
  for (const n of operators) {
    for (const name of n.node.output) {
      if (name === '') continue;
      if (produced.has(name)) fail('unknown-name', `${nodePart(n)}.output`, 'value names that are all different (each value produced once)', JSON.stringify(name));
      produced.add(name);
    }
  }
  const consumers = consumersOf(operators);
  // String inputs are the categorical columns of a glassnet export: their encoding leads to the first layer's input.
  const encoded = inputs.some((v) => v.type?.tensorType?.elemType === ONNX_DTYPE.STRING)
    ? readEncoding(inputs, consumers, indices, metadata.get(ONNX_METADATA.inputs), fail)
    : undefined;
  let start: { name: string; width: number; rank: number };
  if (encoded !== undefined) start = { name: encoded.output, width: encoded.width, rank: 2 };
  else {
    if (inputs.length !== 1) fail('shape', 'graph.input', 'exactly one input that is not an initializer', `${inputs.length}`);
    const input = inputs[0]!;
    const dims = input.type?.tensorType?.shape?.dim ?? [];
    const features = dims.slice(1).reduce((n, d) => (d.dimValue !== undefined && d.dimValue > 0 ? n * d.dimValue : NaN), 1);
    if (dims.length < 2 || !Number.isSafeInteger(features)) {
      fail('shape', `graph.input "${input.name ?? ''}"`, 'a shape [batch, features, ...] with fixed sizes after the batch dimension', `${dims.length} dimensions`);
    }
    start = { name: input.name ?? '', width: features, rank: dims.length };
  }
  const targetScaling = readTargetScaling(graph.output[0]!.name ?? '', operators, constants);
  const outside = new Set([...(encoded?.nodes ?? []), ...(targetScaling?.nodes ?? [])]);
  // The network's nodes in data-flow order: each after the nodes whose outputs it reads.
  const chain = dataFlowOrder(operators.filter((n) => !outside.has(n.node)));

  // Every value is used once: the graph is a chain.
  const uses = new Map<string, number>();
  for (const { node } of chain) for (const name of node.input) if (name !== '') uses.set(name, (uses.get(name) ?? 0) + 1);

  const layers: PendingDense[] = [];
  const dropouts = new Map<number, number>(); // after layers[k - 1]: rate
  let scaler: { offset: Float64Array; scale: Float64Array } | undefined;
  let offset: Float64Array | undefined;
  let current = start.name;
  let width = start.width;
  let rank = start.rank;
  const last = (): PendingDense | undefined => layers[layers.length - 1];

  const partOf = (k: number): string => nodePart(chain[k]!);
  const nodes = chain.map((c) => c.node);
  for (let k = 0; k < chain.length; k++) {
    const node = chain[k]!.node;
    const op = node.opType ?? '';
    const part = partOf(k);
    if ((node.domain ?? '') !== '' && node.domain !== 'ai.onnx') fail('unknown-name', part, 'an operator of the default ONNX domain', `domain ${JSON.stringify(node.domain)}`);
    const pending = last();
    // An activation of several nodes, tried first: its first node may be an operator on its own too (SiLU starts with Sigmoid).
    const form = pending !== undefined && pending.activation === null ? matchForm(nodes, k, current, constants, uses) : null;
    if (form?.matched === true) {
      pending!.activation = form.name;
      pending!.alpha = defaultAlpha(form.name);
      current = form.output;
      k += form.nodes - 1;
      continue;
    }
    // A form's operators that are not an activation on their own (Div, Mul, ...) can only be that form: say where it went wrong.
    if (form !== null && !ACTIVATION_OF_OP.has(op)) {
      if (form.step > 0) fail('unknown-name', partOf(k + form.step), `the nodes of ${formName(form.form)}, this one ${form.expected}`, form.found);
      fail('unknown-name', part, `one of the operators glassnet imports (${SUPPORTED}); as the first node of ${formName(form.form)}: ${form.expected}`, `op type "${op}": ${form.found}`);
    }
    // The chain's value comes first, except in Add, whose bias may come first (PyTorch writes Add(bias, x)).
    const chained = op === 'Add' && node.input[1] === current ? 1 : 0;
    if (node.input[chained] !== current) fail('shape', `${part}.input[0]`, `the previous node's output ${JSON.stringify(current)} (glassnet imports a single chain of layers)`, JSON.stringify(node.input[0] ?? ''));
    if ((uses.get(current) ?? 0) !== 1) fail('shape', part, `${JSON.stringify(current)} used by one node only (a chain)`, `${uses.get(current)} uses`);
    const constant = (k: number): Constant => {
      const name = node.input[k] ?? '';
      const integer = integers.get(name);
      if (integer !== undefined) fail('dtype', `${integer.part}.data_type`, 'FLOAT (1) or DOUBLE (11)', `${integer.tensor.dataType}`);
      return constants.get(name) ?? fail('type', `${part}.input[${k}]`, 'an initializer (glassnet imports fixed weights)', JSON.stringify(name));
    };
    const attrs = attributeMap(node, part, fail);
    const int = (name: string, fallback: number): number => attrs.get(name)?.i ?? fallback;
    const float = (name: string, fallback: number): number => attrs.get(name)?.f ?? fallback;
    const outputs = node.output.filter((o) => o !== '');
    if (op === 'Dropout' ? outputs.length < 1 || outputs.slice(1).some((o) => uses.has(o)) : outputs.length !== 1) {
      fail('shape', `${part}.output`, 'one output (a Dropout mask may be produced but not used)', `${node.output.length} outputs`);
    }
    const dense = last();
    const open = dense !== undefined && dense.activation === null;
    switch (op) {
      case 'Identity':
        break;
      case 'Gelu': {
        // Opset 20's operator, which newer exporters write instead of the decomposition: `approximate` picks the form.
        const approximate = new TextDecoder().decode(attrs.get('approximate')?.s ?? new Uint8Array());
        const name = GELU_APPROXIMATIONS.get(approximate) ?? fail('range', `${part} approximate`, '"none" or "tanh"', JSON.stringify(approximate));
        if (!open) fail('unknown-name', part, 'an activation right after a Gemm, MatMul or Add', `op type "${op}" here`);
        if ([...attrs.keys()].some((k) => k !== 'approximate')) fail('unknown-name', `${part}.attribute`, 'only approximate', [...attrs.keys()].join(', '));
        dense!.activation = name;
        dense!.alpha = defaultAlpha(name);
        break;
      }
      case 'Flatten': {
        const axis = int('axis', 1);
        if (axis !== 1 || layers.length > 0) fail('shape', part, 'Flatten with axis 1 on the input, before the first layer', `axis ${axis}${layers.length > 0 ? ' after a layer' : ''}`);
        rank = 2;
        break;
      }
      case 'Dropout': {
        // Only the rate is kept: at prediction time Dropout is the identity.
        const ratio = node.input[1] !== undefined && node.input[1] !== '' ? constant(1).values[0] ?? 0.5 : float('ratio', 0.5);
        checkNumber(ratio, RATE, `${part} ratio`);
        if (open) dense!.activation = 'linear';
        dropouts.set(layers.length, ratio);
        break;
      }
      case 'Sub': case 'Div': {
        // glassnet's own scaling, (x − offset) / scale, before any layer.
        const c = constant(1);
        const ok = layers.length === 0 && scaler === undefined && c.values.length === width && (op === 'Sub' ? offset === undefined : offset !== undefined);
        if (!ok) fail('unknown-name', part, 'Sub then Div by constants of the input width before the first layer (the scaling glassnet exports)', `op type "${op}" here`);
        if (op === 'Sub') offset = c.values;
        else {
          c.values.forEach((v, j) => v > 0 || fail('range', `${part}.input[1][${j}]`, 'a scale > 0', describeValue(v)));
          scaler = { offset: offset!, scale: c.values };
        }
        break;
      }
      case 'Gemm': case 'MatMul': {
        if (rank !== 2) fail('shape', part, 'a 2-D input (add Flatten first)', `rank ${rank}`);
        if (offset !== undefined && scaler === undefined) fail('unknown-name', part, 'Div after Sub (the scaling glassnet exports)', `op type "${op}"`);
        if (open) dense!.activation = 'linear';
        const b = constant(1);
        const transB = op === 'Gemm' ? int('transB', 0) : 0;
        if (op === 'Gemm' && int('transA', 0) !== 0) fail('shape', `${part} transA`, '0', `${int('transA', 0)}`);
        if (b.dims.length !== 2 || b.dims[transB === 1 ? 1 : 0] !== width) {
          fail('shape', `${part}.input[1] "${node.input[1]}"`, `a matrix with ${width} ${transB === 1 ? 'columns' : 'rows'} (the inputs)`, `dims [${b.dims.join(', ')}]`);
        }
        const units = b.dims[transB === 1 ? 0 : 1]!;
        const alpha = op === 'Gemm' ? float('alpha', 1) : 1;
        const weight = new Float64Array(units * width);
        for (let u = 0; u < units; u++) for (let k = 0; k < width; k++) weight[u * width + k] = alpha * b.values[transB === 1 ? u * width + k : k * units + u]!;
        const pending: PendingDense = { inputSize: width, units, weight, bias: null, activation: null, alpha: 0, dtype: b.dtype };
        if (op === 'Gemm' && node.input[2] !== undefined && node.input[2] !== '') pending.bias = biasOf(constant(2), units, float('beta', 1), `${part}.input[2] "${node.input[2]}"`, fail);
        layers.push(pending);
        width = units;
        break;
      }
      case 'Add': {
        const k = 1 - chained;
        if (!open || dense!.bias !== null) fail('unknown-name', part, 'Add right after MatMul (or Gemm without a bias)', 'an Add elsewhere');
        dense!.bias = biasOf(constant(k), dense!.units, 1, `${part}.input[${k}] "${node.input[k]}"`, fail);
        break;
      }
      default: {
        const activation = ACTIVATION_OF_OP.get(op) ?? fail('unknown-name', part, `one of the operators glassnet imports (${SUPPORTED})`, `op type "${op}"`);
        if (!open) fail('unknown-name', part, 'an activation right after a Gemm, MatMul or Add', `op type "${op}" here`);
        dense!.alpha = checkActivationAttributes(activation.name, activation.step, attrs, part, fail);
        dense!.activation = activation.name;
      }
    }
    current = outputs[0]!;
  }
  const output = targetScaling?.input ?? graph.output[0]!.name ?? '';
  if (current !== output) fail('shape', 'graph.output', `the last node's output ${JSON.stringify(current)}`, JSON.stringify(output));
  if (layers.length === 0) fail('empty', 'graph', 'at least one Gemm or MatMul', 'none');
  if (scaler === undefined && offset !== undefined) fail('unknown-name', 'graph', 'Div after Sub (the scaling glassnet exports)', 'a Sub alone');
  const loss = outputLoss(metadata, last()!, fail);

  const dtypes = new Set(layers.map((l) => l.dtype));
  const dtype = options.dtype ?? (dtypes.size === 1 ? [...dtypes][0]! : 'float64');
  const built: Layer[] = [];
  layers.forEach((l, k) => {
    const rate = dropouts.get(k);
    if (rate !== undefined && k > 0) built.push(new Dropout(l.inputSize, rate, { dtype }));
    built.push(new Dense(l.inputSize, l.units, {
      activation: l.activation ?? 'linear',
      ...alphaOption(l.activation ?? 'linear', l.alpha),
      weights: Array.from({ length: l.units }, (_, u) => Array.from(l.weight.subarray(u * l.inputSize, (u + 1) * l.inputSize))),
      bias: l.bias === null ? false : Array.from(l.bias),
      dtype,
    }));
  });
  const rate = dropouts.get(layers.length);
  if (rate !== undefined) built.push(new Dropout(width, rate, { dtype }));
  const model = new Sequential(built);
  checkWeightsFinite(model, dtype, at);

  const preprocessing = readMetadata(metadata, model.inputSize);
  if (scaler !== undefined) preprocessing.scaler = { kind: 'standard', mean: Array.from(scaler.offset), std: Array.from(scaler.scale) };
  if (targetScaling !== undefined) preprocessing.targetScaler = targetScaling.scaler(width, fail);
  if (encoded !== undefined) {
    const names = encodedNames(encoded.encoding);
    if (preprocessing.featureNames !== undefined && JSON.stringify(preprocessing.featureNames) !== JSON.stringify(names)) {
      fail('state', `metadata_props "${ONNX_METADATA.featureNames}"`, `the names the graph's encoding gives (${names.join(', ')})`, preprocessing.featureNames.join(', '));
    }
    preprocessing.featureNames = names;
    preprocessing.encoding = encoded.encoding as unknown as JsonObject;
  }
  readMissing(metadata, preprocessing, file, fail);
  const producer = [onnx.producerName, onnx.producerVersion].filter((s) => s !== undefined && s !== '').join(' ');
  return { model, producer, ...(Object.keys(preprocessing).length === 0 ? {} : { preprocessing }), ...(loss === undefined ? {} : { loss }) };
}

const ITEM_SIZE = { [ONNX_DTYPE.FLOAT]: 4, [ONNX_DTYPE.DOUBLE]: 8 } as Readonly<Record<number, number>>;

function checkVersions(onnx: OnnxModel, fail: Fail): void {
  const ir = onnx.irVersion ?? 0;
  if (ir < 3 || ir > 10) fail('range', 'ir_version', 'an ONNX IR version from 3 to 10', `${ir}`);
  const main = onnx.opsetImport.filter((o) => (o.domain ?? '') === '' || o.domain === 'ai.onnx');
  if (main.length !== 1 || (main[0]!.version ?? 0) < 7) fail('range', 'opset_import', 'one default-domain opset, version 7 or newer', main.map((o) => o.version).join(', ') || 'none');
}

/** An initializer's values as float64, after checking its type, dims and byte count against each other. */
function readConstant(t: OnnxTensor, part: string, fail: Fail): Constant {
  if (t.dataLocation === 1) fail('type', `${part}.data_location`, 'data stored in the file', 'external data (not read)');
  const type = t.dataType ?? 0;
  const item = ITEM_SIZE[type] ?? fail('dtype', `${part}.data_type`, 'FLOAT (1) or DOUBLE (11)', `${type}`);
  let size = 1;
  t.dims.forEach((d, j) => {
    if (!Number.isSafeInteger(d) || d < 0) fail('shape', `${part}.dims[${j}]`, integerWords(0), `${d}`);
    size *= d;
  });
  // Counted from what was actually stored, so huge declared dims allocate nothing.
  const stored = t.rawData !== undefined ? t.rawData.length / item : type === ONNX_DTYPE.FLOAT ? t.floatData.length : t.doubleData.length;
  if (stored !== size) fail('shape', part, `${size} values (dims [${t.dims.join(', ')}])`, `${t.rawData !== undefined ? `${t.rawData.length} bytes of raw_data` : `${stored} values`}`);
  const values = new Float64Array(size);
  if (t.rawData !== undefined) {
    const view = new DataView(t.rawData.buffer, t.rawData.byteOffset, t.rawData.byteLength);
    for (let i = 0; i < size; i++) values[i] = item === 4 ? view.getFloat32(4 * i, true) : view.getFloat64(8 * i, true);
  } else values.set(type === ONNX_DTYPE.FLOAT ? t.floatData : t.doubleData);
  return { dims: t.dims, values, dtype: item === 4 ? 'float32' : 'float64' };
}

/** A Constant node's value: its `value` tensor (FLOAT or DOUBLE) or its `value_float` / `value_floats`. */
function constantNode(node: OnnxNode, part: string, fail: Fail): Constant {
  const attr = node.attribute.length === 1 ? node.attribute[0]! : fail('shape', `${part}.attribute`, 'one attribute (the value)', `${node.attribute.length}`);
  switch (attr.name) {
    case 'value': return readConstant(attr.t ?? fail('type', `${part} value`, 'a tensor', 'none'), `${part} value`, fail);
    case 'value_float': return { dims: [], values: Float64Array.of(Math.fround(attr.f ?? 0)), dtype: 'float32' };
    case 'value_floats': return { dims: [attr.floats.length], values: Float64Array.from(attr.floats, Math.fround), dtype: 'float32' };
    default: return fail('type', `${part} attribute ${JSON.stringify(attr.name ?? '')}`, 'value, value_float or value_floats (a float constant)', JSON.stringify(attr.name ?? ''));
  }
}

function biasOf(c: Constant, units: number, beta: number, part: string, fail: Fail): Float64Array {
  const vector = c.dims.filter((d) => d !== 1).length <= 1 && (c.values.length === units || c.values.length === 1);
  if (!vector) fail('shape', part, `a bias of ${units} values (or one)`, `dims [${c.dims.join(', ')}]`);
  return Float64Array.from({ length: units }, (_, u) => beta * c.values[c.values.length === 1 ? 0 : u]!);
}

function attributeMap(node: OnnxNode, part: string, fail: Fail): Map<string, OnnxAttribute> {
  const map = new Map<string, OnnxAttribute>();
  node.attribute.forEach((a, k) => {
    if (map.has(a.name ?? '')) fail('unknown-name', `${part}.attribute[${k}]`, 'attribute names that are all different', JSON.stringify(a.name ?? ''));
    map.set(a.name ?? '', a);
  });
  return map;
}

/**
 * The attributes an activation operator may carry must mean what glassnet's
 * activation does: its float attribute is the activation's option (alpha).
 * @returns that option's value, for the layer.
 */
function checkActivationAttributes(activation: ActivationName, spec: OnnxStep, attrs: Map<string, OnnxAttribute>, part: string, fail: Fail): number {
  let alpha = defaultAlpha(activation);
  const option = activationOption(activation);
  const takes = option === null ? 'none' : intervalWords(option.range);
  for (const name of Object.keys(spec.floats ?? {})) {
    const found = attrs.get(name)?.f;
    alpha = importedAlpha(activation, found) ?? fail('range', `${part} ${name}`, `a value glassnet's ${activation} takes (${takes})`, `${found}`);
  }
  if (activation === 'softmax') {
    const axis = attrs.get('axis')?.i ?? -1;
    if (axis !== -1 && axis !== 1) fail('range', `${part} axis`, '-1 or 1 (over the units)', `${axis}`);
  }
  for (const name of attrs.keys()) {
    if (!(name in (spec.floats ?? {})) && !(name in (spec.ints ?? {}))) fail('unknown-name', `${part} attribute ${JSON.stringify(name)}`, `only ${[...Object.keys(spec.floats ?? {}), ...Object.keys(spec.ints ?? {})].join(', ') || 'no attributes'}`, JSON.stringify(name));
  }
  return alpha;
}

function checkWeightsFinite(model: Sequential, dtype: DType, at: (part: string) => string): void {
  for (const p of model.layers.flatMap((l) => (l instanceof Dense ? (l.bias === null ? [l.weight] : [l.weight, l.bias]) : []))) {
    checkFinite(p.data, at(p.label ?? 'weights'), { dtype });
  }
}

/**
 * The nodes in data-flow order: each after every node whose output it
 * reads, ties in the file's order. A node that never becomes ready (a
 * cycle) is put at the end, where the chain's checks name it.
 */
function dataFlowOrder(nodes: readonly IndexedNode[]): IndexedNode[] {
  const producers = new Set(nodes.flatMap((n) => n.node.output.filter((o) => o !== '')));
  const readers = new Map<string, number[]>();
  const waiting = nodes.map((n, k) => {
    const reads = new Set(n.node.input.filter((i) => producers.has(i)));
    for (const value of reads) {
      const list = readers.get(value);
      if (list === undefined) readers.set(value, [k]);
      else list.push(k);
    }
    return reads.size;
  });
  const ready = waiting.flatMap((w, k) => (w === 0 ? [k] : []));
  const done = new Set<number>();
  for (let r = 0; r < ready.length; r++) {
    const k = ready[r]!;
    done.add(k);
    for (const value of new Set(nodes[k]!.node.output)) for (const j of readers.get(value) ?? []) if (--waiting[j]! === 0) ready.push(j);
  }
  return [...ready.map((k) => nodes[k]!), ...nodes.filter((_, k) => !done.has(k))];
}

/** An INT64 initializer's values, after checking its dims and byte count against each other and each value against ±2^53. */
function readIndices(t: OnnxTensor, part: string, fail: Fail): OnnxIndices {
  if (t.dataLocation === 1) fail('type', `${part}.data_location`, 'data stored in the file', 'external data (not read)');
  let size = 1;
  t.dims.forEach((d, j) => {
    if (!Number.isSafeInteger(d) || d < 0) fail('shape', `${part}.dims[${j}]`, integerWords(0), `${d}`);
    size *= d;
  });
  // Counted from what was stored, so huge declared dims allocate nothing.
  const stored = t.rawData !== undefined ? t.rawData.length / 8 : t.int64Data.length;
  if (stored !== size) fail('shape', part, `${size} values (dims [${t.dims.join(', ')}])`, t.rawData !== undefined ? `${t.rawData.length} bytes of raw_data` : `${stored} values`);
  if (t.rawData === undefined) return { dims: t.dims, values: [...t.int64Data] };
  const view = new DataView(t.rawData.buffer, t.rawData.byteOffset, t.rawData.byteLength);
  const values = Array.from({ length: size }, (_, i) => {
    const v = view.getBigInt64(8 * i, true);
    return v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER) ? fail('range', `${part}[${i}]`, 'an integer within ±2^53', String(v)) : Number(v);
  });
  return { dims: t.dims, values };
}
