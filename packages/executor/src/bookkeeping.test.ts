// How the executor makes its records durable: one store commit (one transaction) per phase of a call
// — request + decision + transition, then result + transition — each with its audit records, the
// first one only creating the stream, state changes as compare-and-set.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { OperationLifecycleEvent, ToolExecutionRequest } from "@workspace-ops/contracts";
import type { Batch } from "@workspace-ops/store";
import { CloudEvent } from "cloudevents";
import { describe, expect, it } from "vitest";
import { callDigest } from "./approval-reuse.js";
import { Executor } from "./executor.js";
import { alice, T0, toolCall } from "./testing/payloads.js";

async function open(workspaceRoot = mkdtempSync(join(tmpdir(), "wsops-book-")), options = {}) {
  writeFileSync(join(workspaceRoot, "notes.txt"), "hello\n");
  const events: OperationLifecycleEvent[] = [];
  const executor = await Executor.open({
    workspaceRoot,
    mode: "governed",
    now: () => new Date(T0),
    sandbox: { backend: "process" },
    // Every event the executor emits must be a CloudEvent the official SDK accepts (else it is missed here).
    sinks: [(e) => void (new CloudEvent({ ...e }, true).validate() && events.push(e))],
    ...options,
  });
  return { executor, workspaceRoot, events };
}

/** Wraps the executor's store to list every commit (its shape, not its data) and every read. */
function spy(executor: Executor) {
  const { store } = executor.context;
  const calls: unknown[] = [];
  const commit = store.commit.bind(store);
  const read = store.read.bind(store);
  store.commit = (batch: Batch) => {
    calls.push({
      appends: batch.appends?.map(({ stream, records, expectSeq, expectState, create, state }) => ({
        stream,
        types: records.map((r) => r.type),
        ...(expectSeq ? { expectSeq } : {}),
        ...(expectState ? { expectState } : {}),
        ...(create ? { create } : {}),
        ...(state ? { state } : {}),
      })),
      approvals: batch.approvals?.map((a) => a.op),
      audit: batch.audit?.map((a) => a.type),
    });
    return commit(batch);
  };
  store.read = (stream, options) => {
    calls.push(["read", stream, options?.afterSeq ?? 0]);
    return read(stream, options);
  };
  return calls;
}

describe("the executor's bookkeeping", () => {
  it("makes a governed exec durable in two commits, each with its audit records", async () => {
    const { executor, events } = await open();
    const request = toolCall(["ls"]);
    const id = request.toolExecutionId;
    const calls = spy(executor);
    const outcome = await executor.exec(request);
    expect(outcome).toMatchObject({ kind: "finished", result: { outcome: "succeeded" } });
    const before = ["request", "analysis", "decision", "transition", "event"];
    const after = ["transition", "event", "result"];
    // The cancel watcher looks at the call's stream while the command runs: leave its reads aside.
    expect(calls.filter((c) => !(Array.isArray(c) && c[1] === id))).toEqual([
      ["read", "wsops.governance", 0],
      {
        appends: [
          {
            stream: id,
            types: before,
            expectSeq: 1,
            create: { kind: "tool_execution", sessionId: "sess-1", actor: "agent:agent-coder-1" },
            state: "running",
          },
        ],
        approvals: [],
        audit: before,
      },
      {
        appends: [{ stream: id, types: after, expectState: "running", state: "succeeded" }],
        approvals: [],
        audit: after,
      },
    ]);
    const { store } = executor.context;
    expect((await executor.records(id)).map((r) => [r.seq, r.type])).toEqual(
      [...before, ...after].map((type, k) => [k + 1, type]),
    );
    const audited = (await store.readAudit()).filter((record) => record.subject === id);
    expect(audited.map((record) => record.type)).toEqual([...before, ...after]);
    // The audit log keeps the call digest an approval is bound to, never the request itself.
    expect(audited[0]?.data).toEqual({
      mode: "governed",
      kind: "ToolExecutionRequest",
      callDigest: callDigest(request as ToolExecutionRequest),
    });
    await executor.settleEvents();
    expect(events.map((e) => e.data.state)).toEqual(["running", "succeeded"]);
    expect(await store.stream(id)).toMatchObject({ kind: "tool_execution", state: "succeeded", lastSeq: 8 });
    expect(await store.verifyAudit()).toMatchObject({ ok: true });
    await executor.close();
  });

  it("folds governance once: a later decision reads only what was added since", async () => {
    const { executor } = await open();
    await executor.exec(toolCall(["ls"]));
    const calls = spy(executor);
    await executor.exec(toolCall(["ls"]));
    const governed = calls.filter((c) => Array.isArray(c) && c[1] === "wsops.governance");
    expect(governed).toEqual([["read", "wsops.governance", 0]]); // empty: nothing folded, nothing to skip
    await executor.close();
  });

  it("denies in one commit, with the request, and tells the sinks only after it", async () => {
    const seen: number[] = [];
    const request = toolCall(["curl", "https://example.com"]);
    const { executor } = await open(undefined, {
      sinks: [async () => void seen.push((await executor.records(request.toolExecutionId)).length)],
    });
    const calls = spy(executor);
    expect(await executor.exec(request)).toMatchObject({ result: { outcome: "denied" } });
    const records = ["request", "analysis", "decision", "transition", "result", "event"];
    expect(calls.filter((c) => !Array.isArray(c))).toEqual([
      {
        appends: [
          {
            stream: request.toolExecutionId,
            types: records,
            expectSeq: 1,
            create: { kind: "tool_execution", sessionId: "sess-1", actor: "agent:agent-coder-1" },
            state: "denied",
          },
        ],
        approvals: [],
        audit: records,
      },
    ]);
    await executor.settleEvents();
    expect(seen).toEqual([records.length]);
    await executor.close();
  });

  it("parks an approval in the same commit as the request, with its approvals row", async () => {
    const { executor } = await open();
    const calls = spy(executor);
    const pending = await executor.exec(toolCall(["rm", "notes.txt"]));
    if (pending.kind !== "pending") throw new Error(JSON.stringify(pending));
    expect(calls.filter((c) => !Array.isArray(c))).toEqual([
      {
        appends: [
          expect.objectContaining({
            types: ["request", "analysis", "decision", "approval_request", "transition"],
            state: "awaiting_approval",
          }),
        ],
        approvals: ["request"],
        audit: ["request", "analysis", "decision", "approval_request", "transition"],
      },
    ]);
    const { store } = executor.context;
    expect(await store.listApprovals({ state: "pending" })).toMatchObject([
      {
        approvalRequestId: pending.approvalRequestId,
        stream: pending.toolExecutionId,
        requestedBy: "agent:agent-coder-1",
      },
    ]);
    expect((await store.stream(pending.toolExecutionId))?.approvalRequestId).toBe(pending.approvalRequestId);
    await executor.approve(pending.approvalRequestId, alice);
    expect(await store.approval(pending.approvalRequestId)).toMatchObject({
      state: "approved",
      resolvedBy: "user:alice",
    });
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
    await Promise.all([first.executor.settleEvents(), second.executor.settleEvents()]);
    expect([...first.events, ...second.events].map((e) => e.data.state)).toEqual(["running", "succeeded"]);
    expect(await first.executor.context.store.verifyAudit()).toMatchObject({ ok: true });
    await first.executor.close();
    await second.executor.close();
  });

  it("lets only one of two approvers resolve an approval, and one of two resumers run it", async () => {
    const { executor, workspaceRoot } = await open();
    const other = await open(workspaceRoot);
    const pending = await executor.exec(toolCall(["rm", "notes.txt"]));
    if (pending.kind !== "pending") throw new Error(JSON.stringify(pending));
    const resolutions = await Promise.all([
      executor.approve(pending.approvalRequestId, alice),
      other.executor.deny(pending.approvalRequestId, { type: "user", id: "bob" }),
    ]);
    expect(resolutions.map((r) => r.ok).sort()).toEqual([false, true]);
    expect(resolutions.find((r) => !r.ok)).toMatchObject({ error: { code: "approval_not_pending" } });
    if (resolutions[0]?.ok) {
      const runs = await Promise.all([
        executor.resume(pending.toolExecutionId),
        other.executor.resume(pending.toolExecutionId),
      ]);
      expect(runs.filter((r) => r.kind === "finished")).toHaveLength(1);
    }
    expect(await executor.context.store.verifyAudit()).toMatchObject({ ok: true });
    await other.executor.close();
    await executor.close();
  });

  it("wakes a waiting exec when another executor approves, and a running one when it cancels", async () => {
    const { executor, workspaceRoot } = await open();
    const other = await open(workspaceRoot);
    const waiting = executor.exec(toolCall(["rm", "notes.txt"]), { wait: true, waitTimeoutMs: 20_000 });
    let approvalRequestId: string | undefined;
    while (!approvalRequestId) {
      approvalRequestId = (await other.executor.context.store.listApprovals({ state: "pending" }))[0]
        ?.approvalRequestId;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(await other.executor.approve(approvalRequestId, alice)).toMatchObject({ ok: true });
    expect(await waiting).toMatchObject({ kind: "finished", result: { outcome: "succeeded" } });

    const request = toolCall(["tail", "-f", "notes.txt"]);
    writeFileSync(join(workspaceRoot, "notes.txt"), "again\n");
    const running = executor.exec(request);
    while ((await other.executor.status(request.toolExecutionId))?.state !== "running")
      await new Promise((resolve) => setTimeout(resolve, 5));
    expect(await other.executor.cancel(request.toolExecutionId, "test over")).toEqual({
      ok: true,
      state: "cancelling",
    });
    expect(await running).toMatchObject({ kind: "finished", result: { outcome: "cancelled" } });
    expect((await executor.records(request.toolExecutionId)).map((r) => r.type)).toEqual([
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

  it("records the running process with its host, so another host never judges it by its pid", async () => {
    const { executor } = await open();
    const { result } = (await executor.exec(toolCall(["ls"]))) as { result: { toolExecutionId: string } };
    const running = (await executor.records(result.toolExecutionId)).find(
      (r) => r.type === "transition",
    )?.data;
    expect(running).toEqual({
      from: "pending",
      to: "running",
      pid: process.pid,
      host: (await import("node:os")).hostname(),
    });
    await executor.close();
  });
});
