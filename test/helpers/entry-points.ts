// The library's public entry points, read from packages/glassnet/package.json's
// exports (the one list): each import specifier with the built module and
// the source under src/ that tsc compiles into it.
import { readFileSync } from 'node:fs';

export interface EntryPoint {
  /** What users import: 'glassnet', 'glassnet/backend', ... */
  specifier: string;
  /** The built module, relative to the repository root. */
  built: string;
  /** Its source, relative to the repository root. */
  source: string;
}

const PACKAGE = new URL('../../packages/glassnet/package.json', import.meta.url);

export function entryPoints(): EntryPoint[] {
  const { name, exports } = JSON.parse(readFileSync(PACKAGE, 'utf8')) as { name: string; exports: Record<string, { default: string }> };
  return Object.entries(exports).map(([subpath, target]) => {
    const built = target.default.replace(/^\.\//, 'packages/glassnet/');
    // packages/glassnet/tsconfig.json compiles src/ into dist/, one file for one file.
    const source = target.default.replace(/^\.\/dist\//, 'src/').replace(/\.js$/, '.ts');
    return { specifier: subpath === '.' ? name : `${name}/${subpath.slice(2)}`, built, source };
  });
}
