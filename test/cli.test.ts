// The glassnet command as a user runs it: a spawned process.
import { describe, expect, it } from 'vitest';
import { glassnet } from './helpers/cli.js';

describe('glassnet', () => {
  it('prints help and exits 0', () => {
    const { status, stdout } = glassnet('--help');
    expect(status).toBe(0);
    expect(stdout).toContain('Usage: glassnet');
    expect(stdout).toContain('autoencoder');
  });

  it('rejects an unknown command with a non-zero exit', () => {
    const { status, stderr } = glassnet('frobnicate');
    expect(status).not.toBe(0);
    expect(stderr).toContain('frobnicate');
  });

  it('trains the 8-3-8 auto-encoder and shows eight distinct 3-bit codes', () => {
    const { status, stdout } = glassnet('autoencoder');
    expect(status).toBe(0);
    const rows = stdout.split('\n').filter((line) => /^[01]{8}\s/.test(line));
    expect(rows).toHaveLength(8);
    expect(rows.every((row) => row.endsWith('(ok)'))).toBe(true);
    const codes = rows.map((row) => row.trim().split(/\s+/)[4]);
    expect(new Set(codes).size).toBe(8);
  });

  it('takes the auto-encoder\'s sizes and training settings as options', () => {
    const { status, stdout } = glassnet('autoencoder', '--codes', '4', '--hidden', '2', '--seed', '1', '--lr', '5');
    expect(status).toBe(0);
    expect(stdout).toContain('4-2-4 sigmoid auto-encoder, seed 1, lr 5, full batch');
    expect(stdout.split('\n').filter((line) => /^[01]{4}\s/.test(line))).toHaveLength(4);
    expect(glassnet('autoencoder', '--codes', '1').stderr).toMatch(/^glassnet: --codes: expected an integer >= 2, found "1"/);
  });
});
