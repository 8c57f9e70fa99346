/**
 * The subset of ONNX's protobuf messages (onnx.proto, IR version 8) that
 * glassnet writes and reads, as field tables for protobuf.ts. Field names
 * and numbers are the schema's; fields glassnet never needs are left out,
 * so a reader skips them like any unknown field.
 */
import type { Schema } from './protobuf.js';

/** The IR version glassnet writes (ONNX 1.12's); readers accept 3 to 10. */
export const ONNX_IR_VERSION = 8;
/** The default-domain opset glassnet writes: every operator it emits is defined there. */
export const ONNX_OPSET = 17;
/** The `ai.onnx.ml` opset glassnet writes when a model has categorical columns (OneHotEncoder is defined from version 1). */
export const ONNX_ML_OPSET = 1;
/** The domain of ONNX's classical machine-learning operators (OneHotEncoder). */
export const ONNX_ML_DOMAIN = 'ai.onnx.ml';

/** `TensorProto.DataType` values glassnet uses. */
export const ONNX_DTYPE = { FLOAT: 1, INT64: 7, STRING: 8, DOUBLE: 11 } as const;
/** `AttributeProto.AttributeType` values glassnet uses. */
export const ONNX_ATTRIBUTE = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, GRAPH: 5, FLOATS: 6, INTS: 7, STRINGS: 8 } as const;

export interface OnnxModel {
  irVersion?: number;
  producerName?: string;
  producerVersion?: string;
  docString?: string;
  graph?: OnnxGraph;
  opsetImport: OnnxOpset[];
  metadataProps: OnnxEntry[];
}

export interface OnnxOpset {
  domain?: string;
  version?: number;
}

export interface OnnxEntry {
  key?: string;
  value?: string;
}

export interface OnnxGraph {
  node: OnnxNode[];
  name?: string;
  initializer: OnnxTensor[];
  docString?: string;
  input: OnnxValueInfo[];
  output: OnnxValueInfo[];
  /** Types of intermediate values (written for those whose type a checker cannot infer). */
  valueInfo: OnnxValueInfo[];
}

export interface OnnxNode {
  input: string[];
  output: string[];
  name?: string;
  opType?: string;
  domain?: string;
  attribute: OnnxAttribute[];
}

export interface OnnxAttribute {
  name?: string;
  type?: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  t?: OnnxTensor;
  floats: number[];
  ints: number[];
  strings: Uint8Array[];
}

export interface OnnxValueInfo {
  name?: string;
  type?: OnnxType;
}

export interface OnnxType {
  tensorType?: OnnxTensorType;
}

export interface OnnxTensorType {
  elemType?: number;
  shape?: OnnxShape;
}

export interface OnnxShape {
  dim: OnnxDim[];
}

export interface OnnxDim {
  dimValue?: number;
  dimParam?: string;
}

export interface OnnxTensor {
  dims: number[];
  dataType?: number;
  floatData: number[];
  int64Data: number[];
  name?: string;
  rawData?: Uint8Array;
  doubleData: number[];
  /** 1 (EXTERNAL) means the data lives in another file, which glassnet does not read. */
  dataLocation?: number;
}

export const MODEL: Schema<OnnxModel> = {
  name: 'ModelProto',
  fields: {
    irVersion: { no: 1, kind: 'int' },
    producerName: { no: 2, kind: 'string' },
    producerVersion: { no: 3, kind: 'string' },
    docString: { no: 6, kind: 'string' },
    graph: { no: 7, kind: 'message', schema: () => GRAPH },
    opsetImport: { no: 8, kind: 'messages', schema: () => OPSET },
    metadataProps: { no: 14, kind: 'messages', schema: () => ENTRY },
  },
};

const OPSET: Schema<OnnxOpset> = {
  name: 'OperatorSetIdProto',
  fields: { domain: { no: 1, kind: 'string' }, version: { no: 2, kind: 'int' } },
};

const ENTRY: Schema<OnnxEntry> = {
  name: 'StringStringEntryProto',
  fields: { key: { no: 1, kind: 'string' }, value: { no: 2, kind: 'string' } },
};

export const GRAPH: Schema<OnnxGraph> = {
  name: 'GraphProto',
  fields: {
    node: { no: 1, kind: 'messages', schema: () => NODE },
    name: { no: 2, kind: 'string' },
    initializer: { no: 5, kind: 'messages', schema: () => TENSOR },
    docString: { no: 10, kind: 'string' },
    input: { no: 11, kind: 'messages', schema: () => VALUE_INFO },
    output: { no: 12, kind: 'messages', schema: () => VALUE_INFO },
    valueInfo: { no: 13, kind: 'messages', schema: () => VALUE_INFO },
  },
};

const NODE: Schema<OnnxNode> = {
  name: 'NodeProto',
  fields: {
    input: { no: 1, kind: 'strings' },
    output: { no: 2, kind: 'strings' },
    name: { no: 3, kind: 'string' },
    opType: { no: 4, kind: 'string' },
    domain: { no: 7, kind: 'string' },
    attribute: { no: 5, kind: 'messages', schema: () => ATTRIBUTE },
  },
};

const ATTRIBUTE: Schema<OnnxAttribute> = {
  name: 'AttributeProto',
  fields: {
    name: { no: 1, kind: 'string' },
    type: { no: 20, kind: 'int' },
    f: { no: 2, kind: 'float' },
    i: { no: 3, kind: 'int' },
    s: { no: 4, kind: 'bytes' },
    t: { no: 5, kind: 'message', schema: () => TENSOR },
    floats: { no: 7, kind: 'floats' },
    ints: { no: 8, kind: 'ints' },
    strings: { no: 9, kind: 'bytesList' },
  },
};

const VALUE_INFO: Schema<OnnxValueInfo> = {
  name: 'ValueInfoProto',
  fields: { name: { no: 1, kind: 'string' }, type: { no: 2, kind: 'message', schema: () => TYPE } },
};

const TYPE: Schema<OnnxType> = {
  name: 'TypeProto',
  fields: { tensorType: { no: 1, kind: 'message', schema: () => TENSOR_TYPE } },
};

const TENSOR_TYPE: Schema<OnnxTensorType> = {
  name: 'TypeProto.Tensor',
  fields: { elemType: { no: 1, kind: 'int' }, shape: { no: 2, kind: 'message', schema: () => SHAPE } },
};

const SHAPE: Schema<OnnxShape> = {
  name: 'TensorShapeProto',
  fields: { dim: { no: 1, kind: 'messages', schema: () => DIM } },
};

const DIM: Schema<OnnxDim> = {
  name: 'TensorShapeProto.Dimension',
  fields: { dimValue: { no: 1, kind: 'int' }, dimParam: { no: 2, kind: 'string' } },
};

export const TENSOR: Schema<OnnxTensor> = {
  name: 'TensorProto',
  fields: {
    dims: { no: 1, kind: 'ints' },
    dataType: { no: 2, kind: 'int' },
    floatData: { no: 4, kind: 'floats', packed: true },
    int64Data: { no: 7, kind: 'ints', packed: true },
    name: { no: 8, kind: 'string' },
    rawData: { no: 9, kind: 'bytes' },
    doubleData: { no: 10, kind: 'doubles', packed: true },
    dataLocation: { no: 14, kind: 'int' },
  },
};
