// The build leaves a runnable command: npm's bin link to dist/cli/main.js needs its execute bit.
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { built } from './helpers/dist.js';

const MAIN = built('cli/main.js');

describe('the built command', () => {
  it('is executable after a build, so npx glassnet runs it directly', () => {
    expect(statSync(MAIN).mode & 0o111).toBe(0o111);
    const run = spawnSync(MAIN, ['--help'], { encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Usage: glassnet');
  });
});
