import { spawnSync } from 'node:child_process';
import { built } from './dist.js';

const main = built('glassnet-cli', 'main.js');

/** Runs the built `glassnet` command (npm test builds it first) and returns what it printed. */
export function glassnet(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [main, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
