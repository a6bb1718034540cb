import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { threadId } from "node:worker_threads";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { StateError } from "./errors.js";
import { withFileLock } from "./file-lock.js";

let dir = "";
let lockPath = "";
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "wsops-lock-"));
  lockPath = join(dir, "stream.lock");
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A pid that certainly belonged to a process which has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"]);
  return Number(child.stdout.toString());
}

async function lockError(task: Promise<unknown>): Promise<StateError> {
  const thrown = await task.then(
    () => null,
    (error: unknown) => error,
  );
  if (!(thrown instanceof StateError)) throw new Error(`expected a StateError, got ${String(thrown)}`);
  return thrown;
}

describe("withFileLock", () => {
  it("holds a pid lock file while the task runs and removes it afterwards", async () => {
    const seen = await withFileLock(lockPath, async () => readFileSync(lockPath, "utf8"));
    expect(seen).toBe(`${process.pid} ${threadId}\n`);
    expect(existsSync(lockPath)).toBe(false);
  });

  it("runs callers in this process one at a time, in order", async () => {
    let inside = 0;
    let most = 0;
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        withFileLock(lockPath, async () => {
          inside++;
          most = Math.max(most, inside);
          await sleep(1);
          order.push(i);
          inside--;
        }),
      ),
    );
    expect({ most, order }).toEqual({ most: 1, order: Array.from({ length: 20 }, (_, i) => i) });
  });

  it("releases the lock when the task throws", async () => {
    await expect(withFileLock(lockPath, async () => Promise.reject(new Error("boom")))).rejects.toThrow(
      "boom",
    );
    expect(existsSync(lockPath)).toBe(false);
    await expect(withFileLock(lockPath, async () => "next")).resolves.toBe("next");
  });

  it("takes over a lock whose holder process is dead", async () => {
    writeFileSync(lockPath, `${deadPid()} 0\n`);
    await expect(withFileLock(lockPath, async () => readFileSync(lockPath, "utf8"))).resolves.toBe(
      `${process.pid} ${threadId}\n`,
    );
  });

  it("takes over a lock naming this very thread (left by an earlier process that had our pid)", async () => {
    writeFileSync(lockPath, `${process.pid} ${threadId}\n`);
    await expect(withFileLock(lockPath, async () => "ran", { timeoutMs: 200 })).resolves.toBe("ran");
  });

  it("takes over an empty lock file once it is older than the grace period", async () => {
    writeFileSync(lockPath, "");
    const tenSecondsAgo = new Date(Date.now() - 10_000);
    utimesSync(lockPath, tenSecondsAgo, tenSecondsAgo);
    await expect(withFileLock(lockPath, async () => "ran", { timeoutMs: 200 })).resolves.toBe("ran");
  });

  it("waits for a fresh empty lock file: its holder may still be writing the pid", async () => {
    writeFileSync(lockPath, "");
    const error = await lockError(withFileLock(lockPath, async () => "ran", { timeoutMs: 100 }));
    expect({ code: error.code, message: error.message, details: error.details }).toEqual({
      code: "lock_timeout",
      message: `lock ${lockPath} is held by a holder that has not written its pid; gave up after 100 ms`,
      details: { lockPath, holderPid: null },
    });
  });

  it("fails with lock_timeout while a live process holds the lock, and leaves its lock alone", async () => {
    const livePid = process.ppid; // the test runner that started this worker
    writeFileSync(lockPath, `${livePid} 0\n`);
    let ran = false;
    const error = await lockError(
      withFileLock(
        lockPath,
        async () => {
          ran = true;
        },
        { timeoutMs: 150 },
      ),
    );
    expect({ code: error.code, message: error.message, details: error.details, ran }).toEqual({
      code: "lock_timeout",
      message: `lock ${lockPath} is held by pid ${livePid}; gave up after 150 ms`,
      details: { lockPath, holderPid: livePid },
      ran: false,
    });
    expect(readFileSync(lockPath, "utf8")).toBe(`${livePid} 0\n`);
  });

  it("acquires the lock as soon as a live holder releases it", async () => {
    writeFileSync(lockPath, `${process.ppid} 0\n`);
    setTimeout(() => rmSync(lockPath), 50);
    await expect(withFileLock(lockPath, async () => "ran", { timeoutMs: 5_000 })).resolves.toBe("ran");
  });

  it("treats a lock held by another thread of this process as live", async () => {
    writeFileSync(lockPath, `${process.pid} ${threadId + 1}\n`);
    const error = await lockError(withFileLock(lockPath, async () => "ran", { timeoutMs: 100 }));
    expect(error.code).toBe("lock_timeout");
  });
});
