// appendMany across real processes (see audit-log.processes.test.ts for how the workers run).
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runTogether, startWorker } from "../store/testdata/run-worker.mjs";
import { openAuditLog } from "./audit-log.js";
import type { AuditRecovery } from "./types.js";
import { verifyAuditLog } from "./verify.js";

const worker = fileURLToPath(new URL("./testdata/audit-worker.mjs", import.meta.url));
const oneTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
const consecutive = (seqs: number[]) => seqs.every((seq, k) => seq === (seqs[0] ?? 0) + k);

let dir = "";
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "wsops-audit-batch-procs-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("audit log appendMany across processes", () => {
  it("chains 4 processes × 100 concurrent batches of 5 into one unbroken log of 2000", async () => {
    const exits = await runTogether(worker, ["batches", dir, "100"], 4);
    expect(exits.map(({ code, signal, stderr }) => ({ code, signal, stderr }))).toEqual(
      Array(4).fill({ code: 0, signal: null, stderr: "" }),
    );

    const batches = exits.flatMap((exit) => JSON.parse(exit.stdout) as number[][]);
    const log = await openAuditLog(dir);
    const records = await log.read();
    expect({
      batches: batches.length,
      unbroken: batches.every((b) => b.length === 5 && consecutive(b)),
      acknowledged: batches.flat().sort((a, b) => a - b),
      stored: records.map((r) => r.seq),
      writers: new Set(records.map((r) => r.subject)).size,
    }).toEqual({ batches: 400, unbroken: true, acknowledged: oneTo(2000), stored: oneTo(2000), writers: 4 });
    // A batch is one writer's five records, in order.
    for (let k = 0; k < records.length; k += 5) {
      const batch = records.slice(k, k + 5);
      expect(batch.map((r) => [r.subject, (r.data as { j: number }).j])).toEqual(
        [0, 1, 2, 3, 4].map((j) => [batch[0]?.subject, j]),
      );
    }
    expect(await verifyAuditLog(dir)).toEqual({ ok: true, records: 2000, head: records[1999]?.hash });
    expect(JSON.parse(readFileSync(join(dir, "audit.head.json"), "utf8"))).toEqual({
      seq: 2000,
      hash: records[1999]?.hash,
    });
  }, 120_000);

  it("keeps every acknowledged batch, and a verifiable chain, when the writer is killed with SIGKILL", async () => {
    const appender = startWorker(worker, ["loop-batches", dir]);
    await appender.ready;
    appender.go();
    while (appender.lines().length < 60) await new Promise((resolve) => setTimeout(resolve, 2));
    appender.child.kill("SIGKILL");
    const exit = await appender.exited;
    const acknowledged = appender.lines().map(Number);

    const reported: AuditRecovery[] = [];
    const log = await openAuditLog(dir, { onRecover: (recovery) => reported.push(recovery) });
    const seqs = (await log.read()).map((r) => r.seq);
    expect(exit.signal).toBe("SIGKILL");
    expect(acknowledged).toEqual(oneTo(acknowledged.length).map((n) => n * 5));
    expect(seqs).toEqual(oneTo(seqs.length));
    expect(seqs.length).toBeGreaterThanOrEqual(acknowledged.at(-1) ?? 0); // nothing acknowledged lost
    expect(reported.length).toBeLessThanOrEqual(1); // a torn line and/or a lagging head, repaired once
    expect(await verifyAuditLog(dir)).toMatchObject({ ok: true, records: seqs.length });
    const next = await log.appendMany([
      { type: "after_crash", subject: "op-loop", data: 1 },
      { type: "after_crash", subject: "op-loop", data: 2 },
    ]);
    expect(next.map((r) => r.seq)).toEqual([seqs.length + 1, seqs.length + 2]);
    expect(await verifyAuditLog(dir)).toEqual({ ok: true, records: seqs.length + 2, head: next[1]?.hash });
  }, 60_000);
});
