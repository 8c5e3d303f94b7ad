import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync } from 'node:fs';
import { mkdir, open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * The one atomic file write: a temp file in the same folder, fsync, rename over the target, fsync the
 * folder (so the rename survives a power loss). Readers see the old file or the new one, never half; a
 * failure (full disk, kill) leaves the old file intact and removes the temp file. Used for documents,
 * images, thumbnails, styles, the model registry, LoRA files and the CLI's outputs.
 */

export interface AtomicWriteOptions {
  /** Create the folder first (default). Off where a missing folder should be reported, not made. */
  createFolder?: boolean;
  /** How the bytes reach the temp file (tests simulate a full disk here). */
  write?: (file: FileHandle, bytes: Uint8Array) => Promise<unknown>;
}

function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
}

export async function writeFileAtomic(path: string, bytes: Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  const dir = dirname(path);
  if (options.createFolder !== false) await mkdir(dir, { recursive: true });
  const tmp = tempPathFor(path);
  const write = options.write ?? ((file, data) => file.writeFile(data));
  let file: FileHandle | undefined;
  try {
    file = await open(tmp, 'wx');
    await write(file, bytes);
    await file.sync();
    await file.close();
    file = undefined;
    await rename(tmp, path);
  } catch (e) {
    await file?.close().catch(() => undefined);
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
  // Folders cannot be opened for sync on Windows; there the rename is as durable as the OS makes it.
  const folder = await open(dir, 'r').catch(() => undefined);
  await folder?.sync().catch(() => undefined);
  await folder?.close().catch(() => undefined);
}

/**
 * The same for synchronous callers: `fill(tmp)` writes the temp file (bytes, or a copy of another file),
 * then it is fsynced and renamed over `path`.
 */
export function replaceFileAtomicSync(path: string, fill: (tmp: string) => void): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  const tmp = tempPathFor(path);
  try {
    fill(tmp);
    const fd = openSync(tmp, 'r+');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Windows: folders cannot be opened for sync.
  }
}
