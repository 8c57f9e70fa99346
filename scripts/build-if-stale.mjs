// `npm start` builds only when the built command is older than a source file, so starting the demo twice does not recompile.
import { execFileSync } from 'node:child_process';
import { staleBuild } from './dist-freshness.mjs';

if (staleBuild() !== null) execFileSync('npm', ['run', 'build', '--silent'], { stdio: 'inherit' });
