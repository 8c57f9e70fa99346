// The workspace's `glassnet` command: npm links node_modules/.bin/glassnet to
// the CLI package's launcher, a committed executable file, so the link exists
// from `npm ci` on and survives any rebuild (even after dist/ is removed).
import { spawnSync } from 'node:child_process';
import { realpathSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { requireFreshBuild } from './helpers/dist.js';

/** A module whose one function returns `f32x4.relaxed_madd` of three zero vectors: it validates where relaxed SIMD is on. */
const RELAXED_MADD = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, // type: () -> v128
  0x03, 0x02, 0x01, 0x00, // function 0 has type 0
  0x0a, 0x3d, 0x01, 0x3b, 0x00, // code: one body of 59 bytes, no locals
  ...[0, 1, 2].flatMap(() => [0xfd, 0x0c, ...new Array<number>(16).fill(0)]), // three v128.const 0
  0xfd, 0x85, 0x02, // f32x4.relaxed_madd (0xfd 261)
  0x0b, // end
]);

const LAUNCHER = fileURLToPath(new URL('../packages/glassnet-cli/bin/glassnet.js', import.meta.url));
const LINK = fileURLToPath(new URL('../node_modules/.bin/glassnet', import.meta.url));
const CLI_DIR = fileURLToPath(new URL('../packages/glassnet-cli/', import.meta.url));

/**
 * Runs the launcher itself (as `glassnet --version`) in a fresh process
 * that, as the process exits, asks the built wasm backend whether its GEMM
 * fuses multiply-adds: what the command's engine ended up with. From the
 * CLI package, where `glassnet` resolves as it does for the command.
 */
function engineOfTheCommand(env: NodeJS.ProcessEnv): boolean {
  const script = `import { createWasmBackend } from 'glassnet/backend';
process.on('exit', () => console.error('relaxedSimd=' + createWasmBackend().relaxedSimd));
process.argv = [process.execPath, ${JSON.stringify(LAUNCHER)}, '--version'];
await import(${JSON.stringify(LAUNCHER)});`;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', cwd: CLI_DIR, env });
  expect(run.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  const reported = /relaxedSimd=(true|false)/.exec(run.stderr);
  expect(reported, run.stderr).not.toBeNull();
  return reported![1] === 'true';
}

describe('the built command', () => {
  it('is what npx glassnet runs: the linked, executable launcher of the built CLI', () => {
    requireFreshBuild();
    expect(realpathSync(LINK)).toBe(LAUNCHER);
    expect(statSync(LAUNCHER).mode & 0o111).toBe(0o111);
    const run = spawnSync(LINK, ['--help'], { encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Usage: glassnet');
  });

  it('turns relaxed SIMD on where V8 has it behind a flag, so its GEMM fuses multiply-adds; GLASSNET_RELAXED_SIMD=0 keeps the default', () => {
    requireFreshBuild();
    const flagged = process.versions.v8.startsWith('11.3.');
    const engineDefault = WebAssembly.validate(RELAXED_MADD);
    if (flagged) expect(engineDefault).toBe(false);
    const { GLASSNET_RELAXED_SIMD: _, ...env } = process.env;
    expect(engineOfTheCommand(env)).toBe(flagged || engineDefault);
    expect(engineOfTheCommand({ ...env, GLASSNET_RELAXED_SIMD: '0' })).toBe(engineDefault);
  });
});
