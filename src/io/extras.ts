/**
 * What a model file holds besides the network: preprocessing, training
 * metadata, and checkpoint state. Other modules own their meaning (a
 * scaler's `toJSON`, an optimizer's `getState`); here they are kept as
 * JSON, copied, and checked as far as the file format knows them.
 */
import { describeValue } from '../errors.js';
import {
  JsonPath, cloneJson, expectArray, expectInteger, expectObject, expectRngState, expectString, fail, field, required,
  type JsonObject, type JsonValue, type RngState,
} from './validate.js';

/** What to store next to the weights so that predictions can be reproduced. Other fields are kept as JSON. */
export interface Preprocessing {
  /** A scaler's `toJSON()`. */
  scaler?: JsonObject;
  /** Class labels in output order. */
  classes?: readonly (string | number)[];
  /** One name per model input. */
  featureNames?: readonly string[];
  targetName?: string;
  /** Every target column, one per output, for multi-target regression. */
  targetNames?: readonly string[];
  /** `"classification"` or `"regression"`. */
  task?: string;
  /** A scaler's `toJSON()` for regression targets: outputs are mapped back through its inverse. */
  targetScaler?: JsonObject;
  /** How CSV columns become inputs: a `FeatureEncoding` (columns, categories, fill values). */
  encoding?: JsonObject;
  /** What was done with missing cells in training: `error`, `drop`, `mean` or `median`. */
  missing?: string;
  [key: string]: JsonValue | undefined;
}

/** How the model was trained. Every field is optional; other fields are kept as JSON. */
export interface TrainingInfo {
  loss?: string;
  /** The optimizer's name and its hyperparameters. */
  optimizer?: { readonly name: string; readonly [hyperparameter: string]: JsonValue };
  epochs?: number;
  steps?: number;
  seed?: number;
  /** Final metrics by name, e.g. `{ "loss": 0.0012 }`. */
  metrics?: { readonly [name: string]: number };
  /** When training finished, ISO 8601 (`new Date().toISOString()`). */
  date?: string;
  [key: string]: JsonValue | undefined;
}

/** The extras as a caller passes them to be saved. */
export interface ModelExtras {
  preprocessing?: Preprocessing;
  training?: TrainingInfo;
  /** An optimizer's `getState()`, kept as opaque (but validated) JSON for checkpoints. */
  optimizerState?: object;
  /** The training generator's `Random.getState()`, for checkpoints. */
  rngState?: readonly [number, number, number, number];
}

/** The extras as read back: validated copies. */
export interface CheckedExtras {
  preprocessing?: Preprocessing;
  training?: TrainingInfo;
  optimizerState?: JsonObject;
  rngState?: RngState;
}

/** The field names of {@link ModelExtras}. */
export const EXTRA_FIELDS = ['preprocessing', 'training', 'optimizerState', 'rngState'] as const;

type FieldCheck = (value: JsonValue, path: JsonPath, inputSize: number) => void;

const PREPROCESSING_FIELDS: Record<string, FieldCheck> = {
  scaler: (v, p) => expectObject(v, p),
  classes: (v, p) => {
    const labels = expectArray(v, p);
    if (labels.length === 0) fail('empty', p, 'at least one class label', 'an empty array');
    labels.forEach((label, i) => {
      if (typeof label !== 'string' && typeof label !== 'number') fail('type', p.index(i), 'a string or number class label', describeValue(label));
      if (labels.indexOf(label) !== i) fail('state', p.index(i), 'labels that are all different', `a repeat of ${describeValue(label)}`);
    });
  },
  featureNames: (v, p, inputSize) => expectArray(v, p, inputSize).forEach((name, i) => expectString(name, p.index(i), true)),
  targetName: (v, p) => expectString(v, p, true),
  targetNames: (v, p) => expectArray(v, p).forEach((name, i) => expectString(name, p.index(i), true)),
  task: (v, p) => {
    if (v !== 'classification' && v !== 'regression') fail('unknown-name', p, '"classification" or "regression"', describeValue(v));
  },
  targetScaler: (v, p) => expectObject(v, p),
  encoding: (v, p) => expectObject(v, p),
  missing: (v, p) => expectString(v, p),
};

const TRAINING_FIELDS: Record<string, FieldCheck> = {
  loss: (v, p) => expectString(v, p),
  optimizer: (v, p) => expectString(required(expectObject(v, p), 'name', p), p.key('name')),
  epochs: (v, p) => expectInteger(v, p, 0),
  steps: (v, p) => expectInteger(v, p, 0),
  seed: (v, p) => expectInteger(v, p, Number.MIN_SAFE_INTEGER),
  metrics: (v, p) => {
    const metrics = expectObject(v, p);
    for (const key of Object.keys(metrics)) if (typeof metrics[key] !== 'number') fail('type', p.key(key), 'a number', describeValue(metrics[key]));
  },
  date: (v, p) => {
    if (typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2}/.test(v) || Number.isNaN(Date.parse(v))) {
      fail('type', p, 'an ISO 8601 date such as "2024-05-01T12:00:00.000Z"', describeValue(v));
    }
  },
};

/**
 * Validated copies of the extras among the fields of `object` (a model
 * file, or the `extras` argument of a save). `inputSize` is the model's,
 * which `featureNames` must match.
 */
export function readExtras(object: Record<string, unknown>, path: JsonPath, inputSize: number): CheckedExtras {
  const result: CheckedExtras = {};
  const preprocessing = field(object, 'preprocessing');
  if (preprocessing !== undefined) result.preprocessing = readFields(preprocessing, path.key('preprocessing'), PREPROCESSING_FIELDS, inputSize);
  const training = field(object, 'training');
  if (training !== undefined) result.training = readFields(training, path.key('training'), TRAINING_FIELDS, inputSize);
  const optimizerState = field(object, 'optimizerState');
  if (optimizerState !== undefined) result.optimizerState = readFields(optimizerState, path.key('optimizerState'), {}, inputSize);
  const rngState = field(object, 'rngState');
  if (rngState !== undefined) result.rngState = expectRngState(rngState, path.key('rngState'));
  return result;
}

/** A validated copy of an object whose listed fields pass their checks; other fields may be any JSON. */
function readFields(value: unknown, path: JsonPath, checks: Record<string, FieldCheck>, inputSize: number): JsonObject {
  const object = cloneJson(expectObject(value, path), path) as JsonObject;
  for (const [key, check] of Object.entries(checks)) {
    const own = Object.hasOwn(object, key) ? object[key] : undefined;
    if (own !== undefined) check(own, path.key(key), inputSize);
  }
  return object;
}
