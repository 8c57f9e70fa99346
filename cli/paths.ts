/**
 * The file paths of a command, checked before any data is read or any
 * training runs, so that a run is never lost to an output it cannot write.
 *
 * Symbolic links: an output that is a link is written through (the file it
 * points to is replaced atomically, the link stays; see writeFileAtomic),
 * so every check below applies to the link's target, and a link to nothing
 * is refused.
 */
import { constants, type Stats } from 'node:fs';
import { access, lstat, realpath, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError } from './flags.js';

/** A path as the command line gave it, and the flag or argument that gave it (`--out`, `DATA`). */
export interface NamedPath {
  flag: string;
  path: string;
}

/** The given ones of `[flag, path]` pairs (flags left out are undefined). */
export function named(pairs: readonly (readonly [string, string | undefined])[]): NamedPath[] {
  return pairs.flatMap(([flag, path]) => (path === undefined ? [] : [{ flag, path }]));
}

/** What a command reads and writes. */
export interface CommandPaths {
  /** Files read; names that are not files (built-in data sets) are skipped. */
  inputs: readonly NamedPath[];
  outputs: readonly NamedPath[];
  /** Output flags that may be the same file as an input flag: `--checkpoint` continuing its own `--resume` file. */
  mayReplace?: readonly (readonly [output: string, input: string])[];
}

/**
 * Refuses outputs that are existing directories, devices or other special
 * files, links to nothing, in a directory that does not exist or cannot be
 * written, the same file as an input (compared by device and inode, so
 * links and `./` spellings count) or as another output.
 * @throws UsageError naming the flag and the path.
 */
export async function checkPaths({ inputs, outputs, mayReplace = [] }: CommandPaths): Promise<void> {
  const read = (await Promise.all(inputs.map(async (input) => ({ ...input, stats: await stat(input.path).catch(() => null) }))))
    .filter((input): input is NamedPath & { stats: Stats } => input.stats !== null && input.stats.isFile());
  const seen: { flag: string; where: string }[] = [];
  for (const output of outputs) {
    const fail = (expected: string, found: string): never => {
      throw new UsageError({ code: 'state', argument: output.flag, expected, found: `${JSON.stringify(output.path)}: ${found}` });
    };
    if (output.path === '') fail('a file name', 'an empty path');
    const target = await resolveLink(output.path, fail);
    const stats = await stat(target).catch(() => null);
    if (stats !== null && stats.isDirectory()) fail('a file to write', 'an existing directory');
    if (stats !== null && !stats.isFile()) fail('a regular file to write', `a ${kind(stats)}`);
    const dir = dirname(target);
    const dirStats = await stat(dir).catch(() => null);
    if (dirStats === null || !dirStats.isDirectory()) fail('a file in an existing directory', `no directory ${JSON.stringify(dir)}`);
    if (!(await access(dir, constants.W_OK).then(() => true, () => false))) fail('a file in a writable directory', `${JSON.stringify(dir)} cannot be written`);
    if (stats !== null) {
      for (const input of read) {
        if (input.stats.dev !== stats.dev || input.stats.ino !== stats.ino) continue;
        if (mayReplace.some(([o, i]) => o === output.flag && i === input.flag)) continue;
        fail(`a file other than ${input.flag}`, `the same file as ${input.flag} ${JSON.stringify(input.path)}, which would be overwritten`);
      }
    }
    const where = join(await realpath(dir), basename(target));
    const twin = seen.find((other) => other.where === where);
    if (twin !== undefined) fail(`a file other than ${twin.flag}`, `the same file as ${twin.flag}`);
    seen.push({ flag: output.flag, where });
  }
}

/** The file `path` names: itself, or the target of its symbolic link. */
async function resolveLink(path: string, fail: (expected: string, found: string) => never): Promise<string> {
  const link = await lstat(path).then((s) => s.isSymbolicLink(), () => false);
  if (!link) return resolve(path);
  return realpath(path).catch(() => fail('a file, or a symbolic link to one', 'a symbolic link to nothing'));
}

function kind(stats: Stats): string {
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'device file';
  if (stats.isFIFO()) return 'named pipe';
  if (stats.isSocket()) return 'socket';
  return 'special file';
}
