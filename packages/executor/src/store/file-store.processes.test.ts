// Real processes, real files. Each worker is a plain `node` process that runs this package's
// TypeScript sources through testdata/register-ts.mjs (a module hook that transpiles .ts with the
// repo's typescript devDependency), so these tests need no build and can never run a stale dist/.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openFileStore } from "./file-store.js";
import { runTogether, startWorker } from "./testdata/run-worker.mjs";
import type { StreamRecovery } from "./types.js";

const worker = fileURLToPath(new URL("./testdata/store-worker.mjs", import.meta.url));
const oneTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

let dir = "";
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "wsops-store-procs-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("file store across processes", () => {
  it("numbers 4 processes × 500 concurrent appends to one stream 1..2000 with no gaps", async () => {
    const exits = await runTogether(worker, ["burst", dir, "shared", "500"], 4);
    expect(exits.map(({ code, signal, stderr }) => ({ code, signal, stderr }))).toEqual(
      Array(4).fill({ code: 0, signal: null, stderr: "" }),
    );

    const acknowledged = exits.flatMap((exit) => JSON.parse(exit.stdout) as number[]).sort((a, b) => a - b);
    const store = await openFileStore(dir);
    const records = await store.read("shared");
    expect({ acknowledged, stored: records.map((r) => r.seq), recovered: store.recovered }).toEqual({
      acknowledged: oneTo(2000),
      stored: oneTo(2000),
      recovered: [],
    });
    // Each process's own appends stay in its order, interleaved with the others'.
    const byWorker = new Map<number, number[]>();
    for (const { data } of records as { data: { pid: number; i: number } }[]) {
      byWorker.set(data.pid, [...(byWorker.get(data.pid) ?? []), data.i]);
    }
    expect([...byWorker.values()]).toEqual(Array(4).fill(oneTo(500).map((i) => i - 1)));
  }, 120_000);

  it("keeps every acknowledged append when the writer is killed with SIGKILL mid-stream", async () => {
    const appender = startWorker(worker, ["loop", dir, "victim"]);
    await appender.ready;
    appender.go();
    while (appender.lines().length < 200) await new Promise((resolve) => setTimeout(resolve, 2));
    appender.child.kill("SIGKILL");
    const exit = await appender.exited;
    const acknowledged = appender.lines().map(Number);

    const reported: StreamRecovery[] = [];
    const store = await openFileStore(dir, { onRecover: (recovery) => reported.push(recovery) });
    const seqs = (await store.read("victim")).map((r) => r.seq);
    expect(exit.signal).toBe("SIGKILL");
    expect(acknowledged).toEqual(oneTo(acknowledged.length)); // sanity: the acks themselves
    expect(seqs).toEqual(oneTo(seqs.length)); // consistent: 1..n, no gaps, no torn line left
    expect(seqs.length).toBeGreaterThanOrEqual(acknowledged.length); // nothing acknowledged lost
    expect(reported.every((r) => r.stream === "victim" && r.droppedBytes > 0)).toBe(true);
    expect(reported.length).toBeLessThanOrEqual(1);
    // The dead writer may have died holding the lock: it is taken over, and the sequence continues.
    expect((await store.append("victim", "after", {})).seq).toBe(seqs.length + 1);
  }, 60_000);
});
