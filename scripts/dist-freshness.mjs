// Whether the build (packages/*/dist/) is older than the sources it is
// built from: `npm start` rebuilds then (build-if-stale.mjs), and the tests
// that run the build stop with a message rather than test yesterday's build
// (test/helpers/dist.ts).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The build's last output (scripts/build.mjs compiles the library, then the command, each from empty). */
export const BUILD_OUTPUT = 'packages/glassnet-cli/dist/main.js';
/** What the build reads. */
export const BUILD_SOURCES = [
  'src', 'cli', 'package.json', 'scripts/build.mjs', 'tsconfig.json',
  ...['glassnet', 'glassnet-cli'].flatMap((name) => [`packages/${name}/package.json`, `packages/${name}/tsconfig.json`]),
];

/** The newest file under `path` (a file, or a directory walked recursively), with its modification time. */
function newest(path) {
  const info = statSync(path);
  if (!info.isDirectory()) return { path, time: info.mtimeMs };
  return readdirSync(path).reduce((latest, name) => {
    const found = newest(join(path, name));
    return found.time > latest.time ? found : latest;
  }, { path, time: 0 });
}

/**
 * Why the build under `root` needs redoing: "no build" when it is missing, the
 * newest source file when one changed after the build, or null when the
 * build is current.
 */
export function staleBuild(root = '.') {
  const output = join(root, BUILD_OUTPUT);
  if (!existsSync(output)) return 'no build';
  const built = statSync(output).mtimeMs;
  for (const source of BUILD_SOURCES) {
    const path = join(root, source);
    if (!existsSync(path)) continue;
    const found = newest(path);
    if (found.time > built) return found.path;
  }
  return null;
}
