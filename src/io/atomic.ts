import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Writes `data` to `path` so that a reader, or the file after a crash, sees
 * either the old content or the complete new one, never a part: the bytes
 * go to a temporary file in the same directory (a rename is only atomic
 * within one file system), are flushed with fsync, and the temporary file
 * is then renamed over `path`. On any error the temporary file is removed
 * and the error rethrown; `path` is untouched. `data` may be produced
 * piece by piece (an async iterable), so large output is never held whole. Only a crash between
 * creating and renaming can leave a `.NAME.*.tmp` file behind.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array | AsyncIterable<string | Uint8Array>): Promise<void> {
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  // 'wx' fails rather than follow or reuse a file already at that name.
  const handle = await open(temp, 'wx');
  try {
    try {
      if (typeof data === 'string' || data instanceof Uint8Array) await handle.writeFile(data);
      else for await (const piece of data) await (typeof piece === 'string' ? handle.write(piece) : handle.write(piece));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  await syncDirectory(dir);
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
