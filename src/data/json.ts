import { GlassnetError, describeValue } from '../errors.js';
import { checkFinite } from '../util/checks.js';
import { findDuplicateKey } from '../util/json-keys.js';
import type { Dataset } from './datasets.js';

/** Options for {@link loadJsonData}. */
export interface JsonDataOptions {
  /** Name used in error messages (`data.json: x[3][1]`); default `<json>`. */
  file?: string;
}

/**
 * Reads a data set written as JSON, in either of two shapes:
 * `{"x": [[...], ...], "y": [[...], ...]}`, or brain.js's
 * `[{"input": [...], "output": [...]}, ...]`. Every row is an array of
 * finite numbers, all `x` rows one length and all `y` rows another.
 *
 * @throws GlassnetError `type` for invalid JSON, another shape or a
 * non-number, `shape` for ragged rows or unequal counts, `empty` for no
 * rows; the `argument` is `file: path`, e.g. `data.json: x[3][1]`.
 */
export function loadJsonData(text: string, options: JsonDataOptions = {}): Dataset {
  const file = options.file ?? '<json>';
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new GlassnetError({ code: 'type', argument: file, expected: 'valid JSON', found: (error as Error).message, cause: error });
  }
  const repeat = findDuplicateKey(text);
  if (repeat !== null) {
    throw new GlassnetError({ code: 'state', argument: file, expected: 'each key at most once per JSON object', found: `${JSON.stringify(repeat.key)} again at character ${repeat.position}` });
  }
  if (Array.isArray(value)) return fromPairs(value, file);
  if (typeof value === 'object' && value !== null && 'x' in value && 'y' in value) {
    const data = value as { x: unknown; y: unknown };
    const x = matrix(data.x, file, 'x');
    const y = matrix(data.y, file, 'y');
    if (x.length !== y.length) {
      throw new GlassnetError({ code: 'shape', argument: `${file}: y`, expected: `${x.length} rows (as many as x)`, found: `${y.length}` });
    }
    return { x, y };
  }
  throw new GlassnetError({
    code: 'type', argument: file,
    expected: 'an object {"x": [[...]], "y": [[...]]} or an array of {"input": [...], "output": [...]}', found: describeValue(value),
  });
}

function fromPairs(items: readonly unknown[], file: string): Dataset {
  const x: unknown[] = [];
  const y: unknown[] = [];
  items.forEach((item, i) => {
    if (typeof item !== 'object' || item === null || !('input' in item) || !('output' in item)) {
      throw new GlassnetError({ code: 'type', argument: `${file}: [${i}]`, expected: 'an object with "input" and "output"', found: describeValue(item) });
    }
    x.push(item.input);
    y.push(item.output);
  });
  return {
    x: matrix(x, file, 'input', (i) => `[${i}].input`),
    y: matrix(y, file, 'output', (i) => `[${i}].output`),
  };
}

/** Checks rows of finite numbers of one length; `pathOf(i)` names row `i` in errors. */
function matrix(value: unknown, file: string, name: string, pathOf: (i: number) => string = (i) => `${name}[${i}]`): number[][] {
  if (!Array.isArray(value)) {
    throw new GlassnetError({ code: 'type', argument: `${file}: ${name}`, expected: 'an array of rows', found: describeValue(value) });
  }
  if (value.length === 0) {
    throw new GlassnetError({ code: 'empty', argument: `${file}: ${name}`, expected: 'at least one row', found: 'an empty array' });
  }
  const width = Array.isArray(value[0]) ? value[0].length : 0;
  return value.map((row: unknown, i) => {
    const path = pathOf(i);
    if (!Array.isArray(row)) {
      throw new GlassnetError({ code: 'type', argument: `${file}: ${path}`, expected: 'an array of numbers', found: describeValue(row) });
    }
    if (row.length !== width || width === 0) {
      throw new GlassnetError({
        code: 'shape', argument: `${file}: ${path}`,
        expected: width === 0 ? 'a non-empty row' : `${width} numbers (as ${pathOf(0)})`, found: `${row.length}`,
      });
    }
    checkFinite(row, `${file}: ${path}`);
    return row.slice();
  });
}
