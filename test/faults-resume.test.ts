// Fault suite, resume: a checkpoint records its training data; resuming on
// other data is refused (unless --force-resume), and default checkpoints are
// written at the end of a run, not every epoch.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { glassnet } from './helpers/cli.js';
import { expectOneLineError, readModelJson } from './helpers/cli-files.js';
import { expectUnchanged, snapshot } from './helpers/faults.js';

describe('resume checks the data', () => {
  const dir = mkdtempSync(join(tmpdir(), 'glassnet-faults-'));
  const at = (name: string): string => join(dir, name);
  const iris = readFileSync('data/iris.csv', 'utf8');
  writeFileSync(at('a.csv'), iris);
  writeFileSync(at('changed.csv'), iris.replace(/^5\.1,3\.5/m, '5.2,3.5'));
  writeFileSync(at('shorter.csv'), iris.trimEnd().split('\n').slice(0, -1).join('\n'));

  it('records rows and a CRC-32 of the data, and writes the final state without --checkpoint-every', () => {
    expect(glassnet('train', at('a.csv'), '--epochs', '3', '--checkpoint', at('ck.json'), '--quiet').status).toBe(0);
    const ck = readModelJson(at('ck.json'));
    expect((ck['training'] as { data: unknown }).data).toEqual({ rows: 150, crc32: expect.stringMatching(/^[0-9a-f]{8}$/) });
    expect((ck['optimizerState'] as { fit: { epoch: number } }).fit.epoch).toBe(3);
  });

  it.each([
    ['changed.csv', /^glassnet: DATA: expected the data the checkpoint .*ck\.json was trained on \(150 rows with CRC-32 [0-9a-f]{8}; --force-resume continues anyway\), found 150 rows with CRC-32 [0-9a-f]{8}: the values changed$/],
    ['shorter.csv', /found 149 rows with CRC-32 [0-9a-f]{8}: the row count changed$/],
  ])('refuses %s, changing nothing', (name, pattern) => {
    const before = snapshot(dir);
    expectOneLineError(glassnet('train', at(name), '--resume', at('ck.json'), '--epochs', '5', '--checkpoint', at('ck.json'), '--out', at('m.json')), pattern, 2);
    expectUnchanged(dir, before);
  });

  it('refuses an option that changes what the run computes', () => {
    const before = snapshot(dir);
    expectOneLineError(glassnet('train', at('a.csv'), '--resume', at('ck.json'), '--layers', '4'), /^glassnet: --layers: expected \[16\] as in the checkpoint/, 2);
    expectUnchanged(dir, before);
  });

  it('--force-resume continues on changed data', () => {
    const run = glassnet('train', at('changed.csv'), '--resume', at('ck.json'), '--epochs', '4', '--force-resume', '--json');
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).epochs).toBe(4);
  });
});

describe('default (time-based) checkpoints when a run fails or is stopped', () => {
  it('a non-finite loss keeps a recent whole epoch, which info reads', () => {
    const dir = mkdtempSync(join(tmpdir(), 'glassnet-faults-'));
    const run = glassnet('train', 'test/fixtures/cli/diverge.csv', '--layers', 'none', '--scale', 'none', '--optimizer', 'sgd', '--lr', '0.01',
      '--epochs', '100', '--checkpoint', join(dir, 'ck.json'));
    const [, failed, kept] = /loss at epoch (\d+), batch 1: .* holds epoch (\d+)\)$/.exec(run.stderr.trim())!;
    expect(run.status).toBe(1);
    expect(Number(kept)).toBeGreaterThan(0);
    expect(Number(kept)).toBeLessThan(Number(failed));
    expect(JSON.parse(glassnet('info', join(dir, 'ck.json'), '--json').stdout).checkpoint.epoch).toBe(Number(kept));
  });
});
