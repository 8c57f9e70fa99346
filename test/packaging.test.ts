// What `npm pack` puts in each workspace package: the library ships only its
// build output and a package.json without dependencies, so installing
// glassnet installs nothing else; the command ships its launcher and build.
// Neither ships source maps: they would point at sources left out.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { requireFreshBuild } from './helpers/dist.js';
import { entryPoints } from './helpers/entry-points.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

interface Packed {
  name: string;
  files: { path: string }[];
}

function packed(workspace: string): string[] {
  const json = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts', '-w', workspace], { cwd: ROOT, encoding: 'utf8' });
  const [result] = JSON.parse(json) as Packed[];
  expect(result!.name).toBe(workspace);
  return result!.files.map((f) => f.path).sort();
}

/** Every file under `dir`, relative to the package directory. */
function built(pkg: string, dir = 'dist'): string[] {
  return readdirSync(`${ROOT}packages/${pkg}/${dir}`, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? built(pkg, `${dir}/${e.name}`) : [`${dir}/${e.name}`]));
}

describe('the packed packages', () => {
  it('glassnet holds its package.json and its whole build output, nothing else', () => {
    const files = packed('glassnet');
    expect(files).toEqual(['package.json', ...built('glassnet')].sort());
    for (const { built: path } of entryPoints()) {
      const inPackage = path.replace(/^packages\/glassnet\//, '');
      expect(files).toContain(inPackage);
      expect(files).toContain(inPackage.replace(/\.js$/, '.d.ts'));
    }
    // No sources, and nothing of the command.
    expect(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
    expect(files.some((f) => f.includes('main.js') || f.includes('digits'))).toBe(false);
  });

  it.each(['glassnet', 'glassnet-cli'])('%s ships no source maps, and its code names none', (workspace) => {
    requireFreshBuild();
    const files = packed(workspace);
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
    const mentions = files.filter((f) => f.endsWith('.js') && readFileSync(`${ROOT}packages/${workspace}/${f}`, 'utf8').includes('sourceMappingURL'));
    expect(mentions).toEqual([]);
  });

  it('glassnet-cli holds its launcher and its build output', () => {
    const files = packed('glassnet-cli');
    expect(files).toEqual(['bin/engine.js', 'bin/glassnet.js', 'package.json', ...built('glassnet-cli')].sort());
    expect(existsSync(`${ROOT}packages/glassnet-cli/dist/main.js`)).toBe(true);
  });

  it('the launcher reports the version in glassnet-cli/package.json', () => {
    requireFreshBuild();
    const { version } = JSON.parse(readFileSync(`${ROOT}packages/glassnet-cli/package.json`, 'utf8')) as { version: string };
    const run = spawnSync(process.execPath, [`${ROOT}packages/glassnet-cli/bin/glassnet.js`, '--version'], { encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(run.stdout.trim()).toBe(version);
  });
});
