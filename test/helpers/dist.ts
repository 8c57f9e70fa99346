// Tests that run the build (the CLI, the library's dist/ served to a
// browser) stop at once when it is older than the sources: they would otherwise test an
// old build and fail, or pass, for reasons no longer in the code.
import { fileURLToPath } from 'node:url';
import { staleBuild } from '../../scripts/dist-freshness.mjs';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Throws, naming the changed file, unless the build is at least as new as every source it is built from. */
export function requireFreshBuild(root = ROOT): void {
  const stale = staleBuild(root);
  if (stale === null) return;
  const why = stale === 'no build' ? 'the packages have not been built' : `the build (packages/*/dist/) is older than ${stale.startsWith(root) ? stale.slice(root.length) : stale}`;
  throw new Error(`${why}: run \`npm run build\` first (\`npm test\` builds before testing)`);
}

/** The absolute path of `relative` inside a package's build output, after checking the build is current. */
export function built(pkg: 'glassnet' | 'glassnet-cli', relative: string): string {
  requireFreshBuild();
  return fileURLToPath(new URL(`../../packages/${pkg}/dist/${relative}`, import.meta.url));
}
