/**
 * Weights in the safetensors format, as pure functions over bytes:
 * an unsigned 64-bit little-endian header length N, N bytes of UTF-8 JSON
 * (`{ name: { dtype, shape, data_offsets: [begin, end] }, "__metadata__":
 * { string: string } }`), then the raw little-endian tensor data, offsets
 * counted from the first byte after the header.
 */
import { GlassnetError, describeValue } from '../errors.js';
import type { Sequential } from '../nn/model.js';
import { sameShape, sizeOf, formatShape } from '../util/shape.js';
import { fileLayers, checkSavable, namedParameters } from './layerspec.js';
import {
  JsonPath, checkKeys, decodeUtf8, expectArray, expectInteger, expectObject, expectString, fail, field, parseJson, required,
} from './validate.js';
import { checkFinite } from '../util/checks.js';

/** Bytes per element of each element type glassnet stores. */
const ITEM_SIZE = { F32: 4, F64: 8 } as const;
/** Element types in safetensors' notation: float32 and float64. */
export type SafetensorsDType = keyof typeof ITEM_SIZE;
/** The reference implementation refuses headers over 100 MB; so does this reader, before allocating anything. */
const MAX_HEADER = 100_000_000;
const METADATA = '__metadata__';

/** One tensor read from a safetensors file. */
export interface SafeTensor {
  dtype: SafetensorsDType;
  shape: number[];
  /** Row-major elements: Float32Array for F32, Float64Array for F64. */
  data: Float32Array | Float64Array;
}

/** What {@link fromSafetensors} returns. */
export interface SafetensorsContents {
  /** Tensors by name, in the order their data appears in the file. */
  tensors: Map<string, SafeTensor>;
  /** The `__metadata__` map (empty when the file has none). */
  metadata: Record<string, string>;
}

/**
 * The model's parameters as a safetensors file: `layer1.weight` (`[units,
 * inputs]`), `layer1.bias` (`[units]`, or `[1]` when shared; absent without
 * a bias), ... in layer order, packed without gaps. The header is padded
 * with spaces to a multiple of 8 bytes, so the data starts 8-byte aligned.
 * The architecture is not stored: load into a model built the same way.
 * @throws GlassnetError for layers other than Dense and Dropout, bad layer names, NaN or infinite weights, or non-string metadata.
 */
export function toSafetensors(model: Sequential, metadata: Readonly<Record<string, string>> = {}): Uint8Array {
  const params = namedParameters(fileLayers(model, 'model'));
  for (const [name, t] of params) checkSavable(t, name);
  return encodeSafetensors(params.map(([name, t]) => [name, { shape: t.shape, data: t.data }]), model.dtype === 'float64' ? 'F64' : 'F32', metadata);
}

/**
 * Tensors as a safetensors file, in the given order, packed without gaps,
 * all of one dtype, the header padded with spaces to a multiple of 8 bytes
 * so the data starts 8-byte aligned. Callers check the values are finite.
 * @throws GlassnetError for non-string metadata.
 */
export function encodeSafetensors(
  tensors: readonly (readonly [string, { readonly shape: readonly number[]; readonly data: ArrayLike<number> }])[],
  dtype: SafetensorsDType,
  metadata: Readonly<Record<string, string>> = {},
): Uint8Array {
  const metaPath = JsonPath.root('metadata');
  const meta = expectObject(metadata, metaPath);
  for (const key of Object.keys(meta)) expectString(meta[key], metaPath.key(key), true);
  const item = ITEM_SIZE[dtype];
  const header: Record<string, unknown> = Object.keys(meta).length === 0 ? {} : { [METADATA]: { ...meta } };
  let end = 0;
  for (const [name, t] of tensors) {
    header[name] = { dtype, shape: [...t.shape], data_offsets: [end, end + t.data.length * item] };
    end += t.data.length * item;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerSize = Math.ceil(json.length / 8) * 8;
  const bytes = new Uint8Array(8 + headerSize + end);
  const view = new DataView(bytes.buffer);
  view.setBigUint64(0, BigInt(headerSize), true);
  bytes.set(json, 8);
  bytes.fill(0x20, 8 + json.length, 8 + headerSize);
  let at = 8 + headerSize;
  for (const [, t] of tensors) {
    for (let i = 0; i < t.data.length; i++) {
      if (dtype === 'F64') view.setFloat64(at, t.data[i]!, true);
      else view.setFloat32(at, t.data[i]!, true);
      at += item;
    }
  }
  return bytes;
}

/**
 * Reads and fully validates a safetensors file: header length within the
 * file and under 100 MB, UTF-8 JSON header starting with `{`, known dtypes,
 * integer shapes, offsets in bounds and covering the data section exactly
 * (contiguous, no overlaps, nothing after the last tensor), each tensor's
 * byte count equal to its element count times the item size, and every
 * value finite.
 * @param options.file names the input in errors (default `"safetensors"`).
 * @throws GlassnetError whose argument is a path like `model.safetensors: header["layer1.weight"].shape`.
 */
export function fromSafetensors(bytes: Uint8Array, options: { file?: string } = {}): SafetensorsContents {
  const root = JsonPath.root(options.file ?? 'safetensors');
  if (!(bytes instanceof Uint8Array)) fail('type', root, 'a Uint8Array', describeValue(bytes));
  if (bytes.length < 8) fail('shape', root, 'at least 8 bytes (the header length)', `${bytes.length} bytes: the file is truncated`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerSize = view.getBigUint64(0, true);
  if (headerSize > BigInt(MAX_HEADER)) fail('range', root.key('headerLength'), `at most ${MAX_HEADER} bytes`, `${headerSize}`);
  const dataStart = 8 + Number(headerSize);
  if (dataStart > bytes.length) fail('shape', root.key('headerLength'), `at most ${bytes.length - 8} (the bytes after it)`, `${headerSize}: the file is truncated`);
  const headerPath = root.key('header');
  if (bytes[8] !== 0x7b) fail('type', headerPath, 'JSON starting with "{"', bytes.length > 8 ? `byte 0x${bytes[8]!.toString(16)}` : 'nothing');
  const header = expectObject(parseJson(decodeUtf8(bytes.subarray(8, dataStart), headerPath), headerPath), headerPath);
  const dataLength = bytes.length - dataStart;

  const entries = Object.keys(header).filter((name) => name !== METADATA).map((name): HeaderEntry => {
    const at = headerPath.key(name);
    const entry = expectObject(header[name], at);
    checkKeys(entry, at, ['dtype', 'shape', 'data_offsets']);
    const dtype = required(entry, 'dtype', at);
    if (dtype !== 'F32' && dtype !== 'F64') fail('dtype', at.key('dtype'), '"F32" or "F64" (the float types glassnet stores)', describeValue(dtype));
    const shape = expectArray(required(entry, 'shape', at), at.key('shape')).map((d, i) => expectInteger(d, at.key('shape').index(i), 0));
    const offsets = expectArray(required(entry, 'data_offsets', at), at.key('data_offsets'), 2);
    const begin = expectInteger(offsets[0], at.key('data_offsets').index(0), 0, dataLength);
    const end = expectInteger(offsets[1], at.key('data_offsets').index(1), begin, dataLength);
    const size = sizeOf(shape);
    if (end - begin !== size * ITEM_SIZE[dtype]) {
      fail('shape', at.key('data_offsets'), `${size * ITEM_SIZE[dtype]} bytes (${size} ${dtype} values for shape ${formatShape(shape)})`, `${end - begin} bytes`);
    }
    return { name, dtype, shape, begin, end, at };
  });

  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  for (const { begin, end, at } of entries) {
    if (begin !== covered) fail('range', at.key('data_offsets'), `to begin at byte ${covered}, right after the previous tensor`, `${begin} (${begin < covered ? 'an overlap' : 'a gap'})`);
    covered = end;
  }
  if (covered !== dataLength) fail('range', root, `${covered} bytes of tensor data after the header (what the offsets cover)`, `${dataLength} bytes`);

  const tensors = new Map<string, SafeTensor>();
  for (const { name, dtype, shape, begin, at } of entries) {
    const data = dtype === 'F64' ? new Float64Array(sizeOf(shape)) : new Float32Array(sizeOf(shape));
    const start = dataStart + begin;
    for (let i = 0; i < data.length; i++) {
      data[i] = dtype === 'F64' ? view.getFloat64(start + 8 * i, true) : view.getFloat32(start + 4 * i, true);
    }
    checkFinite(data, String(at));
    tensors.set(name, { dtype, shape, data });
  }
  return { tensors, metadata: readMetadata(field(header, METADATA), headerPath.key(METADATA)) };
}

/**
 * Copies `tensors` into the model's parameters. Every name, dtype and shape
 * is checked first (each tensor the model has must be there, and nothing
 * else), so a failed call leaves the model untouched.
 * @throws GlassnetError (`unknown-name` for a missing or extra tensor, `shape`, `dtype`, `not-finite`).
 */
export function loadWeightsInto(model: Sequential, tensors: ReadonlyMap<string, SafeTensor>): void {
  const params = namedParameters(fileLayers(model, 'model'));
  const names = params.map(([name]) => name);
  for (const name of tensors.keys()) {
    if (!names.includes(name)) {
      throw new GlassnetError({ code: 'unknown-name', argument: `tensors[${JSON.stringify(name)}]`, expected: `only the model's tensors (${names.join(', ')})`, found: 'an extra tensor' });
    }
  }
  const sources = params.map(([name, target]) => {
    const argument = `tensors[${JSON.stringify(name)}]`;
    const source = tensors.get(name);
    if (source === undefined) throw new GlassnetError({ code: 'unknown-name', argument, expected: `a tensor for the model's ${name}`, found: 'none' });
    const dtype = target.dtype === 'float64' ? 'F64' : 'F32';
    const arrayType = target.dtype === 'float64' ? Float64Array : Float32Array;
    if (source.dtype !== dtype || !(source.data instanceof arrayType)) {
      throw new GlassnetError({ code: 'dtype', argument, expected: `${dtype} (the model is ${target.dtype})`, found: `${describeValue(source.dtype)} holding ${describeValue(source.data)}` });
    }
    if (!sameShape(source.shape, target.shape) || source.data.length !== target.size) {
      throw new GlassnetError({ code: 'shape', argument, expected: `shape ${formatShape(target.shape)}`, found: `shape ${formatShape(source.shape)} with ${source.data.length} values` });
    }
    checkFinite(source.data, argument);
    return source.data;
  });
  params.forEach(([, target], k) => target.data.set(sources[k]!));
}

/** A tensor's header entry, checked, with its path for later errors. */
interface HeaderEntry {
  name: string;
  dtype: SafetensorsDType;
  shape: number[];
  begin: number;
  end: number;
  at: JsonPath;
}

function readMetadata(value: unknown, path: JsonPath): Record<string, string> {
  if (value === undefined) return {};
  const object = expectObject(value, path);
  const metadata: Record<string, string> = {};
  for (const key of Object.keys(object)) metadata[key] = expectString(object[key], path.key(key), true);
  return metadata;
}
