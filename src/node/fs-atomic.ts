// Whole-file writes that leave either the old or the new content: temporary file, flush, rename.
// One copy for the CLI's project store, its lock and the Electron shell (which bundles it into main).
import { constants } from 'node:fs';
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Ending of the temporary files a write leaves behind when the process dies before the rename. */
export const TMP_SUFFIX = '.tmp';

/**
 * Creates `path` with `data`, flushed to disk before it is closed. Fails (EEXIST) when anything is
 * already there, a link included: nothing is ever written through a link.
 */
export async function writeNewFile(path: string, data: Uint8Array | string): Promise<void> {
  const fh = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * Replaces `path`, in a folder that exists, by way of a new temporary file renamed over it (rename
 * replaces a link itself, never the file it points to). `beforeRename` runs once the data is on disk;
 * if it or the rename fails, the temporary file is removed.
 */
export async function replaceFile(path: string, data: Uint8Array | string, beforeRename?: () => Promise<void>): Promise<void> {
  const tmp = `${path}.${process.pid}.${Date.now()}.${Math.random().toString(36).slice(2, 8)}${TMP_SUFFIX}`;
  await writeNewFile(tmp, data);
  try {
    await beforeRename?.();
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
}

/** replaceFile, creating the folders on the way. */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await replaceFile(path, data);
}
