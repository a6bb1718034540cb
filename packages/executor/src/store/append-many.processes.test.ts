// appendMany across real processes (see file-store.processes.test.ts for how the workers run).
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
const consecutive = (seqs: number[]) => seqs.every((seq, k) => seq === (seqs[0] ?? 0) + k);

let dir = "";
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "wsops-store-batch-procs-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("file store appendMany across processes", () => {
  it("numbers 4 processes × 100 concurrent batches of 5 to one stream 1..2000, each batch unbroken", async () => {
    const exits = await runTogether(worker, ["batches", dir, "shared", "100"], 4);
    expect(exits.map(({ code, signal, stderr }) => ({ code, signal, stderr }))).toEqual(
      Array(4).fill({ code: 0, signal: null, stderr: "" }),
    );

    const batches = exits.flatMap((exit) => JSON.parse(exit.stdout) as number[][]);
    const store = await openFileStore(dir);
    const records = await store.read("shared");
    expect({
      batches: batches.length,
      sizes: new Set(batches.map((b) => b.length)),
      unbroken: batches.every(consecutive),
      acknowledged: batches.flat().sort((a, b) => a - b),
      stored: records.map((r) => r.seq),
      recovered: store.recovered,
    }).toEqual({
      batches: 400,
      sizes: new Set([5]),
      unbroken: true,
      acknowledged: oneTo(2000),
      stored: oneTo(2000),
      recovered: [],
    });
    // Within a batch: one time, the records in the order given; each process's batches in its order.
    const data = records.map((r) => r.data as { pid: number; i: number; j: number });
    for (let k = 0; k < records.length; k += 5) {
      const batch = records.slice(k, k + 5);
      expect(new Set(batch.map((r) => r.at)).size).toBe(1);
      expect(data.slice(k, k + 5).map((d) => [d.pid, d.i, d.j])).toEqual(
        [0, 1, 2, 3, 4].map((j) => [data[k]?.pid, data[k]?.i, j]),
      );
    }
    const byWorker = new Map<number, number[]>();
    for (const { pid, i, j } of data) if (j === 0) byWorker.set(pid, [...(byWorker.get(pid) ?? []), i]);
    expect([...byWorker.values()]).toEqual(Array(4).fill(oneTo(100).map((i) => i - 1)));
  }, 120_000);

  it("keeps every acknowledged batch when the writer is killed with SIGKILL mid-stream", async () => {
    const appender = startWorker(worker, ["loop-batches", dir, "victim"]);
    await appender.ready;
    appender.go();
    while (appender.lines().length < 60) await new Promise((resolve) => setTimeout(resolve, 2));
    appender.child.kill("SIGKILL");
    const exit = await appender.exited;
    const acknowledged = appender.lines().map(Number);

    const reported: StreamRecovery[] = [];
    const store = await openFileStore(dir, { onRecover: (recovery) => reported.push(recovery) });
    const seqs = (await store.read("victim")).map((r) => r.seq);
    expect(exit.signal).toBe("SIGKILL");
    expect(acknowledged).toEqual(oneTo(acknowledged.length).map((n) => n * 5)); // sanity: the acks
    expect(seqs).toEqual(oneTo(seqs.length)); // consistent: 1..n, no gaps, no torn line left
    expect(seqs.length).toBeGreaterThanOrEqual(acknowledged.at(-1) ?? 0); // nothing acknowledged lost
    expect(reported.every((r) => r.stream === "victim" && r.droppedBytes > 0)).toBe(true);
    expect(reported.length).toBeLessThanOrEqual(1);
    const next = await store.appendMany("victim", [
      { type: "after", data: 1 },
      { type: "after", data: 2 },
    ]);
    expect(next.map((r) => r.seq)).toEqual([seqs.length + 1, seqs.length + 2]);
  }, 60_000);
});
