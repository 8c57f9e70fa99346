// Fault suite, files: outputs that cannot be written are refused before any
// work, symbolic links are written through, a failed write keeps the trained
// weights in a fallback file and says where, and temporary files never stay.
import { linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadModel, writeFileAtomic } from '../src/io/node.js';
import { glassnet } from './helpers/cli.js';
import { expectOneLineError } from './helpers/cli-files.js';
import { glassnetWithFault } from './helpers/cli-faults.js';
import { expectUnchanged, snapshot } from './helpers/faults.js';

const IRIS = 'data/iris.csv';

/** A directory holding a data file, an old model and a link to the data. */
function workspace(): string {
  const dir = mkdtempSync(join(tmpdir(), 'glassnet-faults-'));
  writeFileSync(join(dir, 'data.csv'), readFileSync(IRIS));
  writeFileSync(join(dir, 'old.json'), 'the previous model\n');
  symlinkSync(join(dir, 'data.csv'), join(dir, 'link.json'));
  symlinkSync(join(dir, 'nowhere'), join(dir, 'dangling.json'));
  linkSync(join(dir, 'data.csv'), join(dir, 'hard.json'));
  mkdirSync(join(dir, 'sub'));
  execFileSync('mkfifo', [join(dir, 'fifo')]);
  return dir;
}

describe('outputs are checked before any data is read', () => {
  const dir = workspace();
  const at = (name: string): string => join(dir, name);
  it.each([
    [['train', at('data.csv'), '--out', at('sub')], /--out: expected a file to write, found ".*sub": an existing directory$/],
    [['train', at('data.csv'), '--out', '/dev/null'], /--out: expected a regular file to write, found "\/dev\/null": a device file$/],
    [['train', at('data.csv'), '--report', at('fifo')], /--report: expected a regular file to write, found ".*fifo": a named pipe$/],
    [['train', at('data.csv'), '--out', at('data.csv')], /--out: expected a file other than DATA, found ".*data\.csv": the same file as DATA/],
    [['train', at('data.csv'), '--out', at('link.json')], /--out: expected a file other than DATA, found ".*link\.json": the same file as DATA/],
    [['train', at('data.csv'), '--checkpoint', at('hard.json')], /--checkpoint: expected a file other than DATA, found ".*hard\.json": the same file as DATA/],
    [['train', at('data.csv'), '--out', at('dangling.json')], /--out: expected a file, or a symbolic link to one, found ".*dangling\.json": a symbolic link to nothing$/],
    [['train', at('data.csv'), '--out', at('new.json'), '--checkpoint', join(dir, 'sub', '..', 'new.json')], /--checkpoint: expected a file other than --out/],
    [['train', at('data.csv'), '--out', join(dir, 'missing', 'm.json')], /--out: expected a file in an existing directory, found ".*m\.json": no directory/],
    [['train', at('data.csv'), '--out', ''], /--out: expected a file name, found "": an empty path$/],
    [['train', at('data.csv'), '--resume', at('old.json'), '--out', at('old.json')], /--out: expected a file other than --resume/],
    [['predict', at('old.json'), at('data.csv'), '--out', at('old.json')], /--out: expected a file other than MODEL/],
    [['predict', at('old.json'), at('data.csv'), '--out', at('data.csv')], /--out: expected a file other than DATA/],
  ])('%j', (args, pattern) => {
    const before = snapshot(dir);
    expectOneLineError(glassnet(...args), pattern, 2);
    expectUnchanged(dir, before);
  });
});

describe('symbolic links', () => {
  it('an output that is a link is written through: the target gets the model, the link stays', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'glassnet-faults-'));
    mkdirSync(join(dir, 'models'));
    writeFileSync(join(dir, 'models', 'v1.json'), 'old');
    symlinkSync(join('models', 'v1.json'), join(dir, 'current.json'));
    expect(glassnet('train', 'xor', '--epochs', '2', '--out', join(dir, 'current.json'), '--quiet').status).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(['current.json', 'models']);
    expect(readdirSync(join(dir, 'models'))).toEqual(['v1.json']);
    expect((await loadModel(join(dir, 'models', 'v1.json'))).model.inputSize).toBe(2);
    expect(execFileSync('readlink', [join(dir, 'current.json')], { encoding: 'utf8' }).trim()).toBe(join('models', 'v1.json'));
  });

  it('--checkpoint may continue its own --resume file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'glassnet-faults-'));
    const ck = join(dir, 'ck.json');
    expect(glassnet('train', 'xor', '--epochs', '2', '--checkpoint', ck, '--quiet').status).toBe(0);
    expect(glassnet('train', 'xor', '--epochs', '4', '--resume', ck, '--checkpoint', ck, '--quiet').status).toBe(0);
  });
});

describe('a failed write keeps the trained weights', () => {
  it.each([
    ['ENOSPC', 'write', /to write the temporary file .*\.tmp, found ENOSPC/],
    ['EIO', 'sync', /to flush the temporary file .*\.tmp to disk, found EIO/],
    ['EACCES', 'open', /to create the temporary file .*\.tmp, found EACCES/],
    ['EIO', 'rename', /to rename the temporary file .*\.tmp over it, found EIO/],
  ] as const)('%s in %s: the old file stays, no temporary file, the model is in a fallback file the error names', async (code, op, reason) => {
    const dir = mkdtempSync(join(tmpdir(), 'glassnet-faults-'));
    const tmp = mkdtempSync(join(tmpdir(), 'glassnet-fallback-'));
    writeFileSync(join(dir, 'm.json'), 'the previous model\n');
    const before = snapshot(dir);
    const run = glassnetWithFault({ code, op, match: dir }, tmp, 'train', 'xor', '--epochs', '3', '--out', join(dir, 'm.json'), '--quiet');
    expectOneLineError(run, reason);
    const fallback = /the trained model was saved to (\S+) instead$/.exec(run.stderr.trim())?.[1];
    expect(fallback, run.stderr).toBeDefined();
    expect(fallback!.startsWith(tmp)).toBe(true);
    expect((await loadModel(fallback!)).training?.epochs).toBe(3);
    expectUnchanged(dir, before);
  });

  it('a failed checkpoint write stops the run and keeps that checkpoint in a fallback file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'glassnet-faults-'));
    const tmp = mkdtempSync(join(tmpdir(), 'glassnet-fallback-'));
    const run = glassnetWithFault({ code: 'ENOSPC', op: 'write', match: dir }, tmp, 'train', 'xor', '--epochs', '3', '--checkpoint', join(dir, 'ck.json'), '--quiet');
    expectOneLineError(run, /ck\.json: expected to write the temporary file .*, found ENOSPC .*; the checkpoint of epoch \d+ was saved to \S+ instead/);
    const fallback = /saved to (\S+) instead/.exec(run.stderr)![1]!;
    expect((await loadModel(fallback)).optimizerState?.['fit']).toBeDefined();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('says so when no fallback can be written either', () => {
    const dir = mkdtempSync(join(tmpdir(), 'glassnet-faults-'));
    const run = glassnetWithFault({ code: 'ENOSPC', op: 'write', match: '' }, dir, 'train', 'xor', '--epochs', '2', '--out', join(dir, 'm.json'), '--quiet');
    expectOneLineError(run, /found ENOSPC .*; the trained model could not be saved anywhere else either$/);
  });
});

describe('temporary files', () => {
  it('stale ones of processes that no longer run are removed by the next write; live ones stay', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'glassnet-faults-'));
    const dead = execFileSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const stale = `.m.json.${dead}.0123456789ab.tmp`;
    const live = `.m.json.${process.pid}.0123456789ab.tmp`;
    const other = `.other.json.${dead}.0123456789ab.tmp`;
    for (const name of [stale, live, other]) writeFileSync(join(dir, name), 'partial');
    await writeFileAtomic(join(dir, 'm.json'), 'new');
    expect(readdirSync(dir).sort()).toEqual([live, other, 'm.json'].sort());
  });
});
