// The build leaves a runnable command: npm's bin link to packages/glassnet-cli/dist/main.js needs its execute bit.
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const MAIN = fileURLToPath(new URL('../packages/glassnet-cli/dist/main.js', import.meta.url));

describe('the built command', () => {
  it('is executable after a build, so npx glassnet runs it directly', () => {
    expect(statSync(MAIN).mode & 0o111).toBe(0o111);
    const run = spawnSync(MAIN, ['--help'], { encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Usage: glassnet');
  });
});
