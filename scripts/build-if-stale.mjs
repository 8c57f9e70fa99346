// `npm start` builds only when the built command is older than a source file, so starting the demo twice does not recompile.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const OUTPUT = 'packages/glassnet-cli/dist/main.js';
const SOURCES = ['src', 'cli', 'package.json', 'scripts/build.mjs', 'tsconfig.json', ...['glassnet', 'glassnet-cli'].flatMap((p) => [`packages/${p}/package.json`, `packages/${p}/tsconfig.json`])];

/** The newest modification time under `path` (a file, or a directory walked recursively). */
function newest(path) {
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  return readdirSync(path).reduce((latest, name) => Math.max(latest, newest(join(path, name))), 0);
}

const built = existsSync(OUTPUT) ? statSync(OUTPUT).mtimeMs : -Infinity;
if (SOURCES.some((path) => existsSync(path) && newest(path) > built)) {
  execFileSync('npm', ['run', 'build', '--silent'], { stdio: 'inherit' });
}
