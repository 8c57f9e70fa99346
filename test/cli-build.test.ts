// The workspace's `glassnet` command: npm links node_modules/.bin/glassnet to
// the CLI package's launcher, a committed executable file, so the link exists
// from `npm ci` on and survives any rebuild (even after dist/ is removed).
import { spawnSync } from 'node:child_process';
import { realpathSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { requireFreshBuild } from './helpers/dist.js';

const LAUNCHER = fileURLToPath(new URL('../packages/glassnet-cli/bin/glassnet.js', import.meta.url));
const LINK = fileURLToPath(new URL('../node_modules/.bin/glassnet', import.meta.url));

describe('the built command', () => {
  it('is what npx glassnet runs: the linked, executable launcher of the built CLI', () => {
    requireFreshBuild();
    expect(realpathSync(LINK)).toBe(LAUNCHER);
    expect(statSync(LAUNCHER).mode & 0o111).toBe(0o111);
    const run = spawnSync(LINK, ['--help'], { encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Usage: glassnet');
  });
});
