import { open } from "node:fs/promises";
import { threadId } from "node:worker_threads";

/** What a lock file says about its holder, read through one handle so content and inode agree. */
export interface LockOwner {
  /** null when the file is empty or garbled (its creator may still be writing the pid). */
  pid: number | null;
  threadId: number;
  raw: string;
  ino: number;
  ageMs: number;
}

/** An owner that wrote nothing for this long died between creating the file and writing its pid. */
const SILENT_OWNER_GRACE_MS = 2_000;

export const ownerLine = (): string => `${process.pid} ${threadId}\n`;

/** null when there is no lock file (it was released meanwhile). */
export async function readLockOwner(path: string): Promise<LockOwner | null> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, "r");
  } catch (thrown) {
    if ((thrown as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw thrown;
  }
  try {
    const stats = await handle.stat();
    const raw = await handle.readFile("utf8");
    const match = /^(\d+)(?: (\d+))?\n$/.exec(raw);
    return {
      pid: match ? Number(match[1]) : null,
      threadId: match?.[2] === undefined ? 0 : Number(match[2]),
      raw,
      ino: stats.ino,
      ageMs: Date.now() - stats.mtimeMs,
    };
  } finally {
    await handle.close();
  }
}

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (thrown) {
    // EPERM: it exists but belongs to another user — still alive.
    return (thrown as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Called only by a thread that is not holding the lock itself (the in-process queue guarantees
 * it), so a lock naming this very thread is a leftover: a crashed earlier process that had the same
 * pid (common in containers) or a release that failed. Another thread of this process is trusted.
 */
export function isStale(owner: LockOwner): boolean {
  if (owner.pid === null) return owner.ageMs > SILENT_OWNER_GRACE_MS;
  if (owner.pid === process.pid) return owner.threadId === threadId;
  return !isProcessAlive(owner.pid);
}
