// How the executor makes its records durable: one store append and one audit append per phase of a
// call, the request in the first of them (which only creates the stream), the cancel watcher idle
// for a command that ends quickly.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { OperationLifecycleEvent } from "@workspace-ops/contracts";
import { describe, expect, it } from "vitest";
import { verifyAuditLog } from "./audit/index.js";
import { Executor } from "./executor.js";
import { T0, toolCall } from "./testing/payloads.js";

async function open(workspaceRoot = mkdtempSync(join(tmpdir(), "wsops-book-"))) {
  writeFileSync(join(workspaceRoot, "notes.txt"), "hello\n");
  const events: OperationLifecycleEvent[] = [];
  const executor = await Executor.open({
    workspaceRoot,
    mode: "governed",
    now: () => new Date(T0),
    sandbox: { backend: "process" },
    sinks: [(e) => void events.push(e)],
  });
  return { executor, workspaceRoot, events, stateDir: join(workspaceRoot, ".wsops") };
}

/** Wraps the executor's store and audit log to list every call: [method, stream or subjects, types]. */
function spy(executor: Executor) {
  const { store, audit } = executor.context;
  const calls: unknown[][] = [];
  const appendMany = store.appendMany.bind(store);
  const append = store.append.bind(store);
  const read = store.read.bind(store);
  const auditMany = audit.appendMany.bind(audit);
  const auditOne = audit.append.bind(audit);
  store.appendMany = (stream, entries, options) => {
    calls.push(["store.appendMany", stream, entries.map((e) => e.type)]);
    return appendMany(stream, entries, options);
  };
  store.append = (stream, type, data) => {
    calls.push(["store.append", stream, [type]]);
    return append(stream, type, data);
  };
  store.read = (stream) => {
    calls.push(["store.read", stream]);
    return read(stream);
  };
  audit.appendMany = (entries) => {
    calls.push(["audit.appendMany", entries.map((e) => e.type)]);
    return auditMany(entries);
  };
  audit.append = (type, subject, data) => {
    calls.push(["audit.append", [type]]);
    return auditOne(type, subject, data);
  };
  return calls;
}

describe("the executor's bookkeeping", () => {
  it("makes a governed exec durable in two appends to its stream and two to the audit log", async () => {
    const { executor, events, stateDir } = await open();
    const calls = spy(executor);
    const request = toolCall(["ls"]);
    const outcome = await executor.exec(request);
    expect(outcome).toMatchObject({ kind: "finished", result: { outcome: "succeeded" } });
    const id = request.toolExecutionId;
    const before = ["request", "analysis", "decision", "transition", "event"];
    const after = ["transition", "event", "result"];
    // No read of the call's own stream: the duplicate check is the first append's expectSeq, and
    // the cancel watcher's first look comes 200 ms into the run (which, for ls, takes a few ms —
    // unless the machine is very busy, when a look is allowed).
    const runMs = outcome.kind === "finished" ? (outcome.result.durations.runMs ?? 0) : 0;
    const watcherReads = calls.filter((c) => c[0] === "store.read" && c[1] === id);
    if (runMs < 180) expect(watcherReads).toEqual([]);
    expect(calls.filter((c) => !watcherReads.includes(c))).toEqual([
      ["store.read", "wsops.governance"],
      ["store.appendMany", id, before],
      ["audit.appendMany", before],
      ["store.appendMany", id, after],
      ["audit.appendMany", after],
    ]);
    expect((await executor.records(id)).map((r) => [r.seq, r.type])).toEqual(
      [...before, ...after].map((type, k) => [k + 1, type]),
    );
    const audited = readFileSync(join(stateDir, "audit.jsonl"), "utf8")
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line) as { type: string; subject: string; data: unknown })
      .filter((record) => record.subject === id);
    expect(audited.map((record) => record.type)).toEqual([...before, ...after]);
    expect(audited[0]?.data).toEqual({ mode: "governed", kind: "ToolExecutionRequest" });
    expect(events.map((e) => e.data.state)).toEqual(["running", "succeeded"]);
    expect(await verifyAuditLog(stateDir)).toMatchObject({ ok: true });
    await executor.close();
  });

  it("denies in one append, with the request, and tells the sinks only after it", async () => {
    const { executor, stateDir } = await open();
    const calls = spy(executor);
    const seen: number[] = [];
    executor.context.sinks.push(async () => {
      seen.push((await executor.records(request.toolExecutionId)).length);
    });
    const request = toolCall(["curl", "https://example.com"]);
    expect(await executor.exec(request)).toMatchObject({ result: { outcome: "denied" } });
    const records = ["request", "analysis", "decision", "transition", "result", "event"];
    expect(calls.filter((c) => c[0] !== "store.read")).toEqual([
      ["store.appendMany", request.toolExecutionId, records],
      ["audit.appendMany", records],
    ]);
    expect(seen).toEqual([records.length]);
    expect(await verifyAuditLog(stateDir)).toMatchObject({ ok: true });
    await executor.close();
  });

  it("lets only one of two executors racing with the same id run it", async () => {
    const first = await open();
    const second = await open(first.workspaceRoot);
    const request = toolCall(["ls"]);
    const outcomes = await Promise.all([first.executor.exec(request), second.executor.exec(request)]);
    expect(outcomes.map((o) => o.kind).sort()).toEqual(["finished", "rejected"]);
    expect(outcomes.find((o) => o.kind === "rejected")).toMatchObject({
      error: { code: "duplicate_request" },
    });
    const records = await first.executor.records(request.toolExecutionId);
    expect(records.map((r) => r.type)).toEqual([
      "request",
      "analysis",
      "decision",
      "transition",
      "event",
      "transition",
      "event",
      "result",
    ]);
    expect([...first.events, ...second.events].map((e) => e.data.state)).toEqual(["running", "succeeded"]);
    expect(await verifyAuditLog(first.stateDir)).toMatchObject({ ok: true });
    await first.executor.close();
    await second.executor.close();
  });

  it("still sees a cancel request while the command runs, within a few polls", async () => {
    const { executor, workspaceRoot } = await open();
    const other = await open(workspaceRoot);
    const request = toolCall(["tail", "-f", "notes.txt"]);
    const running = executor.exec(request);
    const id = request.toolExecutionId;
    while ((await other.executor.status(id))?.state !== "running")
      await new Promise((resolve) => setTimeout(resolve, 10));
    const cancelledAt = Date.now();
    expect(await other.executor.cancel(id, "test over")).toEqual({ ok: true, state: "cancelling" });
    expect(await running).toMatchObject({ kind: "finished", result: { outcome: "cancelled" } });
    expect(Date.now() - cancelledAt).toBeLessThan(2_000);
    expect((await executor.records(id)).map((r) => r.type)).toEqual([
      "request",
      "analysis",
      "decision",
      "transition",
      "event",
      "cancel_requested",
      "transition",
      "event",
      "result",
    ]);
    await other.executor.close();
    await executor.close();
  });
});
