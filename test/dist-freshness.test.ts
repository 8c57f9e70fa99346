// The tests that run the build stop with a clear message when it is older than
// the sources (test/helpers/dist.ts); npm test builds first, so they pass there.
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { requireFreshBuild } from './helpers/dist.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A checkout with one source file and (unless `built` is null) the built command, with the given modification times in seconds. */
function checkout(source: number, built: number | null): string {
  const root = mkdtempSync(join(tmpdir(), 'glassnet-dist-'));
  dirs.push(root);
  mkdirSync(join(root, 'src', 'nn'), { recursive: true });
  writeFileSync(join(root, 'src', 'nn', 'layers.ts'), '');
  utimesSync(join(root, 'src', 'nn', 'layers.ts'), source, source);
  if (built !== null) {
    const dist = join(root, 'packages', 'glassnet-cli', 'dist');
    mkdirSync(dist, { recursive: true });
    writeFileSync(join(dist, 'main.js'), '');
    utimesSync(join(dist, 'main.js'), built, built);
  }
  return join(root, '/');
}

describe('a stale build is refused before any test runs it', () => {
  it('passes when the build is newer than every source', () => {
    expect(() => requireFreshBuild(checkout(1_000_000, 1_000_100))).not.toThrow();
  });

  it('names the source that changed after the build, and the command that fixes it', () => {
    expect(() => requireFreshBuild(checkout(1_000_100, 1_000_000)))
      .toThrow('the build (packages/*/dist/) is older than src/nn/layers.ts: run `npm run build` first (`npm test` builds before testing)');
  });

  it('says so when there is no build at all', () => {
    expect(() => requireFreshBuild(checkout(1_000_000, null))).toThrow(/^the packages have not been built: run `npm run build` first/);
  });
});
