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
});
