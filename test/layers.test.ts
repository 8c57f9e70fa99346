// The layering rule, checked over every import in src/ (static, dynamic,
// require, and Node built-ins named in strings): a module imports only from
// its own layer or those below (tinygrad's sz.py does the same job). The
// command and the playground import the library only through its public
// entry points, and each package lists exactly the packages it loads.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { entryPoints } from './helpers/entry-points.js';
import { importsOf, packageOf } from './helpers/imports.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const SRC = fileURLToPath(new URL('../src/', import.meta.url));
const CLI = fileURLToPath(new URL('../cli/', import.meta.url));
const PLAYGROUND = fileURLToPath(new URL('../playground/src/', import.meta.url));

/**
 * Node built-ins outside io/, by file: worker threads are reached through
 * `process.getBuiltinModule` behind a feature probe, never imported, so
 * browsers and bundlers never see them.
 */
const PROBED_BUILTINS: Record<string, readonly string[]> = { 'backend/wasm/threads.ts': ['node:worker_threads', 'node:os'] };

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

function json(path: string): Record<string, unknown> {
  const read = ts.readConfigFile(join(ROOT, path), ts.sys.readFile);
  if (read.error !== undefined) throw new Error(`${path}: ${ts.flattenDiagnosticMessageText(read.error.messageText, '\n')}`);
  return read.config as Record<string, unknown>;
}

function imports(file: string): string[] {
  const { specifiers, computed } = importsOf(file, readFileSync(file, 'utf8'));
  expect(computed, `${relative(ROOT, file)} loads a computed module name, which no check can follow`).toEqual([]);
  return specifiers;
}

const ENTRIES = entryPoints();
const LIBRARY = json('packages/glassnet/package.json');
const COMMAND = json('packages/glassnet-cli/package.json');
const WORKSPACE = json('package.json');

describe('layering', () => {
  const files = sources(SRC);
  it('knows every source file', () => {
    expect(files.length).toBeGreaterThan(30);
    for (const file of files) levelOf(relative(SRC, file));
  });

  it.each(files.map((file) => [relative(SRC, file), file] as const))('%s imports nothing above its layer, and no package', (name, file) => {
    const level = levelOf(name);
    for (const target of imports(file)) {
      if (target.startsWith('node:')) {
        // Node built-ins only in the Node-only entry of io, or probed for.
        expect(name.startsWith('io/') || PROBED_BUILTINS[name]?.includes(target) === true, `${name} imports ${target}`).toBe(true);
        continue;
      }
      // The core library has no runtime dependencies.
      expect(target.startsWith('.'), `${name} imports the package ${target}`).toBe(true);
      const targetName = relative(SRC, resolve(dirname(file), target)).replace(/\.js$/, '.ts');
      expect(levelOf(targetName), `${name} (layer ${level}) imports ${targetName}`).toBeLessThanOrEqual(level);
    }
  });
});

describe('the library package', () => {
  it('depends on no package', () => {
    for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies', 'bundleDependencies']) {
      expect(LIBRARY[field], `packages/glassnet/package.json has ${field}`).toBeUndefined();
    }
    expect(LIBRARY['files']).toEqual(['dist']);
  });

  it('is checked against the sources of exactly its entry points', () => {
    // tsconfig paths let the CLI, tests and snippets type-check against src/; they must name what the package exports.
    const expected = Object.fromEntries(ENTRIES.map(({ specifier, source }) => [specifier, [`./${source}`]]));
    expect((json('tsconfig.json')['compilerOptions'] as { paths: unknown }).paths).toEqual(expected);
    const playground = (json('playground/tsconfig.json')['compilerOptions'] as { paths: Record<string, string[]> }).paths;
    for (const [specifier, [path]] of Object.entries(playground)) {
      expect(`./${relative(ROOT, resolve(ROOT, 'playground', path!))}`).toBe(expected[specifier]?.[0]);
    }
  });
});

const COMMAND_PINS = COMMAND['dependencies'] as Record<string, string>;
const WORKSPACE_PINS = WORKSPACE['devDependencies'] as Record<string, string>;

describe.each([
  { name: 'the command (cli/)', dir: CLI, entries: ENTRIES.map((e) => e.specifier), pins: COMMAND_PINS },
  {
    // The playground runs in a browser: no glassnet/node, no Node built-ins; its packages are the workspace's.
    name: 'the playground', dir: PLAYGROUND, entries: ENTRIES.map((e) => e.specifier).filter((s) => !s.endsWith('/node')),
    pins: Object.fromEntries(['katex', 'uplot'].map((p) => [p, WORKSPACE_PINS[p]!])),
  },
])('$name', ({ dir, entries, pins }) => {
  const files = sources(dir);
  const packages = Object.keys(pins).filter((p) => p !== LIBRARY['name']);
  it.each(files.map((file) => [relative(ROOT, file), file] as const))('%s imports the library only through its entry points', (_, file) => {
    for (const target of imports(file)) {
      if (target.startsWith('.')) {
        expect(resolve(dirname(file), target).startsWith(dir), `${relative(ROOT, file)} imports ${target}, outside its directory`).toBe(true);
      } else if (target.startsWith('node:')) {
        expect(dir, `${relative(ROOT, file)} imports ${target}`).toBe(CLI);
      } else if (packageOf(target) === LIBRARY['name']) {
        expect(entries, `${relative(ROOT, file)} imports ${target}`).toContain(target);
      } else {
        expect(packages, `${relative(ROOT, file)} imports the package ${target}, not a dependency`).toContain(packageOf(target));
      }
    }
  });

  it('uses every package it depends on, each pinned to one exact version', () => {
    const loaded = new Set(files.flatMap(imports).filter((s) => !s.startsWith('.') && !s.startsWith('node:')).map(packageOf));
    loaded.delete(String(LIBRARY['name']));
    expect([...loaded].sort()).toEqual(packages.sort());
    for (const [name, version] of Object.entries(pins)) {
      expect(version, name).toMatch(name === LIBRARY['name'] ? new RegExp(`^${String(LIBRARY['version'])}$`) : /^\d+\.\d+\.\d+$/);
      // A package both the command and the workspace pin (for the playground or the benchmarks) has one version.
      if (WORKSPACE_PINS[name] !== undefined) expect(version, `${name} is pinned twice, differently`).toBe(WORKSPACE_PINS[name]);
    }
  });
});

describe('the import reader', () => {
  it('sees every kind of load, and flags computed ones', () => {
    const text = [
      "import a from 'a';", "import type { B } from 'b';", "export * from './c.js';", "import 'd.css';",
      "const e = await import('e');", "const f = require('f');", "createRequire(import.meta.url).resolve('g/package.json');",
      "type H = import('h').H;", "const w = `require('node:worker_threads')`;", "process.getBuiltinModule('node:os');",
      "const name = 'x'; await import(name);", "// import('not-code') in a comment is prose",
    ].join('\n');
    expect(importsOf('sample.ts', text)).toEqual({
      specifiers: ['a', 'b', './c.js', 'd.css', 'e', 'f', 'g/package.json', 'h', 'node:worker_threads', 'node:os'],
      computed: ['import(name)'],
    });
    expect(['uplot/dist/uPlot.min.css', '@tensorflow/tfjs-core/dist/x.js', 'glassnet/node'].map(packageOf)).toEqual(['uplot', '@tensorflow/tfjs-core', 'glassnet']);
  });
});
