/**
 * What glassnet's ONNX export records in `metadata_props` (column names,
 * classes, target, loss, appended output activation, fill values), read
 * back by the import: each value JSON, parsed (never evaluated) and
 * checked, under the keys of `ONNX_METADATA`; other keys are skipped.
 */
import { GlassnetError } from '../errors.js';
import type { ActivationName } from '../nn/activations.js';
import { LOSSES, LOSS_RECORDS, type LossName } from '../nn/losses.js';
import { checkOneOf } from '../util/checks.js';
import { MISSING_POLICIES, encodingFromJSON } from '../data/table.js';
import type { Preprocessing } from './extras.js';
import { defaultAlpha } from './interop-activations.js';
import { ONNX_METADATA } from './onnx-export.js';
import type { Fail } from './onnx-preprocessing.js';
import type { OnnxModel } from './onnx-schema.js';
import { JsonPath, cloneJson, expectArray, expectObject, expectString, parseJson, type JsonObject } from './validate.js';

/** A metadata entry glassnet reads: its JSON value, parsed (never evaluated), and where it is, for messages. */
interface MetadataEntry {
  value: unknown;
  path: JsonPath;
  /** The entry as errors name it after the file: `metadata_props[2] "glassnet.loss"`. */
  part: string;
}

/** The entries under the keys glassnet writes ({@link ONNX_METADATA}), parsed; other keys are skipped, a repeated key is an error. */
export function readMetadataEntries(onnx: OnnxModel, file: string): Map<string, MetadataEntry> {
  const known = new Set<string>(Object.values(ONNX_METADATA));
  const seen = new Set<string>();
  const entries = new Map<string, MetadataEntry>();
  onnx.metadataProps.forEach((entry, i) => {
    const key = entry.key ?? '';
    const path = JsonPath.root(file).key('metadata_props').index(i);
    if (seen.has(key)) throw new GlassnetError({ code: 'unknown-name', argument: String(path), expected: 'metadata keys that are all different', found: JSON.stringify(key) });
    seen.add(key);
    if (known.has(key)) entries.set(key, { value: cloneJson(parseJson(entry.value ?? '', path), path), path, part: `metadata_props[${i}] ${JSON.stringify(key)}` });
  });
  return entries;
}

/** Column names, classes and target recorded by glassnet's export, checked. */
export function readMetadata(metadata: ReadonlyMap<string, MetadataEntry>, inputSize: number): Preprocessing {
  const out: Preprocessing = {};
  const names = metadata.get(ONNX_METADATA.featureNames);
  if (names !== undefined) out.featureNames = expectArray(names.value, names.path, inputSize).map((n, j) => expectString(n, names.path.index(j), true));
  const classes = metadata.get(ONNX_METADATA.classes);
  if (classes !== undefined) out.classes = expectArray(classes.value, classes.path).map((c, j) => (typeof c === 'number' ? c : expectString(c, classes.path.index(j), true)));
  const target = metadata.get(ONNX_METADATA.targetName);
  if (target !== undefined) out.targetName = expectString(target.value, target.path, true);
  return out;
}

/**
 * The loss the file records, and the output activation glassnet's export
 * appended for it (`glassnet.outputActivation`: the softmax of a
 * softmaxCrossEntropy model). When the loss (recorded, or else the one
 * loss whose probabilities are that activation) applies the activation
 * itself, it is taken off the last layer again, so that the network is the
 * one trained and the loss reads its outputs as before; otherwise it stays
 * in the network, which then computes what the file does.
 */
export function outputLoss(metadata: ReadonlyMap<string, MetadataEntry>, lastLayer: { activation: ActivationName | null; alpha: number }, fail: Fail): LossName | undefined {
  const recorded = metadata.get(ONNX_METADATA.loss);
  const loss = recorded === undefined ? undefined : checkOneOf(LOSSES, recorded.value, `${recorded.path}`);
  const appended = metadata.get(ONNX_METADATA.outputActivation);
  if (appended === undefined) return loss;
  const activation = expectString(appended.value, appended.path);
  if (lastLayer.activation !== activation) fail('state', appended.part, `the last layer's activation in the graph (${lastLayer.activation ?? 'linear'})`, JSON.stringify(activation));
  const readers = LOSSES.filter((l) => LOSS_RECORDS[l].probabilities === activation);
  const reader = loss ?? (readers.length === 1 ? readers[0] : undefined);
  if (reader !== undefined && LOSS_RECORDS[reader].probabilities === activation) {
    lastLayer.activation = 'linear';
    lastLayer.alpha = defaultAlpha('linear');
  }
  return reader;
}

/**
 * The fill values for missing cells that glassnet's export records
 * (`glassnet.missing`: the policy and one value per column), put into the
 * encoding so that the imported model fills cells as the original did. A
 * model without categorical columns gets its encoding from its column
 * names.
 */
export function readMissing(metadata: ReadonlyMap<string, MetadataEntry>, preprocessing: Preprocessing, file: string, fail: Fail): void {
  const entry = metadata.get(ONNX_METADATA.missing);
  if (entry === undefined) return;
  const argument = `${file}: ${entry.part}`;
  const object = expectObject(entry.value, entry.path);
  const policy = checkOneOf(MISSING_POLICIES, object['policy'], `${argument}.policy`);
  const names = preprocessing.featureNames ?? fail('empty', entry.part, `column names (${ONNX_METADATA.featureNames}) for the fill values`, 'none');
  const base = preprocessing.encoding ?? { columns: [...names], categories: names.map(() => null) };
  preprocessing.encoding = encodingFromJSON({ ...base, fill: object['fill'] }, argument) as unknown as JsonObject;
  preprocessing.missing = policy;
}
