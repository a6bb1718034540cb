import { constants } from "node:fs";
import { type FileHandle, open } from "node:fs/promises";
import { dirname } from "node:path";
import { fsyncDirectory } from "./durable-fs.js";
import { StateError } from "./errors.js";

const { O_APPEND, O_CREAT, O_EXCL, O_RDWR } = constants;

/** Open for reading the tail and appending; a file this call creates is made durable in its directory. */
export async function openForAppend(path: string, fsync: boolean): Promise<FileHandle> {
  const existing = await openExisting(path);
  if (existing !== null) return existing;
  try {
    const created = await open(path, O_RDWR | O_APPEND | O_CREAT | O_EXCL);
    if (fsync) await fsyncDirectory(dirname(path));
    return created;
  } catch (thrown) {
    if ((thrown as NodeJS.ErrnoException).code === "EEXIST") return open(path, O_RDWR | O_APPEND);
    throw thrown;
  }
}

/** null when the file does not exist. */
export async function openExisting(path: string): Promise<FileHandle | null> {
  try {
    return await open(path, O_RDWR | O_APPEND);
  } catch (thrown) {
    if ((thrown as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw thrown;
  }
}

/**
 * Append whole lines — one record or a batch — in one write (looping only if the kernel writes
 * less), then one fsync. On failure the file is cut back to `sizeBefore`, so a failed append never
 * leaves half a line, nor a part of a batch.
 */
export async function appendLines(
  handle: FileHandle,
  sizeBefore: number,
  lines: string,
  fsync: boolean,
): Promise<void> {
  const bytes = Buffer.from(lines, "utf8");
  try {
    for (let written = 0; written < bytes.length; ) {
      const { bytesWritten } = await handle.write(bytes, written, bytes.length - written);
      written += bytesWritten;
    }
    if (fsync) await handle.sync();
  } catch (thrown) {
    await handle.truncate(sizeBefore).catch(() => undefined);
    throw new StateError("write_failed", `append failed: ${(thrown as Error).message}`, {
      cause: (thrown as NodeJS.ErrnoException).code ?? null,
    });
  }
}

/** Run `use` with a handle and always close it. */
export async function usingHandle<T>(
  handle: FileHandle,
  use: (handle: FileHandle) => Promise<T>,
): Promise<T> {
  try {
    return await use(handle);
  } finally {
    await handle.close();
  }
}
