// Real processes, real files. Each worker is a plain `node` process that runs this package's
// TypeScript sources through ../store/testdata/register-ts.mjs (a module hook that transpiles .ts
// with the repo's typescript devDependency), so these tests need no build and never run a stale dist/.
import { mkdtempSync, rmSync } from "node:fs";
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

let dir = "";
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "wsops-audit-procs-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("audit log across processes", () => {
  it("chains 4 processes × 500 concurrent appends into one unbroken log of 2000", async () => {
    const exits = await runTogether(worker, ["burst", dir, "500"], 4);
    expect(exits.map(({ code, signal, stderr }) => ({ code, signal, stderr }))).toEqual(
      Array(4).fill({ code: 0, signal: null, stderr: "" }),
    );

    const acknowledged = exits.flatMap((exit) => JSON.parse(exit.stdout) as number[]).sort((a, b) => a - b);
    const log = await openAuditLog(dir);
    const records = await log.read();
    const subjects = new Set(records.map((r) => r.subject));
    expect({ acknowledged, stored: records.map((r) => r.seq), writers: subjects.size }).toEqual({
      acknowledged: oneTo(2000),
      stored: oneTo(2000),
      writers: 4,
    });
    expect(await verifyAuditLog(dir)).toEqual({ ok: true, records: 2000, head: records[1999]?.hash });
  }, 120_000);

  it("keeps every acknowledged record, and a verifiable chain, when the writer is killed with SIGKILL", async () => {
    const appender = startWorker(worker, ["loop", dir]);
    await appender.ready;
    appender.go();
    while (appender.lines().length < 200) await new Promise((resolve) => setTimeout(resolve, 2));
    appender.child.kill("SIGKILL");
    const exit = await appender.exited;
    const acknowledged = appender.lines().map(Number);

    const reported: AuditRecovery[] = [];
    const log = await openAuditLog(dir, { onRecover: (recovery) => reported.push(recovery) });
    const seqs = (await log.read()).map((r) => r.seq);
    expect(exit.signal).toBe("SIGKILL");
    expect(acknowledged).toEqual(oneTo(acknowledged.length));
    expect(seqs).toEqual(oneTo(seqs.length));
    expect(seqs.length).toBeGreaterThanOrEqual(acknowledged.length); // nothing acknowledged lost
    expect(reported.length).toBeLessThanOrEqual(1); // a torn line and/or a lagging head, repaired once
    expect(await verifyAuditLog(dir)).toMatchObject({ ok: true, records: seqs.length });
    const next = await log.append("after_crash", "op-loop", {});
    expect(next.seq).toBe(seqs.length + 1);
    expect(await verifyAuditLog(dir)).toEqual({ ok: true, records: seqs.length + 1, head: next.hash });
  }, 60_000);
});
