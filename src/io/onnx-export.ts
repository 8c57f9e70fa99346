/**
 * A glassnet model as an ONNX file (docs/interop.md): the input's scaling
 * as Sub and Div, each Dense layer as one Gemm followed by its activation's
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
import { ACTIVATION_INTEROP, alphaOf, defaultAlpha, type OnnxStep } from './interop-activations.js';
import { fileLayers } from './layerspec.js';
import {
  MODEL, ONNX_ATTRIBUTE, ONNX_DTYPE, ONNX_IR_VERSION, ONNX_OPSET,
  type OnnxAttribute, type OnnxEntry, type OnnxModel, type OnnxNode, type OnnxTensor, type OnnxValueInfo,
} from './onnx-schema.js';
import { encodeMessage } from './protobuf.js';

/** The graph input's name: `[batch, inputSize]` float32 raw feature rows. */
export const ONNX_INPUT = 'input';
/** The graph output's name: `[batch, outputSize]` float32. */
export const ONNX_OUTPUT = 'output';
/** Metadata keys (`metadata_props`) glassnet writes, each a JSON value. */
export const ONNX_METADATA = { featureNames: 'glassnet.featureNames', classes: 'glassnet.classes', targetName: 'glassnet.targetName', outputActivation: 'glassnet.outputActivation' } as const;

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
  /** Column names, recorded in the file's metadata. */
  featureNames?: readonly string[];
  /** Class labels in output order, recorded in the file's metadata. */
  classes?: readonly (string | number)[];
  targetName?: string;
  /** The file's `producer_version` (default `"0.1.0"`). */
  producerVersion?: string;
}

/**
 * The model as ONNX bytes (IR version 8, opset 17): input `input`
 * `[batch, inputSize]`, output `output` `[batch, outputSize]`, float32.
 * Parameters keep their file names (`layer1.weight`, `layer1.bias`).
 * @throws GlassnetError for layers other than Dense and Dropout, bad layer names, weights that are not finite in float32, or a scaler whose width is not the model's input size.
 */
export function toOnnx(model: Sequential, options: OnnxExportOptions = {}): Uint8Array {
  const layers = fileLayers(model, 'model');
  const initializers: OnnxTensor[] = [];
  const nodes: OnnxNode[] = [];
  let current = ONNX_INPUT;
  const emit = (opType: string, name: string, inputs: string[], attribute: OnnxAttribute[] = []): void => {
    const output = `${name}.out`;
    nodes.push({ name, opType, input: inputs, output: [output], attribute });
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

  const onnx: OnnxModel = {
    irVersion: ONNX_IR_VERSION,
    producerName: 'glassnet',
    producerVersion: options.producerVersion ?? '0.1.0',
    graph: {
      name: 'glassnet',
      node: nodes,
      initializer: initializers,
      input: [valueInfo(ONNX_INPUT, model.inputSize)],
      output: [valueInfo(ONNX_OUTPUT, model.outputSize)],
    },
    opsetImport: [{ domain: '', version: ONNX_OPSET }],
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

function valueInfo(name: string, width: number): OnnxValueInfo {
  return {
    name,
    type: { tensorType: { elemType: ONNX_DTYPE.FLOAT, shape: { dim: [{ dimParam: 'batch' }, { dimValue: width }] } } },
  };
}

function intAttribute(name: string, value: number): OnnxAttribute {
  return { name, type: ONNX_ATTRIBUTE.INT, i: value, floats: [], ints: [] };
}

/** A form that names a step that does not come before it: a mistake in the interop table, not in user input. */
function fail(what: string): never {
  throw new Error(`ACTIVATION_INTEROP: ${what} names no earlier step`);
}

function attributes(activation: OnnxStep): OnnxAttribute[] {
  return [
    ...Object.entries(activation.floats ?? {}).map(([name, f]): OnnxAttribute => ({ name, type: ONNX_ATTRIBUTE.FLOAT, f, floats: [], ints: [] })),
    ...Object.entries(activation.ints ?? {}).map(([name, i]) => intAttribute(name, i)),
  ];
}
