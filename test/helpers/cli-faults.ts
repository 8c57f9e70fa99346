// Runs the built CLI with a simulated file-system fault (test/helpers/fs-faults.mjs).
import { spawnSync } from 'node:child_process';
import { built } from './dist.js';
import { fileURLToPath } from 'node:url';

const main = built('glassnet-cli', 'main.js');
const faults = fileURLToPath(new URL('./fs-faults.mjs', import.meta.url));

/** A simulated failure: calls `op` on paths containing `match` fail with `code`. */
export interface Fault {
  code: string;
  op: 'open' | 'write' | 'sync' | 'rename';
  match: string;
}

/** `glassnet ARGS` with `fault` injected and TMPDIR set to `tmp` (where fallback files go). */
export function glassnetWithFault(fault: Fault, tmp: string, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ['--import', faults, main, ...args], {
    encoding: 'utf8', timeout: 60_000, env: { ...process.env, NO_COLOR: '1', TMPDIR: tmp, GLASSNET_TEST_FAULT: JSON.stringify(fault) },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
