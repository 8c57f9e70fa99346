/**
 * A glassnet model as an ONNX file (docs/interop.md): categorical columns
 * one-hot encoded from their strings (ai.onnx.ml OneHotEncoder) and put in
 * the model's column order, the input's scaling as Sub and Div, each Dense layer as one Gemm followed by its activation's
 * operator, Dropout (the identity when not training, its rate kept), and
 * optionally a final Softmax, so the file takes the raw rows `glassnet
 * predict` takes and gives what it reports. Float32 throughout; the batch
 * dimension is symbolic (`batch`).
 */
import { GlassnetError, describeValue } from '../errors.js';
import { checkFinite } from '../util/checks.js';
import { Dense } from '../nn/layers.js';
import type { Sequential } from '../nn/model.js';
import { checkActivation, type ActivationName } from '../nn/activations.js';
import { checkLoss, type LossName } from '../nn/losses.js';
import { ACTIVATION_INTEROP, alphaOf, defaultAlpha, type OnnxStep } from './interop-activations.js';
import { fileLayers } from './layerspec.js';
import {
  MODEL, ONNX_ATTRIBUTE, ONNX_DTYPE, ONNX_IR_VERSION, ONNX_ML_DOMAIN, ONNX_ML_OPSET, ONNX_OPSET,
  type OnnxAttribute, type OnnxDim, type OnnxEntry, type OnnxModel, type OnnxNode, type OnnxTensor, type OnnxValueInfo,
} from './onnx-schema.js';
import { encodeMessage } from './protobuf.js';
import type { FeatureEncoding, MissingPolicy } from '../data/table.js';
import { ONNX_INPUT, ONNX_OUTPUT, encodedOrder, onnxInputs } from './onnx-inputs.js';

export { ONNX_INPUT, ONNX_OUTPUT, onnxInputs, type OnnxInput } from './onnx-inputs.js';
/** Metadata keys (`metadata_props`) glassnet writes, each a JSON value. */
export const ONNX_METADATA = {
  featureNames: 'glassnet.featureNames', classes: 'glassnet.classes', targetName: 'glassnet.targetName', outputActivation: 'glassnet.outputActivation', inputs: 'glassnet.inputs',
  loss: 'glassnet.loss', missing: 'glassnet.missing',
} as const;

/** What {@link toOnnx} adds around the network. */
export interface OnnxExportOptions {
  /**
   * Per-column affine scaling applied to the raw input first,
   * `(x − offset) / scale`, as a glassnet `Scaler` holds it (pass the
   * scaler itself). Omitted, or with empty arrays: no scaling.
   */
  scaler?: { readonly offset: readonly number[]; readonly scale: readonly number[] };
  /**
   * A regression model's target scaling, undone on the outputs last,
   * `output · scale + offset`, so the file gives targets in their own
   * units as `glassnet predict` does (pass the model's target scaler).
   */
  targetScaler?: { readonly offset: readonly number[]; readonly scale: readonly number[] };
  /**
   * An activation applied after the last layer, so the file gives what
   * `glassnet predict` reports: `"softmax"` for a model trained with
   * softmaxCrossEntropy (whose last layer is linear, the softmax being
   * inside the loss) gives class probabilities.
   */
  outputActivation?: ActivationName;
  /**
   * How the model's CSV columns become its inputs (a `TrainedModel`'s
   * `encoding`). With categorical columns the file takes the raw cells:
   * the numeric columns in the float input `input`, each categorical
   * column as strings in an input named like the column, one-hot encoded
   * by `ai.onnx.ml` OneHotEncoder (see {@link onnxInputs}).
   */
  encoding?: FeatureEncoding;
  /** Column names, recorded in the file's metadata. */
  featureNames?: readonly string[];
  /** Class labels in output order, recorded in the file's metadata. */
  classes?: readonly (string | number)[];
  targetName?: string;
  /** The loss the model was trained with, recorded in the file's metadata so that an import reads the outputs as glassnet did. */
  loss?: LossName;
  /**
   * How training filled missing cells (`mean` or `median`, with
   * `encoding`'s fill values), recorded in the metadata for an import to
   * fill them again; the graph itself takes complete rows.
   */
  missing?: MissingPolicy;
  /** The file's `producer_version` (default `"0.1.0"`). */
  producerVersion?: string;
}

/**
 * The model as ONNX bytes (IR version 8, opset 17): input `input`
 * `[batch, inputSize]`, output `output` `[batch, outputSize]`, float32;
 * with categorical columns in `options.encoding`, the inputs
 * {@link onnxInputs} lists. Parameters keep their file names
 * (`layer1.weight`, `layer1.bias`).
 * @throws GlassnetError for layers other than Dense and Dropout, bad layer names, weights that are not finite in float32, a scaler or encoding whose width is not the model's input size, or a categorical column named like another value of the graph.
 */
export function toOnnx(model: Sequential, options: OnnxExportOptions = {}): Uint8Array {
  const layers = fileLayers(model, 'model');
  const initializers: OnnxTensor[] = [];
  const nodes: OnnxNode[] = [];
  let current = ONNX_INPUT;
  const emit = (opType: string, name: string, inputs: string[], attribute: OnnxAttribute[] = [], domain?: string): void => {
    const output = `${name}.out`;
    nodes.push({ name, opType, input: inputs, output: [output], attribute, ...(domain === undefined ? {} : { domain }) });
    current = output;
  };
  /** An activation's form applied to the current value: its steps as nodes, numeric inputs as scalar initializers. */
  const emitForm = (steps: readonly OnnxStep[], name: string): void => {
    const x = current;
    const outputs: string[] = [];
    steps.forEach((step, k) => {
      const node = steps.length === 1 ? name : `${name}_${k}`;
      const inputs = (step.inputs ?? ['x']).map((input, j) => {
        if (typeof input === 'number') {
          const constant = `${node}.c${j}`;
          initializers.push(floatTensor(constant, [], [input], constant));
          return constant;
        }
        return input === 'x' ? x : outputs[Number(input.slice(1))] ?? fail(`${name}: step ${k} input ${JSON.stringify(input)}`);
      });
      emit(step.op, node, inputs, attributes(step));
      outputs.push(current);
    });
  };

  /** The affine map of a scaler, `(x − offset) / scale` on the way in or its inverse on the way out, as two operators; nothing for an empty scaler. */
  const affine = (option: 'scaler' | 'targetScaler', width: number, inverse: boolean): void => {
    const offset = options[option]?.offset ?? [];
    const scale = options[option]?.scale ?? [];
    if (offset.length === 0 && scale.length === 0) return;
    for (const [name, values] of [['offset', offset], ['scale', scale]] as const) {
      if (values.length !== width) {
        throw new GlassnetError({ code: 'shape', argument: `options.${option}.${name}`, expected: `${width} numbers (the model's ${inverse ? 'output' : 'input'} size)`, found: `${values.length}` });
      }
    }
    initializers.push(floatTensor(`${option}.offset`, [width], offset, `options.${option}.offset`));
    initializers.push(floatTensor(`${option}.scale`, [width], scale, `options.${option}.scale`));
    if (inverse) {
      emit('Mul', `${option}_mul`, [current, `${option}.scale`]);
      emit('Add', `${option}_add`, [current, `${option}.offset`]);
    } else {
      emit('Sub', `${option}_sub`, [current, `${option}.offset`]);
      emit('Div', `${option}_div`, [current, `${option}.scale`]);
    }
  };

  const inputs = onnxInputs(model.inputSize, options);
  const valueInfos: OnnxValueInfo[] = [];
  const encoding = options.encoding;
  const categorical = inputs.some((i) => i.type === 'string');
  if (categorical && encoding !== undefined) {
    // Each categorical column one-hot ([batch, 1, K], flattened to [batch, K]); unseen categories are an error (zeros = 0).
    const blocks = inputs.map((input, k) => {
      if (input.type === 'float32') return input.name;
      emit('OneHotEncoder', `onehot${k}`, [input.name], [stringsAttribute('cats_strings', input.categories), intAttribute('zeros', 0)], ONNX_ML_DOMAIN);
      // A checker cannot infer OneHotEncoder's output type: it is stated.
      valueInfos.push(tensorInfo(current, ONNX_DTYPE.FLOAT, [{ dimParam: 'batch' }, { dimValue: 1 }, { dimValue: input.categories.length }]));
      emit('Flatten', `onehot${k}_flatten`, [current], [intAttribute('axis', 1)]);
      return current;
    });
    if (blocks.length > 1) emit('Concat', 'encode_concat', blocks, [intAttribute('axis', 1)]);
    const order = encodedOrder(encoding);
    if (order !== null) {
      initializers.push({ name: 'encode.order', dims: [order.length], dataType: ONNX_DTYPE.INT64, int64Data: order, floatData: [], doubleData: [] });
      emit('Gather', 'encode_order', [current, 'encode.order'], [intAttribute('axis', 1)]);
    }
  }

  affine('scaler', model.inputSize, false);

  for (const layer of layers) {
    if (!(layer instanceof Dense)) {
      // The identity at prediction time; kept, with its rate, so that an import restores the layer.
      const ratio = `${layer.name}.ratio`;
      initializers.push(floatTensor(ratio, [], [layer.rate], ratio));
      emit('Dropout', `${layer.name}_dropout`, [current, ratio]);
      continue;
    }
    const weight = `${layer.name}.weight`;
    initializers.push(floatTensor(weight, [...layer.weight.shape], layer.weight.data, weight));
    const inputs = [current, weight];
    if (layer.bias !== null) {
      const bias = `${layer.name}.bias`;
      initializers.push(floatTensor(bias, [...layer.bias.shape], layer.bias.data, bias));
      inputs.push(bias);
    }
    emit('Gemm', `${layer.name}_gemm`, inputs, [intAttribute('transB', 1)]);
    emitForm(ACTIVATION_INTEROP[layer.activation].onnx(alphaOf(layer)), `${layer.name}_${layer.activation}`);
  }
  const appended = options.outputActivation;
  if (appended !== undefined) emitForm(ACTIVATION_INTEROP[checkActivation(appended, 'options.outputActivation')].onnx(defaultAlpha(appended)), `output_${appended}`);
  affine('targetScaler', model.outputSize, true);
  if (nodes.length === 0) emit('Identity', 'identity', [current]);
  nodes[nodes.length - 1]!.output = [ONNX_OUTPUT];

  const metadata: OnnxEntry[] = [];
  const note = (key: string, value: unknown): void => {
    if (value !== undefined) metadata.push({ key, value: JSON.stringify(value) });
  };
  if (options.featureNames !== undefined && options.featureNames.length !== model.inputSize) {
    throw new GlassnetError({ code: 'shape', argument: 'options.featureNames', expected: `${model.inputSize} names (the model's input size)`, found: describeValue(options.featureNames) });
  }
  note(ONNX_METADATA.featureNames, options.featureNames);
  note(ONNX_METADATA.classes, options.classes);
  note(ONNX_METADATA.targetName, options.targetName);
  note(ONNX_METADATA.outputActivation, appended);
  note(ONNX_METADATA.loss, options.loss === undefined ? undefined : checkLoss(options.loss, 'options.loss'));
  if ((options.missing === 'mean' || options.missing === 'median') && encoding?.fill.some((f) => f !== null) === true) {
    // The import reads the fill values by column name: without the names the file could not be read back.
    if (options.featureNames === undefined) {
      throw new GlassnetError({ code: 'state', argument: 'options.featureNames', expected: `the column names, to store the ${options.missing} fill values with`, found: 'none' });
    }
    note(ONNX_METADATA.missing, { policy: options.missing, fill: encoding.fill });
  }
  if (categorical) note(ONNX_METADATA.inputs, inputs);

  // Column names become input names: none may be the name of another value.
  const values = new Set([...initializers.map((t) => t.name), ...nodes.flatMap((n) => n.output)]);
  inputs.forEach((input) => {
    if (input.type === 'string' && values.has(input.name)) {
      throw new GlassnetError({ code: 'unknown-name', argument: 'options.encoding.columns', expected: 'categorical column names that are not names of the graph\'s values (rename the column)', found: JSON.stringify(input.name) });
    }
  });

  const onnx: OnnxModel = {
    irVersion: ONNX_IR_VERSION,
    producerName: 'glassnet',
    producerVersion: options.producerVersion ?? '0.1.0',
    graph: {
      name: 'glassnet',
      node: nodes,
      initializer: initializers,
      input: inputs.map((i) => tensorInfo(i.name, i.type === 'string' ? ONNX_DTYPE.STRING : ONNX_DTYPE.FLOAT, [{ dimParam: 'batch' }, { dimValue: i.width }])),
      output: [tensorInfo(ONNX_OUTPUT, ONNX_DTYPE.FLOAT, [{ dimParam: 'batch' }, { dimValue: model.outputSize }])],
      valueInfo: valueInfos,
    },
    opsetImport: [{ domain: '', version: ONNX_OPSET }, ...(categorical ? [{ domain: ONNX_ML_DOMAIN, version: ONNX_ML_OPSET }] : [])],
    metadataProps: metadata,
  };
  return encodeMessage(MODEL, onnx);
}

/** A float32 initializer in `raw_data` (little-endian), refusing values that are not finite in float32. */
function floatTensor(name: string, dims: number[], values: ArrayLike<number>, argument: string): OnnxTensor {
  const raw = new Uint8Array(values.length * 4);
  const view = new DataView(raw.buffer);
  checkFinite(values, argument, { dtype: 'float32' });
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i]!, true);
  return { name, dims, dataType: ONNX_DTYPE.FLOAT, rawData: raw, floatData: [], int64Data: [], doubleData: [] };
}

function tensorInfo(name: string, elemType: number, dim: OnnxDim[]): OnnxValueInfo {
  return { name, type: { tensorType: { elemType, shape: { dim } } } };
}

function intAttribute(name: string, value: number): OnnxAttribute {
  return { name, type: ONNX_ATTRIBUTE.INT, i: value, floats: [], ints: [], strings: [] };
}

function stringsAttribute(name: string, values: readonly string[]): OnnxAttribute {
  const utf8 = new TextEncoder();
  return { name, type: ONNX_ATTRIBUTE.STRINGS, floats: [], ints: [], strings: values.map((v) => utf8.encode(v)) };
}

/** A form that names a step that does not come before it: a mistake in the interop table, not in user input. */
function fail(what: string): never {
  throw new Error(`ACTIVATION_INTEROP: ${what} names no earlier step`);
}

function attributes(activation: OnnxStep): OnnxAttribute[] {
  return [
    ...Object.entries(activation.floats ?? {}).map(([name, f]): OnnxAttribute => ({ name, type: ONNX_ATTRIBUTE.FLOAT, f, floats: [], ints: [], strings: [] })),
    ...Object.entries(activation.ints ?? {}).map(([name, i]) => intAttribute(name, i)),
  ];
}
