// Fault suite, crashes: a process killed (SIGKILL, no handler runs) in the
// middle of atomic writes leaves the old file or the new one, never a
// mixture or a cut; its temporary file is removed by the next write.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../src/io/node.js';
import { built } from './helpers/dist.js';

const NODE_IO = built('glassnet', 'io/node.js');
const SIZE = 4 << 20;

describe('a process killed while writing', () => {
  it.each([5, 40, 120])('after %i ms leaves a whole old or new file', async (delay) => {
    const dir = mkdtempSync(join(tmpdir(), 'glassnet-kill-'));
    const target = join(dir, 'm.json');
    // Writes 4 MB of one letter, then of the next, forever.
    const script = `import { writeFileAtomic } from ${JSON.stringify(NODE_IO)};
      for (let i = 0; ; i++) await writeFileAtomic(${JSON.stringify(target)}, String.fromCharCode(97 + (i % 26)).repeat(${SIZE}));`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: 'ignore' });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    while (!existsSync(target)) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, delay));
    child.kill('SIGKILL');
    await exited;
    const text = readFileSync(target, 'utf8');
    expect(text.length).toBe(SIZE);
    expect(text).toBe(text[0]!.repeat(SIZE));
    await writeFileAtomic(target, 'next');
    expect(readdirSync(dir)).toEqual(['m.json']);
  });
});
