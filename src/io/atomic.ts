import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { lstat, open, readdir, realpath, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { GlassnetError } from '../errors.js';

/** Temporary files of writes in flight, so a signal handler can remove them before exiting. */
const inFlight = new Set<string>();
/** Directories and names already swept for stale temporary files in this process. */
const swept = new Set<string>();

/**
 * The GlassnetError for a failed file-system call: it names the path, what
 * was being done and the system's reason (`ENOSPC: no space left on device`).
 */
export function fileError(path: string, operation: string, error: unknown): GlassnetError {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  const reason = error instanceof Error ? error.message.replace(/^[A-Z]+: /, '').replace(/, \w+( '.*')?$/, '') : String(error);
  return new GlassnetError({
    code: 'io', argument: path, expected: `to ${operation}`, found: code === undefined ? reason : `${code} (${reason})`, cause: error,
  });
}

/**
 * Writes `data` to `path` so that a reader, or the file after a crash, sees
 * either the old content or the complete new one, never a part: the bytes
 * go to a temporary file `.NAME.PID.RANDOM.tmp` in the same directory (a
 * rename is only atomic within one file system), are flushed with fsync,
 * and the temporary file is then renamed over `path`. On any error the
 * temporary file is removed and `path` is untouched. `data` may be produced
 * piece by piece (an async iterable), so large output is never held whole.
 *
 * A `path` that is a symbolic link is written through: the file it points
 * to is replaced (atomically, in that file's directory) and the link stays.
 * A link to nothing is an error. Temporary files left by killed processes
 * (their PID no longer runs) next to the target are removed first.
 * @throws GlassnetError (code `io`) naming the path and the operation that failed.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array | AsyncIterable<string | Uint8Array>): Promise<void> {
  const target = await resolveTarget(path);
  const dir = dirname(target);
  await sweepStale(dir, basename(target));
  const temp = join(dir, `.${basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  let step = `create the temporary file ${temp}`;
  inFlight.add(temp);
  try {
    // 'wx' fails rather than follow or reuse a file already at that name.
    const handle = await open(temp, 'wx');
    try {
      step = `write the temporary file ${temp}`;
      if (typeof data === 'string' || data instanceof Uint8Array) await handle.writeFile(data);
      else for await (const piece of data) await (typeof piece === 'string' ? handle.write(piece) : handle.write(piece));
      step = `flush the temporary file ${temp} to disk`;
      await handle.sync();
    } finally {
      await handle.close();
    }
    step = `rename the temporary file ${temp} over it`;
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw fileError(path, step, error);
  } finally {
    inFlight.delete(temp);
  }
  await syncDirectory(dir);
}

/**
 * Removes the temporary files of writes still in flight; for signal
 * handlers, which must exit synchronously. The targets keep their old content.
 */
export function removeTempFilesSync(): void {
  for (const temp of inFlight) rmSync(temp, { force: true });
  inFlight.clear();
}

/** The file a write to `path` replaces: `path`, or where its symbolic link points. */
async function resolveTarget(path: string): Promise<string> {
  const link = await lstat(path).then((s) => s.isSymbolicLink(), () => false);
  if (!link) return path;
  try {
    return await realpath(path);
  } catch (error) {
    throw fileError(path, 'resolve the symbolic link (it points to nothing)', error);
  }
}

/**
 * Removes `.NAME.PID.*.tmp` files whose process no longer runs: a write
 * killed between creating and renaming its temporary file leaves one.
 * Best effort and once per target and process: a directory that cannot
 * be listed is not this write's failure.
 */
async function sweepStale(dir: string, name: string): Promise<void> {
  const key = join(dir, name);
  if (swept.has(key)) return;
  swept.add(key);
  const prefix = `.${name}.`;
  const names = await readdir(dir).catch((): string[] => []);
  for (const entry of names) {
    if (!entry.startsWith(prefix)) continue;
    const match = /^(\d+)\.[0-9a-f]{12}\.tmp$/.exec(entry.slice(prefix.length));
    if (match === null) continue;
    const pid = Number(match[1]);
    if (pid !== process.pid && !running(pid)) await rm(join(dir, entry), { force: true }).catch(() => undefined);
  }
}

/** Whether a process with this id exists (EPERM: it does, but belongs to someone else). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Makes the rename itself durable by flushing the directory entry. The new
 * content is already in place when this runs, so failure here (Windows
 * cannot open a directory; some file systems refuse fsync on one) is not
 * an error of the write.
 */
async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // See above: durability of the rename is best effort.
  }
}
