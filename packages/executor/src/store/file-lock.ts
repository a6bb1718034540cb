import { open, unlink } from "node:fs/promises";
import { resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { StateError } from "./errors.js";
import { KeyedQueue } from "./keyed-queue.js";
import { isStale, type LockOwner, ownerLine, readLockOwner } from "./lock-owner.js";

export interface LockOptions {
  /** How long to wait for a live holder before failing with `lock_timeout`. */
  timeoutMs?: number;
}

export const DEFAULT_LOCK_TIMEOUT_MS = 10_000;

/** Callers in this process queue here first, so only one of them at a time polls the lock file. */
const inProcess = new KeyedQueue();

/**
 * Run `task` while holding a cross-process lock: `lockPath` created with O_EXCL and holding the
 * holder's pid. A holder that died is detected by its pid and its lock is taken over.
 */
export function withFileLock<T>(
  lockPath: string,
  task: () => Promise<T>,
  options: LockOptions = {},
): Promise<T> {
  const path = resolve(lockPath);
  return inProcess.run(path, async () => {
    await acquire(path, options.timeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS);
    try {
      return await task();
    } finally {
      await removeIfPresent(path);
    }
  });
}

async function acquire(path: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; ; attempt++) {
    if (await tryCreate(path)) return;
    const owner = await readLockOwner(path);
    if (owner === null) continue; // released between our two calls: try again at once
    if (isStale(owner) && (await breakStaleLock(path, owner))) continue;
    if (Date.now() >= deadline) throw lockTimeout(path, owner, timeoutMs);
    await sleep(backoffMs(attempt));
  }
}

/** Short at first (holders keep the lock for one write), capped, jittered so waiters spread out. */
const backoffMs = (attempt: number): number => Math.min(2 ** attempt, 20) * (0.5 + Math.random());

async function tryCreate(path: string): Promise<boolean> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, "wx");
  } catch (thrown) {
    if ((thrown as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw thrown;
  }
  try {
    await handle.writeFile(ownerLine());
  } catch (thrown) {
    await handle.close();
    await removeIfPresent(path);
    throw thrown;
  }
  await handle.close();
  return true;
}

/**
 * Remove a dead holder's lock. Two waiters may both see it dead; a short-lived guard file lets only
 * one of them remove it, and only if it is still the same file (inode and content), so a lock
 * freshly taken by someone else is never removed.
 */
async function breakStaleLock(path: string, stale: LockOwner): Promise<boolean> {
  const guard = `${path}.break`;
  if (!(await tryCreate(guard))) {
    const guardOwner = await readLockOwner(guard);
    if (guardOwner !== null && isStale(guardOwner)) await removeIfPresent(guard);
    return false;
  }
  try {
    const current = await readLockOwner(path);
    if (current === null) return true;
    if (current.ino !== stale.ino || current.raw !== stale.raw) return false;
    await removeIfPresent(path);
    return true;
  } finally {
    await removeIfPresent(guard);
  }
}

async function removeIfPresent(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (thrown) {
    if ((thrown as NodeJS.ErrnoException).code !== "ENOENT") throw thrown;
  }
}

function lockTimeout(path: string, owner: LockOwner, timeoutMs: number): StateError {
  const holder = owner.pid === null ? "a holder that has not written its pid" : `pid ${owner.pid}`;
  return new StateError("lock_timeout", `lock ${path} is held by ${holder}; gave up after ${timeoutMs} ms`, {
    lockPath: path,
    holderPid: owner.pid,
  });
}
