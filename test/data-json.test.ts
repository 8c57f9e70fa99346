// JSON data sets in both accepted shapes, and the JSON path of each error.
import { describe, expect, it } from 'vitest';
import { thrown as failure } from './helpers/errors.js';
import { loadJsonData } from '../src/data/json.js';

const xor = { x: [[0, 0], [0, 1], [1, 0], [1, 1]], y: [[0], [1], [1], [0]] };

describe('loadJsonData', () => {
  it('reads {x, y}', () => {
    expect(loadJsonData(JSON.stringify(xor))).toEqual(xor);
  });

  it('reads brain.js pairs [{input, output}]', () => {
    const pairs = xor.x.map((input, i) => ({ input, output: xor.y[i] }));
    expect(loadJsonData(JSON.stringify(pairs))).toEqual(xor);
  });

  it('names file and path of a non-number', () => {
    const error = failure(() => loadJsonData('{"x": [[0,0],[0,1],[1,0],[1,"a"]], "y": [[0],[1],[1],[0]]}', { file: 'data.json' }));
    expect([error.code, error.argument, error.found]).toEqual(['type', 'data.json: x[3][1]', '"a"']);
    const pair = failure(() => loadJsonData('[{"input":[1],"output":[0]},{"input":[2],"output":[null]}]', { file: 'd.json' }));
    expect(pair.argument).toBe('d.json: [1].output[0]');
    expect(failure(() => loadJsonData('{"x": [[1e999]], "y": [[1]]}')).code).toBe('not-finite');
  });

  it('names the ragged row and the expected width', () => {
    const error = failure(() => loadJsonData('{"x": [[0,0],[0,1],[1]], "y": [[0],[1],[1]]}', { file: 'data.json' }));
    expect([error.code, error.argument, error.found]).toEqual(['shape', 'data.json: x[2]', '1']);
    expect(error.expected).toBe('2 numbers (as x[0])');
    expect(failure(() => loadJsonData('[{"input":[1,2],"output":[0]},{"input":[2],"output":[1]}]')).argument).toBe('<json>: [1].input');
  });

  it('rejects unequal row counts, empty sets, bad shapes and invalid JSON', () => {
    expect(failure(() => loadJsonData('{"x": [[1],[2]], "y": [[1]]}')).code).toBe('shape');
    expect(failure(() => loadJsonData('{"x": [], "y": []}')).code).toBe('empty');
    expect(failure(() => loadJsonData('[]')).code).toBe('empty');
    expect(failure(() => loadJsonData('{"x": [[]], "y": [[1]]}')).argument).toBe('<json>: x[0]');
    expect(failure(() => loadJsonData('{"x": [1, 2], "y": [[1],[2]]}')).argument).toBe('<json>: x[0]');
    expect(failure(() => loadJsonData('{"inputs": []}')).code).toBe('type');
    expect(failure(() => loadJsonData('[{"input":[1]}]')).argument).toBe('<json>: [0]');
    const syntax = failure(() => loadJsonData('{"x": [[1]', { file: 'bad.json' }));
    expect([syntax.code, syntax.argument, syntax.expected]).toEqual(['type', 'bad.json', 'valid JSON']);
    expect(syntax.cause).toBeInstanceOf(SyntaxError);
  });
});
