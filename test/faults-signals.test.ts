// Fault suite, pipes and signals: a reader that closes early does not crash
// a command or cut its file outputs short; SIGTERM is Ctrl-C.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadModel } from '../src/io/node.js';
import { glassnet } from './helpers/cli.js';
import { built } from './helpers/dist.js';

const MAIN = built('glassnet-cli', 'main.js');

/** Runs `glassnet ARGS | head -1` in bash; returns glassnet's own exit status, what head printed and glassnet's stderr. */
function pipedToHead(...args: string[]): { status: number; stdout: string; stderr: string } {
  const quoted = args.map((a) => `'${a}'`).join(' ');
  const run = spawnSync('bash', ['-c', `"${process.execPath}" "${MAIN}" ${quoted} 2>"$ERR" | head -1; echo "status \${PIPESTATUS[0]}"; cat "$ERR"`], {
    encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ERR: join(mkdtempSync(join(tmpdir(), 'glassnet-pipe-')), 'err') }, timeout: 60_000,
  });
  const [first, statusLine, ...rest] = run.stdout.split('\n');
  return { status: Number(/^status (\d+)$/.exec(statusLine!)![1]), stdout: first!, stderr: rest.join('\n').trim() };
}

describe('output piped into a reader that closes early', () => {
  it('train ends quietly and still writes the whole model', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'glassnet-faults-'));
    const run = pipedToHead('train', 'iris', '--epochs', '200', '--out', join(dir, 'm.json'));
    expect(run).toMatchObject({ status: 0, stderr: '' });
    expect(run.stdout).toMatch(/^iris: 150 rows/);
    expect((await loadModel(join(dir, 'm.json'))).training?.epochs).toBe(200);
  });

  it.each([[['explain', '--steps', '20']], [['explain', '--format', 'json']]])('%j ends quietly', (args) => {
    const run = pipedToHead(...args);
    expect(run).toMatchObject({ status: 0, stderr: '' });
  });

  it('predict ends quietly', () => {
    const dir = mkdtempSync(join(tmpdir(), 'glassnet-faults-'));
    expect(glassnet('train', 'xor:20000', '--epochs', '1', '--out', join(dir, 'm.json'), '--quiet').status).toBe(0);
    const run = pipedToHead('predict', join(dir, 'm.json'), 'xor:20000');
    expect(run).toMatchObject({ status: 0, stderr: '' });
    expect(run.stdout).toMatch(/^label,p_/);
  });
});

describe('SIGTERM is Ctrl-C', () => {
  it('stops training after the current batch, keeps an epoch-end checkpoint, exits 130, leaves no temporary file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'glassnet-faults-'));
    const child = spawn(process.execPath, [MAIN, 'train', 'iris', '--epochs', '20000', '--batch-size', '8', '--checkpoint', join(dir, 'ck.json'), '--out', join(dir, 'never.json')], {
      env: { ...process.env, NO_COLOR: '1' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // Off a terminal, progress is a line every 1,000 of these epochs: once one is out, snapshots of epoch ends exist.
    while (!/epoch +\d+\/20000/.test(stdout)) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGTERM');
    expect(await exited).toBe(130);
    const [, epoch, kept] = /^glassnet: interrupted at epoch (\d+), batch \d+; the checkpoint .*ck\.json holds epoch (\d+)$/.exec(stderr.trim())!;
    expect(Number(kept)).toBeGreaterThan(0);
    expect(Number(kept)).toBeLessThan(Number(epoch));
    expect((await loadModel(join(dir, 'ck.json'))).training?.epochs).toBe(Number(kept));
    expect(readdirSync(dir)).toEqual(['ck.json']);
  });
});
