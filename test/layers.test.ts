// The layering rule, checked over every import in src/: a module imports
// only from its own layer or those below (tinygrad's sz.py does the same job).
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../src/', import.meta.url));

/** Layer of a path under src/, low to high (README, "The library"). */
const LAYERS: [prefix: string, level: number][] = [
  // primitives/ (one record per activation and loss) sits between level 0 and the backends, which loop over its kernels.
  ['errors.ts', 0], ['util/', 0], ['primitives/', 0.5], ['backend/', 1], ['tensor/', 2], ['nn/', 3], ['optim/', 4],
  ['train/', 5], ['data/', 5], ['io/', 5], ['examples/', 6], ['explain/', 6], ['index.ts', 7],
];

function levelOf(path: string): number {
  const found = LAYERS.find(([prefix]) => path === prefix || path.startsWith(prefix));
  if (found === undefined) throw new Error(`${path} belongs to no layer: add it to LAYERS and the README`);
  return found[1];
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? sources(path) : entry.name.endsWith('.ts') ? [path] : [];
  });
}

describe('layering', () => {
  const files = sources(SRC);
  it('knows every source file', () => {
    expect(files.length).toBeGreaterThan(30);
    for (const file of files) levelOf(relative(SRC, file));
  });

  it.each(files.map((file) => [relative(SRC, file), file] as const))('%s imports nothing above its layer, and no package', (name, file) => {
    const level = levelOf(name);
    const imports = [...readFileSync(file, 'utf8').matchAll(/^(?:import|export)[^'"]*from\s+'([^']+)'/gm)].map((m) => m[1]!);
    for (const target of imports) {
      if (target.startsWith('node:')) {
        // Node built-ins only in the Node-only entry of io.
        expect(name.startsWith('io/'), `${name} imports ${target}`).toBe(true);
        continue;
      }
      // The core library has no runtime dependencies.
      expect(target.startsWith('.'), `${name} imports the package ${target}`).toBe(true);
      const targetName = relative(SRC, resolve(dirname(file), target)).replace(/\.js$/, '.ts');
      expect(levelOf(targetName), `${name} (layer ${level}) imports ${targetName}`).toBeLessThanOrEqual(level);
    }
  });
});
