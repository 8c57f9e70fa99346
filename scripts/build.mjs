// `npm run build`: compiles src/ into packages/glassnet/dist/ and cli/ into
// packages/glassnet-cli/dist/, each from empty, so a package never ships the
// output of a source that was moved or deleted. The library comes first: the
// command compiles against its declarations, imported by package name.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
for (const name of ['glassnet', 'glassnet-cli']) {
  rmSync(new URL(`../packages/${name}/dist`, import.meta.url), { recursive: true, force: true });
  const { status } = spawnSync(process.execPath, [tsc, '-p', `packages/${name}`], { stdio: 'inherit' });
  if (status !== 0) process.exit(status ?? 1);
}
