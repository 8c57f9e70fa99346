import { GlassnetError, describeValue, type ErrorCode } from '../errors.js';
import { FINITE, checkInteger, intervalWords } from '../util/checks.js';
import { findDuplicateKey } from '../util/json-keys.js';

/** Any value JSON can hold. */
export type JsonValue = null | boolean | number | string | readonly JsonValue[] | JsonObject;
/** A JSON object: string keys, JSON values. */
export type JsonObject = { readonly [key: string]: JsonValue };

/** Opaque JSON nested deeper than this is refused, so hostile input cannot exhaust the stack. */
const MAX_DEPTH = 64;

/**
 * Where a value sits inside a file, written the way error arguments name
 * it: `model.json: weights[1].weight[5]`.
 */
export class JsonPath {
  private constructor(private readonly file: string, private readonly steps: string) {}

  /** The whole file (or input) called `file`. */
  static root(file: string): JsonPath {
    return new JsonPath(file, '');
  }

  /** The field `name` of this object. */
  key(name: string): JsonPath {
    const plain = /^[A-Za-z_$][\w$]*$/.test(name);
    const step = plain ? (this.steps === '' ? name : `.${name}`) : `[${JSON.stringify(name)}]`;
    return new JsonPath(this.file, this.steps + step);
  }

  /** Element `i` of this array. */
  index(i: number): JsonPath {
    return new JsonPath(this.file, `${this.steps}[${i}]`);
  }

  toString(): string {
    return this.steps === '' ? this.file : `${this.file}: ${this.steps}`;
  }
}

/** Throws the GlassnetError for a bad value at `path`. */
export function fail(code: ErrorCode, path: JsonPath, expected: string, found: string, cause?: unknown): never {
  throw new GlassnetError({ code, argument: String(path), expected, found, ...(cause === undefined ? {} : { cause }) });
}

/** Decodes UTF-8 strictly (a BOM is dropped); invalid bytes are an error rather than U+FFFD. */
export function decodeUtf8(bytes: Uint8Array, path: JsonPath): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (error) {
    return fail('type', path, 'UTF-8 text', 'bytes that are not valid UTF-8', error);
  }
}

/**
 * `JSON.parse`, the only way glassnet turns file text into values: data is
 * never evaluated. A syntax error becomes a GlassnetError that says where
 * in the text parsing stopped; so does a key repeated in one object, which
 * `JSON.parse` would silently resolve to the last value.
 */
export function parseJson(text: string, path: JsonPath): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const at = /position (\d+)/.exec(message);
    // V8 names no position when the text simply stops: the end is where it broke.
    const position = at === null ? text.length : Number(at[1]);
    const reason = message.replace(/\s*in JSON at position.*$/s, '').replace(/\s*\(line \d+ column \d+\)$/, '');
    return fail('type', path, 'well-formed JSON', `${reason} at ${where(text, position)}${position >= text.length ? ': the text ends too early (truncated?)' : ''}`, error);
  }
  const repeat = findDuplicateKey(text);
  if (repeat !== null) fail('state', path, 'each key at most once per JSON object', `${JSON.stringify(repeat.key)} again at ${where(text, repeat.position)}`);
  return value;
}

/** `line L, column C (character P of N)` for an offset into `text`. */
function where(text: string, position: number): string {
  const before = text.slice(0, position).split('\n');
  return `line ${before.length}, column ${before[before.length - 1]!.length + 1} (character ${position} of ${text.length})`;
}

/**
 * `value` as a plain object whose own fields are the only ones read. A
 * `__proto__` key is refused: code that later merges the object with
 * `Object.assign` would otherwise replace a prototype.
 */
export function expectObject(value: unknown, path: JsonPath): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail('type', path, 'a JSON object', describeValue(value));
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) fail('type', path, 'a plain JSON object', describeValue(value));
  if (Object.hasOwn(value, '__proto__')) fail('unknown-name', path.key('__proto__'), 'no "__proto__" key (it could replace object prototypes)', 'one');
  return value as Record<string, unknown>;
}

/** An own field of `object` (inherited ones do not count), or undefined. */
export function field(object: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}

/** Like {@link field} but the field must be present. */
export function required(object: Record<string, unknown>, key: string, path: JsonPath): unknown {
  const value = field(object, key);
  if (value === undefined) fail('type', path.key(key), 'a value (the field is required)', 'no such field');
  return value;
}

/** Refuses fields outside `allowed` (typos would otherwise be silently ignored), unless `lenient`. */
export function checkKeys(object: Record<string, unknown>, path: JsonPath, allowed: readonly string[], lenient = false): void {
  if (lenient) return;
  for (const key of Object.keys(object)) {
    if (!allowed.includes(key)) fail('unknown-name', path.key(key), `only the fields ${allowed.map((k) => `"${k}"`).join(', ')}`, JSON.stringify(key));
  }
}

/** `value` as a string, non-empty unless `allowEmpty`. */
export function expectString(value: unknown, path: JsonPath, allowEmpty = false): string {
  if (typeof value !== 'string' || (!allowEmpty && value === '')) fail('type', path, allowEmpty ? 'a string' : 'a non-empty string', describeValue(value));
  return value;
}

/** `value` as an integer in [min, max]. */
export function expectInteger(value: unknown, path: JsonPath, min: number, max = Number.MAX_SAFE_INTEGER): number {
  return checkInteger(value, min, String(path), max);
}

/** `value` as an array of `length` elements (any length when omitted). */
export function expectArray(value: unknown, path: JsonPath, length?: number): readonly unknown[] {
  if (!Array.isArray(value)) fail('type', path, length === undefined ? 'an array' : `an array of ${length} elements`, describeValue(value));
  if (length !== undefined && value.length !== length) fail('shape', path, `an array of ${length} elements`, describeValue(value));
  return value;
}

/**
 * A validated deep copy of opaque JSON data: only null, booleans, finite
 * numbers, strings, arrays and plain objects without `__proto__` keys.
 * The copy shares nothing with the input, so later edits to one cannot
 * reach the other.
 */
export function cloneJson(value: unknown, path: JsonPath, depth = 0): JsonValue {
  if (depth > MAX_DEPTH) fail('range', path, `JSON nested at most ${MAX_DEPTH} levels deep`, 'deeper nesting');
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) fail('not-finite', path, intervalWords(FINITE), describeValue(value));
    return value;
  }
  if (Array.isArray(value)) return value.map((item: unknown, i) => cloneJson(item, path.index(i), depth + 1));
  const object = expectObject(value, path);
  const copy: Record<string, JsonValue> = {};
  for (const key of Object.keys(object)) copy[key] = cloneJson(object[key], path.key(key), depth + 1);
  return copy;
}

/** A generator state as `Random.getState()` returns it. */
export type RngState = [number, number, number, number];

/** Four unsigned 32-bit integers, not all zero: a state `Random.setState` can take. */
export function expectRngState(value: unknown, path: JsonPath): RngState {
  const words = expectArray(value, path, 4).map((w, i) => expectInteger(w, path.index(i), 0, 0xffffffff));
  // xoshiro128** never leaves the all-zero state: it would emit zeros forever.
  if (words.every((w) => w === 0)) fail('range', path, 'a generator state that is not all zeros', '[0, 0, 0, 0]');
  return words as RngState;
}
