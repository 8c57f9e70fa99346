// Shared by the fault suite: a directory whose entries must come out of a
// failed command byte for byte as they went in.
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';

/** Every entry of `dir` (not recursive): a file's bytes, or what a link points to, or the kind of anything else. */
export function snapshot(dir: string): Map<string, Buffer> {
  return new Map(readdirSync(dir).map((name) => {
    const path = join(dir, name);
    const stats = lstatSync(path);
    if (stats.isFile()) return [name, readFileSync(path)];
    return [name, Buffer.from(stats.isSymbolicLink() ? `link to ${readlinkSync(path)}` : stats.isDirectory() ? 'directory' : `mode ${stats.mode}`)];
  }));
}

/** `dir` holds exactly the entries of `before`, each byte-identical: nothing new, changed or removed. */
export function expectUnchanged(dir: string, before: Map<string, Buffer>): void {
  const after = snapshot(dir);
  expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
  for (const [name, bytes] of before) expect(after.get(name)!.equals(bytes), `${name} changed`).toBe(true);
}
