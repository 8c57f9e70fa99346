/**
 * The protocol-buffers wire format, for the few message types glassnet
 * reads and writes (ONNX): varints, 64-bit, length-delimited and 32-bit
 * fields, driven by typed field tables instead of generated code. The
 * reader treats its input as hostile: every length is checked against the
 * bytes that remain before anything is allocated, nesting is bounded,
 * varints are at most ten bytes, groups and field number 0 are refused, and
 * a singular field may appear only once. Unknown fields are skipped, as
 * protobuf requires of every reader.
 */
import { GlassnetError } from '../errors.js';

/** How a field is stored: its wire form and the JavaScript value it decodes to. */
export type FieldKind =
  | 'int' | 'string' | 'bytes' | 'float' | 'double' | 'message'
  | 'ints' | 'strings' | 'bytesList' | 'floats' | 'doubles' | 'messages';

/** The field-table entry a value of type `V` needs (the compiler matches table and interface). */
export type FieldFor<V> =
  NonNullable<V> extends number ? { readonly no: number; readonly kind: 'int' | 'float' | 'double' }
    : NonNullable<V> extends string ? { readonly no: number; readonly kind: 'string' }
      : NonNullable<V> extends Uint8Array ? { readonly no: number; readonly kind: 'bytes' }
        : NonNullable<V> extends readonly number[] ? { readonly no: number; readonly kind: 'ints' | 'floats' | 'doubles'; readonly packed?: boolean }
          : NonNullable<V> extends readonly string[] ? { readonly no: number; readonly kind: 'strings' }
            : NonNullable<V> extends readonly Uint8Array[] ? { readonly no: number; readonly kind: 'bytesList' }
              : NonNullable<V> extends readonly (infer M)[] ? { readonly no: number; readonly kind: 'messages'; readonly schema: () => Schema<M> }
                : { readonly no: number; readonly kind: 'message'; readonly schema: () => Schema<NonNullable<V>> };

/**
 * A message type: its name (for error paths) and one entry per field of
 * `T`. Singular fields are optional in `T`; repeated ones decode to `[]`
 * when absent.
 */
export interface Schema<T> {
  readonly name: string;
  readonly fields: { readonly [K in keyof T]-?: FieldFor<T[K]> };
}

/** Any field-table entry, as the encoder and decoder walk them. */
interface AnyField {
  readonly no: number;
  readonly kind: FieldKind;
  readonly packed?: boolean;
  readonly schema?: () => Schema<unknown>;
}

const VARINT = 0;
const FIXED64 = 1;
const LENGTH = 2;
const FIXED32 = 5;
/** Nested messages deeper than this are refused, so a hostile file cannot exhaust the stack. */
const MAX_DEPTH = 32;
const UTF8 = new TextEncoder();

/** The wire type a field kind is written with (packed repeated numbers are length-delimited). */
function wireType(field: AnyField): number {
  switch (field.kind) {
    case 'int': return VARINT;
    case 'float': return FIXED32;
    case 'double': return FIXED64;
    case 'ints': case 'floats': case 'doubles': return field.packed === true ? LENGTH : { ints: VARINT, floats: FIXED32, doubles: FIXED64 }[field.kind];
    case 'string': case 'bytes': case 'message': case 'strings': case 'bytesList': case 'messages': return LENGTH;
    default: return field.kind satisfies never;
  }
}

/** Growing byte buffer with the wire format's primitive writes. */
class Writer {
  private chunks: Uint8Array[] = [];
  private scratch = new DataView(new ArrayBuffer(8));
  length = 0;

  private push(bytes: Uint8Array): void {
    this.chunks.push(bytes);
    this.length += bytes.length;
  }

  /** A varint; negative integers are written as 64-bit two's complement (ten bytes), as protobuf does for int64. */
  varint(value: number): void {
    if (!Number.isSafeInteger(value)) throw new GlassnetError({ code: 'range', argument: 'protobuf varint', expected: 'a safe integer', found: String(value) });
    let v = value < 0 ? (1n << 64n) + BigInt(value) : BigInt(value);
    const out: number[] = [];
    do {
      const low = Number(v & 0x7fn);
      v >>= 7n;
      out.push(v === 0n ? low : low | 0x80);
    } while (v !== 0n);
    this.push(Uint8Array.from(out));
  }

  tag(no: number, wire: number): void {
    this.varint(no * 8 + wire);
  }

  float(value: number): void {
    this.scratch.setFloat32(0, value, true);
    this.push(new Uint8Array(this.scratch.buffer.slice(0, 4)));
  }

  double(value: number): void {
    this.scratch.setFloat64(0, value, true);
    this.push(new Uint8Array(this.scratch.buffer.slice(0, 8)));
  }

  bytes(value: Uint8Array): void {
    this.varint(value.length);
    this.push(value);
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, at);
      at += chunk.length;
    }
    return out;
  }
}

/**
 * `value` in the wire format of `schema`: fields in field-table order,
 * absent (undefined) singular fields and empty repeated ones left out.
 */
export function encodeMessage<T>(schema: Schema<T>, value: T): Uint8Array {
  const w = new Writer();
  writeFields(w, schema as Schema<unknown>, value as Record<string, unknown>);
  return w.finish();
}

function writeFields(w: Writer, schema: Schema<unknown>, value: Record<string, unknown>): void {
  for (const [key, f] of Object.entries(schema.fields) as [string, AnyField][]) {
    const v = value[key];
    if (v === undefined) continue;
    const wire = wireType(f);
    const number = (x: number, kind: 'int' | 'float' | 'double'): void => (kind === 'int' ? w.varint(x) : kind === 'float' ? w.float(x) : w.double(x));
    switch (f.kind) {
      case 'int': case 'float': case 'double':
        w.tag(f.no, wire);
        number(v as number, f.kind);
        break;
      case 'string': case 'bytes':
        w.tag(f.no, wire);
        w.bytes(typeof v === 'string' ? UTF8.encode(v) : v as Uint8Array);
        break;
      case 'message':
        w.tag(f.no, wire);
        w.bytes(encodeMessage(f.schema!(), v));
        break;
      case 'ints': case 'floats': case 'doubles': {
        const list = v as readonly number[];
        if (list.length === 0) break;
        const kind = f.kind === 'ints' ? 'int' : f.kind === 'floats' ? 'float' : 'double';
        if (f.packed === true) {
          const inner = new Writer();
          for (const x of list) kind === 'int' ? inner.varint(x) : kind === 'float' ? inner.float(x) : inner.double(x);
          w.tag(f.no, LENGTH);
          w.bytes(inner.finish());
        } else {
          for (const x of list) {
            w.tag(f.no, wire);
            number(x, kind);
          }
        }
        break;
      }
      case 'strings': case 'bytesList':
        for (const x of v as readonly (string | Uint8Array)[]) {
          w.tag(f.no, LENGTH);
          w.bytes(typeof x === 'string' ? UTF8.encode(x) : x);
        }
        break;
      case 'messages':
        for (const x of v as readonly unknown[]) {
          w.tag(f.no, LENGTH);
          w.bytes(encodeMessage(f.schema!(), x));
        }
        break;
      default:
        f.kind satisfies never;
    }
  }
}

/** Where a decode is, for error messages: `model.onnx: ModelProto.graph.node[3] (byte 812)`. */
interface Place {
  file: string;
  path: string;
}

function corrupt(place: Place, at: number, expected: string, found: string): never {
  throw new GlassnetError({ code: 'type', argument: `${place.file}: ${place.path} (byte ${at})`, expected, found });
}

/**
 * Decodes `bytes` as a `schema` message. Each length is checked against the
 * bytes that remain before anything is read or allocated; a singular field
 * that appears twice, a group, field number 0, a varint over ten bytes, an
 * integer beyond 2^53, invalid UTF-8 in a string, or nesting deeper than 32
 * messages is an error. Unknown fields are skipped.
 * @param file names the input in errors.
 * @throws GlassnetError (`type`) naming the file, the field path and the byte offset.
 */
export function decodeMessage<T>(schema: Schema<T>, bytes: Uint8Array, file: string): T {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return readMessage(schema as Schema<unknown>, bytes, view, 0, bytes.length, { file, path: schema.name }, 0) as T;
}

function readMessage(schema: Schema<unknown>, bytes: Uint8Array, view: DataView, start: number, end: number, place: Place, depth: number): Record<string, unknown> {
  if (depth > MAX_DEPTH) corrupt(place, start, `messages nested at most ${MAX_DEPTH} deep`, 'deeper nesting');
  // A prototype-free object: no field name a file chooses can reach Object.prototype.
  const out = Object.create(null) as Record<string, unknown>;
  const byNumber = new Map<number, [string, AnyField]>();
  for (const [key, f] of Object.entries(schema.fields) as [string, AnyField][]) {
    byNumber.set(f.no, [key, f]);
    if (f.kind === 'ints' || f.kind === 'floats' || f.kind === 'doubles' || f.kind === 'strings' || f.kind === 'bytesList' || f.kind === 'messages') out[key] = [];
  }
  let at = start;
  const varint = (): number => {
    const begin = at;
    let value = 0n;
    for (let shift = 0n; ; shift += 7n) {
      if (at >= end) corrupt(place, begin, 'a complete varint', 'the message ends inside one (truncated?)');
      if (shift > 63n) corrupt(place, begin, 'a varint of at most ten bytes', 'a longer one');
      const byte = bytes[at++]!;
      value |= BigInt(byte & 0x7f) << shift;
      if (byte < 0x80) break;
    }
    value &= (1n << 64n) - 1n;
    const signed = value >= 1n << 63n ? value - (1n << 64n) : value;
    if (signed > BigInt(Number.MAX_SAFE_INTEGER) || signed < BigInt(Number.MIN_SAFE_INTEGER)) corrupt(place, begin, 'an integer within ±2^53', String(signed));
    return Number(signed);
  };
  const take = (size: number, what: string, where = place): number => {
    if (size > end - at) corrupt(where, at, `${what} of ${size} bytes within the ${end - at} that remain`, 'a length past the end (truncated or corrupt)');
    const begin = at;
    at += size;
    return begin;
  };
  while (at < end) {
    const tagAt = at;
    const tag = varint();
    const no = Math.floor(tag / 8);
    const wire = tag % 8;
    if (no === 0 || tag < 0) corrupt(place, tagAt, 'a field number >= 1', `tag ${tag}`);
    const known = byNumber.get(no);
    if (known === undefined) {
      // Unknown field: skip it by its wire type.
      if (wire === VARINT) varint();
      else if (wire === FIXED64) take(8, 'a 64-bit field');
      else if (wire === FIXED32) take(4, 'a 32-bit field');
      else if (wire === LENGTH) take(varint(), 'a length-delimited field');
      else corrupt(place, tagAt, 'wire type 0, 1, 2 or 5', `wire type ${wire} (groups are not supported)`);
      continue;
    }
    const [key, f] = known;
    const fieldPlace: Place = { file: place.file, path: `${place.path}.${key}` };
    const expectWire = wireType(f);
    const packable = f.kind === 'ints' || f.kind === 'floats' || f.kind === 'doubles';
    // Parsers must accept repeated numbers both packed and unpacked.
    if (wire !== expectWire && !(packable && (wire === LENGTH || wire === ({ ints: VARINT, floats: FIXED32, doubles: FIXED64 } as Record<string, number>)[f.kind]))) {
      corrupt(fieldPlace, tagAt, `wire type ${expectWire}`, `wire type ${wire}`);
    }
    const single = (value: unknown): void => {
      if (key in out) corrupt(fieldPlace, tagAt, 'the field once (it is not repeated)', 'a second occurrence');
      out[key] = value;
    };
    const utf8 = (begin: number, size: number): string => {
      try {
        return new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(begin, begin + size));
      } catch {
        return corrupt(fieldPlace, begin, 'UTF-8 text', 'invalid bytes');
      }
    };
    switch (f.kind) {
      case 'int': single(varint()); break;
      case 'float': single(view.getFloat32(take(4, 'a float', fieldPlace), true)); break;
      case 'double': single(view.getFloat64(take(8, 'a double', fieldPlace), true)); break;
      case 'string': { const size = varint(); single(utf8(take(size, 'a string', fieldPlace), size)); break; }
      case 'bytes': { const size = varint(); const b = take(size, 'bytes', fieldPlace); single(bytes.slice(b, b + size)); break; }
      case 'message': {
        const size = varint();
        const b = take(size, `a ${f.schema!().name}`, fieldPlace);
        single(readMessage(f.schema!(), bytes, view, b, b + size, fieldPlace, depth + 1));
        break;
      }
      case 'ints': case 'floats': case 'doubles': {
        const list = out[key] as number[];
        const width = f.kind === 'floats' ? 4 : f.kind === 'doubles' ? 8 : 0;
        const one = (): number => (width === 0 ? varint() : width === 4 ? view.getFloat32(take(4, 'a float', fieldPlace), true) : view.getFloat64(take(8, 'a double', fieldPlace), true));
        if (wire !== LENGTH) {
          list.push(one());
          break;
        }
        const size = varint();
        const b = take(size, 'a packed list', fieldPlace);
        if (width > 0 && size % width !== 0) corrupt(fieldPlace, b, `a packed list of ${width}-byte values`, `${size} bytes`);
        const stop = at;
        at = b;
        // Varints and the fixed-width reads below stay inside the packed list.
        const outerEnd = end;
        end = stop;
        while (at < stop) list.push(one());
        end = outerEnd;
        break;
      }
      case 'strings': case 'bytesList': {
        const size = varint();
        const b = take(size, 'a string', fieldPlace);
        (out[key] as unknown[]).push(f.kind === 'strings' ? utf8(b, size) : bytes.slice(b, b + size));
        break;
      }
      case 'messages': {
        const list = out[key] as unknown[];
        const size = varint();
        const b = take(size, `a ${f.schema!().name}`, fieldPlace);
        list.push(readMessage(f.schema!(), bytes, view, b, b + size, { file: place.file, path: `${fieldPlace.path}[${list.length}]` }, depth + 1));
        break;
      }
      default:
        f.kind satisfies never;
    }
  }
  return out;
}
