/**
 * The `checksum` field of a model file (format 1.1): a CRC-32 of every
 * tensor and every piece of state, so a file changed after it was written
 * (a flipped digit, a bad disk, a careless edit) is found at load and
 * named, rather than loaded as a subtly different model. It detects
 * accidents, not attacks: anyone can recompute it.
 */
import { crc32Float64, crc32Text } from '../util/crc32.js';
import type { CheckedExtras } from './extras.js';
import type { LayerSpec, LayerState } from './layerspec.js';
import { JsonPath, expectObject, expectString, fail, field } from './validate.js';

/** What the checksum covers besides the layers: the extras, each as its compact JSON text. */
const COVERED_EXTRAS = ['preprocessing', 'training', 'optimizerState', 'rngState'] as const;

/** `{ "crc32": { "layer1.weight": "8 hex digits", ..., "training": "...", ... } }` */
export interface Checksum {
  crc32: Record<string, string>;
}

const hex = (crc: number): string => crc.toString(16).padStart(8, '0');

/** Each covered part of a file under its checksum key, with the file path it sits at and its CRC-32. */
function parts(specs: readonly LayerSpec[], states: readonly LayerState[], extras: CheckedExtras, root: JsonPath): [string, JsonPath, () => string][] {
  const list: [string, JsonPath, () => string][] = [];
  states.forEach((state, i) => {
    const at = root.key('weights').index(i);
    const name = specs[i]!.name;
    if (state.weight !== undefined) list.push([`${name}.weight`, at.key('weight'), () => hex(crc32Float64(state.weight!))]);
    if (state.bias !== undefined) list.push([`${name}.bias`, at.key('bias'), () => hex(crc32Float64(state.bias!))]);
    if (state.rngState !== undefined) list.push([`${name}.rngState`, at.key('rngState'), () => hex(crc32Text(JSON.stringify(state.rngState)))]);
  });
  for (const key of COVERED_EXTRAS) {
    const value: unknown = extras[key];
    if (value !== undefined) list.push([key, root.key(key), () => hex(crc32Text(JSON.stringify(value)))]);
  }
  return list;
}

/** The checksum of a file's layers and extras, as {@link modelToJSON} writes it. */
export function computeChecksum(specs: readonly LayerSpec[], states: readonly LayerState[], extras: CheckedExtras): Checksum {
  return { crc32: Object.fromEntries(parts(specs, states, extras, JsonPath.root('model')).map(([key, , crc]) => [key, crc()])) };
}

/**
 * Checks a file's `checksum` field against its (already validated) layers
 * and extras: one entry per part, each matching.
 * @throws GlassnetError naming the file and the tensor or field whose values changed.
 */
export function verifyChecksum(value: unknown, specs: readonly LayerSpec[], states: readonly LayerState[], extras: CheckedExtras, root: JsonPath): void {
  const at = root.key('checksum');
  const object = expectObject(value, at);
  if (Object.keys(object).length !== 1) fail('unknown-name', at, 'exactly the field "crc32"', JSON.stringify(Object.keys(object)));
  const sums = expectObject(field(object, 'crc32'), at.key('crc32'));
  const list = parts(specs, states, extras, root);
  const keys = list.map(([key]) => key);
  for (const key of Object.keys(sums)) {
    if (!keys.includes(key)) fail('unknown-name', at.key('crc32').key(key), `entries only for ${keys.join(', ')}`, 'an entry for something the file does not hold');
  }
  for (const [key, path, crc] of list) {
    const where = at.key('crc32').key(key);
    const stored = field(sums, key);
    if (stored === undefined) fail('state', where, `a CRC-32 of ${String(path)}`, 'none');
    const expected = expectString(stored, where);
    const found = crc();
    if (found !== expected) {
      fail('state', path, `values whose CRC-32 is ${expected} (${String(where).replace(/^.*?: /, '')})`,
        `CRC-32 ${found}: the file changed after it was written (corrupted, or edited: delete the "checksum" field to load an edited file)`);
    }
  }
}
