// Fault suite, command line: malformed, repeated and oversized flags are
// usage errors (exit 2) found before any file is read; nothing is written.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { numberFlag } from '../cli/flags.js';
import { safeText } from '../cli/paint.js';
import { glassnet } from './helpers/cli.js';
import { expectOneLineError } from './helpers/cli-files.js';
import { expectUnchanged, snapshot } from './helpers/faults.js';

describe('number flags', () => {
  it.each(['0x10', '0b11', '0o7', 'Infinity', '-Infinity', 'NaN', '', ' ', ' 1', '1 ', '1_000', '1e', '.', '+', '--1', '1,5'])('rejects %j', (text) => {
    expect(() => numberFlag('--lr', text)).toThrow(`--lr: expected a finite decimal number, found ${JSON.stringify(text)}`);
  });

  it.each([['16', 16], ['-0.5', -0.5], ['.5', 0.5], ['5.', 5], ['1e-3', 1e-3], ['+2E2', 200], ['010', 10]])('reads %j as %d', (text, value) => {
    expect(numberFlag('--lr', text)).toBe(value);
  });
});

describe('exit status 2 for usage errors, before any file is read', () => {
  // A data file that does not exist: reading it would be a status-1 error, so each case below proves its flag was checked first.
  const missing = join(tmpdir(), 'glassnet-no-such-dir', 'data.csv');
  it.each([
    [['train', missing, '--lr', '0x10'], /^glassnet: --lr: expected a finite decimal number, found "0x10"$/],
    [['train', missing, '--lr', ''], /^glassnet: --lr: expected a finite decimal number, found ""$/],
    [['train', missing, '--lr', '0.1', '--lr', '0.2'], /^glassnet: --lr: expected each flag at most once, found it twice$/],
    [['train', missing, '--quiet', '--quiet'], /^glassnet: --quiet: expected each flag at most once/],
    [['train', missing, '--epochs', '0'], /^glassnet: --epochs: expected an integer >= 1, found "0"$/],
    [['train', missing, '--epochs', '1e400'], /^glassnet: --epochs: expected a finite decimal number/],
    [['train', missing, '--checkpoint-every', '0x1'], /^glassnet: --checkpoint-every: expected a finite decimal number/],
    [['train', missing, '--layers', '1e9'], /^glassnet: --layers: expected at most 16777216 parameters, the memory budget, found 3000000001$/],
    [['train', missing, '--layers', '5000,5000'], /^glassnet: --layers: expected at most 16777216 parameters/],
    [['predict', missing, missing, '--format', 'xml'], /^glassnet: --format: expected one of "csv", "json"/],
    [['explain', '--model', missing, '--steps', '0x2'], /^glassnet: --steps: expected a finite decimal number/],
    [['explain', '--model', missing, '--precision', '3', '--precision', '4'], /^glassnet: --precision: expected each flag at most once/],
    [['explain', '--sizes', '100000,100000'], /^glassnet: --sizes: expected at most 131072 numbers explained/],
    [['explain', '--steps', '1000000'], /^glassnet: --steps: expected at most 131072 numbers explained/],
    [['info', missing, '--json', '--json'], /^glassnet: --json: expected each flag at most once/],
  ])('%j', (args, pattern) => {
    expectOneLineError(glassnet(...args), pattern, 2);
  });

  it('exits with 2 for commander usage errors (missing argument, unknown flag) and 0 for help', () => {
    expect(glassnet('predict').status).toBe(2);
    expect(glassnet('train', 'iris', '--no-such-flag').status).toBe(2);
    expect(glassnet('no-such-command').status).toBe(2);
    expect(glassnet('--help').status).toBe(0);
    expect(glassnet('--version').status).toBe(0);
  });

  it('a built-in set of too many rows is an error, not an out-of-memory abort', () => {
    expectOneLineError(glassnet('train', 'circles:1000000000'), /^glassnet: DATA: expected at most 1000000 rows of a built-in set \(the memory budget\), found circles:1000000000$/);
  });

  it('exits with 1 for data errors, and leaves the files as they were', () => {
    const dir = mkdtempSync(join(tmpdir(), 'glassnet-faults-'));
    writeFileSync(join(dir, 'data.csv'), 'a,b\n1,2\n3\n');
    const before = snapshot(dir);
    expectOneLineError(glassnet('train', join(dir, 'data.csv'), '--out', join(dir, 'm.json')), /data\.csv:3: expected 2 fields/);
    expectUnchanged(dir, before);
  });
});

describe('duplicate JSON keys', () => {
  it('a model file with a repeated key is refused, naming line and column', () => {
    const dir = mkdtempSync(join(tmpdir(), 'glassnet-faults-'));
    const path = join(dir, 'm.json');
    writeFileSync(path, '{\n  "format": "glassnet.model",\n  "format": "glassnet.model"\n}\n');
    expectOneLineError(glassnet('info', path), /m\.json: expected each key at most once per JSON object, found "format" again at line 3, column 3/);
  });

  it('a JSON data file with a repeated key is refused', () => {
    const dir = mkdtempSync(join(tmpdir(), 'glassnet-faults-'));
    const path = join(dir, 'd.json');
    writeFileSync(path, '{"x": [[1], [2]], "y": [[0], [1]], "x": [[3], [4]]}');
    expectOneLineError(glassnet('train', path, '--out', join(dir, 'm.json')), /d\.json: expected each key at most once per JSON object, found "x" again/);
  });
});

describe('terminal safety', () => {
  it('escapes controls, C1 controls and bidirectional overrides, and nothing else', () => {
    expect(safeText('a\u001b[31mred\u0007\n\t\u009b2J\u202ex\u2066y')).toBe('a\\x1b[31mred\\x07\\x0a\\x09\\x9b2J\\u202ex\\u2066y');
    expect(safeText('sépal λ 花 "ok" \\')).toBe('sépal λ 花 "ok" \\');
  });
});

describe('names from files reach the terminal escaped', () => {
  it('info, evaluate, train and errors print no control character from a hostile CSV', () => {
    const dir = mkdtempSync(join(tmpdir(), 'glassnet-faults-'));
    const data = join(dir, 'evil.csv');
    const model = join(dir, 'm.json');
    writeFileSync(data, 'a,b\u001b[31m,lab\u009bel\n1,2,x\u001b]0;owned\u0007\n3,4,y\n1,2,x\u001b]0;owned\u0007\n3,4,y\n');
    const train = glassnet('train', data, '--epochs', '2', '--out', model);
    expect(train.status).toBe(0);
    const outputs = [train, glassnet('info', model), glassnet('evaluate', model, data), glassnet('train', data, '--target', 'nope')];
    for (const { stdout, stderr } of outputs) {
      expect(stdout + stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    }
    expect(outputs[1]!.stdout).toContain('classes (2) x\\x1b]0;owned\\x07, y');
    expect(outputs[2]!.stdout).toContain('x\\x1b]0;owned\\x07');
  });
});
