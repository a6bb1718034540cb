// The executor end to end in one process: real policy bundle, real store and audit log, real processes.
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type OperationLifecycleEvent, validate } from "@workspace-ops/contracts";
import { defaultBundleDir } from "@workspace-ops/policy";
import { openSqliteStore } from "@workspace-ops/store";
import { CloudEvent } from "cloudevents";
import { describe, expect, it } from "vitest";
import type { Mode } from "./context.js";
import { Executor, type ExecutorOptions } from "./executor.js";
import { agent, alice, execution, operation, profile, step, T0, toolCall } from "./testing/payloads.js";

const clock = () => new Date(T0);

async function open(mode: Mode = "governed", extra: Partial<ExecutorOptions> = {}) {
  const workspaceRoot = mkdtempSync(join(tmpdir(), "wsops-exec-"));
  writeFileSync(join(workspaceRoot, "notes.txt"), "hello\n");
  const events: OperationLifecycleEvent[] = [];
  const executor = await Executor.open({
    workspaceRoot,
    mode,
    now: clock,
    sandbox: { backend: "process" },
    // Every event the executor emits must be a CloudEvent the official SDK accepts (else it is missed here).
    sinks: [(e) => void (new CloudEvent({ ...e }, true).validate() && events.push(e))],
    ...extra,
  });
  return { executor, workspaceRoot, events, stateDir: executor.context.stateDir };
}

const finished = <T extends { kind: string }>(outcome: T) => {
  if (outcome.kind !== "finished") throw new Error(`expected finished, got ${JSON.stringify(outcome)}`);
  return outcome as Extract<T, { kind: "finished" }>;
};

describe("tool calls in governed mode", () => {
  it("runs an allowed read-only command and records a contract-valid result with every correlation id", async () => {
    const { executor, events, stateDir } = await open();
    const { result } = finished(await executor.exec(toolCall(["cat", "notes.txt"])));
    expect(validate("ToolExecutionResult", result).ok).toBe(true);
    expect(result).toMatchObject({
      outcome: "succeeded",
      exitCode: 0,
      mode: "governed",
      traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
      decisionId: expect.any(String),
      output: { stdout: { bytes: 6, preview: "hello\n", truncated: false } },
    });
    await executor.settleEvents();
    expect(events.map((e) => [e.type, e.data.state])).toEqual([
      ["dev.workspace-ops.operation.started", "running"],
      ["dev.workspace-ops.operation.completed", "succeeded"],
    ]);
    expect((await executor.records(result.toolExecutionId)).map((r) => r.type)).toEqual([
      "request",
      "analysis",
      "decision",
      "transition",
      "event",
      "transition",
      "event",
      "result",
    ]);
    expect(await executor.context.store.verifyAudit()).toMatchObject({ ok: true });
    expect(join(stateDir, "state.db")).toBe(executor.context.store.location);
    await executor.close();
  });

  it("analyses a shell string, records the analysis and the decision's classification, and runs it", async () => {
    const { executor } = await open();
    const request = toolCall(["bash", "-lc", "cat notes.txt | wc -l && pwd > /dev/null"]);
    const { result } = finished(await executor.exec(request));
    expect(result).toMatchObject({ outcome: "succeeded", output: { stdout: { preview: "1\n" } } });
    const records = await executor.records(request.toolExecutionId);
    const analysis = records.find((r) => r.type === "analysis")?.data;
    expect(validate("CommandAnalysis", analysis).ok).toBe(true);
    expect(analysis).toMatchObject({
      source: "argv",
      argv: request.tool.argv,
      operators: ["|", "&&"],
      parts: [
        { index: 0, program: "cat", argv: ["cat", "notes.txt"], via: ["bash -lc"] },
        { index: 1, program: "wc", argv: ["wc", "-l"] },
        { index: 2, program: "pwd", redirects: [{ op: ">", kind: "write", target: "/dev/null" }] },
      ],
    });
    expect(records.find((r) => r.type === "decision")?.data).toMatchObject({
      decision: "allow",
      classification: { class: "read_only", rule: "read_only", part: 0 },
    });
  });

  it("classifies every part of a shell string: a write redirection needs a grant, and nothing runs", async () => {
    const { executor, workspaceRoot } = await open();
    const request = toolCall(["bash", "-lc", "ls && echo pwned > notes.txt"]);
    const { result } = finished(await executor.exec(request));
    expect(result).toMatchObject({
      outcome: "denied",
      reasons: [
        {
          code: "grant_missing",
          message: "agent agent-coder-1 holds no grant for echo pwned",
          policy: "workspace_ops.rules.tool_risk",
        },
      ],
    });
    expect(readFileSync(join(workspaceRoot, "notes.txt"), "utf8")).toBe("hello\n");
    const status = await executor.status(request.toolExecutionId);
    expect(status?.decision).toMatchObject({
      classification: {
        class: "mutating",
        part: 1,
        rule: "grant_missing",
        parts: [
          { index: 0, program: "ls", class: "read_only" },
          {
            index: 1,
            program: "echo",
            class: "mutating",
            source: "redirect",
            entry: "redirects",
            token: ">notes.txt",
          },
        ],
      },
    });
  });

  it("persists the request verbatim", async () => {
    const { executor } = await open();
    const request = toolCall(["ls"]);
    await executor.exec(request);
    const [first] = await executor.records(request.toolExecutionId);
    expect(first).toMatchObject({ type: "request", data: { mode: "governed", request } });
    await executor.close();
  });

  it("records a command's failure with its exit code", async () => {
    const { executor } = await open();
    const { result } = finished(await executor.exec(toolCall(["cat", "missing.txt"])));
    expect(result).toMatchObject({ outcome: "failed", exitCode: 1 });
    expect(result.output?.stderr.preview).toContain("missing.txt");
    await executor.close();
  });

  it("denies a network command and runs nothing", async () => {
    const { executor, events } = await open();
    const { result } = finished(await executor.exec(toolCall(["curl", "https://example.com"])));
    expect(result).toMatchObject({ outcome: "denied", reasons: [{ code: "network_denied" }] });
    expect(result.output).toBeUndefined();
    await executor.settleEvents();
    expect(events.map((e) => [e.type, e.data])).toEqual([
      ["dev.workspace-ops.operation.failed", { state: "denied", reason: "network_denied" }],
    ]);
    await executor.close();
  });

  it("rejects an invalid request with its contract errors, and a duplicate id", async () => {
    const { executor } = await open();
    const bad = { ...toolCall(["ls"]), correlation: {} };
    expect(await executor.exec(bad)).toMatchObject({
      kind: "rejected",
      error: { code: "request_invalid" },
      errors: [{ pointer: "/correlation", keyword: "required" }],
    });
    const request = toolCall(["ls"]);
    await executor.exec(request);
    expect(await executor.exec(request)).toMatchObject({
      kind: "rejected",
      error: { code: "duplicate_request" },
    });
    await executor.close();
  });
});

describe("approvals", () => {
  it("parks a destructive call, refuses self-approval, runs it once another principal approves", async () => {
    const { executor, workspaceRoot } = await open();
    const pending = await executor.exec(toolCall(["rm", "notes.txt"]));
    expect(pending).toMatchObject({
      kind: "pending",
      result: { outcome: "approval_required", reasons: [{ code: "destructive_needs_approval" }] },
    });
    if (pending.kind !== "pending") throw new Error("not pending");
    expect(existsSync(join(workspaceRoot, "notes.txt"))).toBe(true);

    const self = await executor.approve(pending.approvalRequestId, agent);
    expect(self).toMatchObject({ ok: false, error: { code: "approval_refused" } });
    expect(!self.ok && self.reasons?.map((r) => r.code).sort()).toEqual([
      "approver_not_allowed",
      "self_approval",
    ]);

    expect(await executor.approve(pending.approvalRequestId, alice)).toMatchObject({
      ok: true,
      resolution: { resolution: "approved", resolvedBy: alice },
    });
    const resumed = finished(await executor.resume(pending.toolExecutionId));
    if (!("result" in resumed)) throw new Error("resume answered with an operation outcome");
    const { result } = resumed;
    expect(result).toMatchObject({
      outcome: "succeeded",
      approvalRequestId: pending.approvalRequestId,
      decisionId: expect.any(String),
      traceId: expect.any(String),
    });
    expect(existsSync(join(workspaceRoot, "notes.txt"))).toBe(false);
    expect(await executor.resume(pending.toolExecutionId)).toMatchObject({
      kind: "rejected",
      error: { code: "not_approved" },
    });
    await executor.close();
  });

  it("ends a denied approval with outcome denied, never running it", async () => {
    const { executor, workspaceRoot } = await open();
    const pending = await executor.exec(toolCall(["rm", "notes.txt"]));
    if (pending.kind !== "pending") throw new Error("not pending");
    const denied = await executor.deny(pending.approvalRequestId, alice, { comment: "not today" });
    expect(denied).toMatchObject({
      ok: true,
      result: { outcome: "denied", reasons: [{ code: "approval_denied" }] },
    });
    expect(existsSync(join(workspaceRoot, "notes.txt"))).toBe(true);
    expect(await executor.approve(pending.approvalRequestId, alice)).toMatchObject({
      ok: false,
      error: { code: "approval_not_pending" },
    });
    await executor.close();
  });

  it("ends an expired approval without running it", async () => {
    const { executor, workspaceRoot } = await open("governed", { approvalTtlSeconds: 0 });
    const outcome = await executor.exec(toolCall(["rm", "notes.txt"]), { wait: true, waitTimeoutMs: 5000 });
    expect(finished(outcome).result).toMatchObject({
      outcome: "denied",
      reasons: [{ code: "approval_expired" }],
      approvalRequestId: expect.any(String),
    });
    expect(existsSync(join(workspaceRoot, "notes.txt"))).toBe(true);
    await executor.close();
  });
});

describe("modes", () => {
  it("disabled: no decision, the command just runs and is recorded", async () => {
    const { executor } = await open("disabled");
    const { result } = finished(await executor.exec(toolCall(["curl", "--version"])));
    expect(result.mode).toBe("disabled");
    expect(result.decisionId).toBeUndefined();
    expect(["succeeded", "failed", "unavailable"]).toContain(result.outcome);
    await executor.close();
  });

  it("observe: a deny is recorded but the command still runs", async () => {
    const { executor, workspaceRoot } = await open("observe");
    const { result } = finished(await executor.exec(toolCall(["rm", "notes.txt"])));
    expect(result).toMatchObject({ mode: "observe", outcome: "succeeded", decisionId: expect.any(String) });
    expect(existsSync(join(workspaceRoot, "notes.txt"))).toBe(false);
    const decision = (await executor.records(result.toolExecutionId)).find((r) => r.type === "decision");
    expect(decision?.data).toMatchObject({ decision: "approval_required" });
    await executor.close();
  });

  it("observe: a policy failure is recorded and the command still runs", async () => {
    const { executor } = await open("observe", { bundleDir: join(tmpdir(), "no-such-bundle") });
    const { result } = finished(await executor.exec(toolCall(["ls"])));
    expect(result).toMatchObject({
      outcome: "succeeded",
      reasons: [{ code: "bundle_missing", policy: "executor" }],
    });
    await executor.close();
  });

  it.each([
    ["a missing bundle", "bundle_missing", () => join(tmpdir(), "no-such-bundle")],
    [
      "a tampered bundle",
      "bundle_tampered",
      () => {
        const dir = join(mkdtempSync(join(tmpdir(), "wsops-tampered-")), "b");
        cpSync(defaultBundleDir, dir, { recursive: true });
        writeFileSync(join(dir, "data.json"), "{}");
        return dir;
      },
    ],
  ])("governed: %s ends unavailable and nothing runs", async (_what, code, bundle) => {
    const { executor, workspaceRoot } = await open("governed", { bundleDir: bundle() });
    const { result } = finished(await executor.exec(toolCall(["touch", "created.txt"])));
    expect(result).toMatchObject({ outcome: "unavailable", reasons: [{ code, policy: "executor" }] });
    expect(existsSync(join(workspaceRoot, "created.txt"))).toBe(false);
    await executor.close();
  });

  it("records a change of mode once when several executors open at the same moment", async () => {
    const { workspaceRoot, stateDir, executor } = await open("governed");
    await executor.close();
    const opened = await Promise.all(
      Array.from({ length: 6 }, () => Executor.open({ workspaceRoot, mode: "observe", now: clock })),
    );
    await Promise.all(opened.map((e) => e.close()));
    const store = await openSqliteStore(join(stateDir, "state.db"));
    const changes = (await store.readAudit()).filter((r) => r.type === "mode_changed").map((r) => r.data);
    await store.close();
    expect(changes).toEqual([
      { from: null, to: "governed" },
      { from: "governed", to: "observe" },
    ]);
  });

  it("audits a change of mode, and only a change", async () => {
    const { workspaceRoot, stateDir, executor } = await open("governed");
    await executor.close();
    for (const mode of ["governed", "observe"] as const)
      await (await Executor.open({ workspaceRoot, mode, now: clock })).close();
    const store = await openSqliteStore(join(stateDir, "state.db"));
    const audit = await store.readAudit();
    await store.close();
    expect(audit.filter((r) => r.type === "mode_changed").map((r) => r.data)).toEqual([
      { from: null, to: "governed" },
      { from: "governed", to: "observe" },
    ]);
  });
});

describe("operations", () => {
  it("governance state changes decide later calls: a profile, a grant, then its revocation", async () => {
    const { executor, workspaceRoot } = await open();
    expect(await executor.exec(toolCall(["touch", "a.txt"]))).toMatchObject({
      kind: "finished",
      result: { outcome: "denied", reasons: [{ code: "grant_missing" }] },
    });

    expect(await executor.submit(operation("agent_machine.profile.create", profile()))).toMatchObject({
      kind: "finished",
      state: "succeeded",
    });
    const grant = {
      kind: "ToolGrantRecord",
      apiVersion: "workspace-ops.dev/v1",
      grantId: "grant-touch",
      tool: { kind: "shell", name: "touch", argvPattern: ["*"] },
      grantee: agent,
      grantor: alice,
      grantedAt: T0,
      expiresAt: "2026-11-21T20:00:00Z",
    };
    expect(await executor.submit(operation("agent_machine.tool_grant.apply", grant))).toMatchObject({
      kind: "finished",
      state: "succeeded",
    });
    expect(finished(await executor.exec(toolCall(["touch", "a.txt"]))).result.outcome).toBe("succeeded");
    expect(existsSync(join(workspaceRoot, "a.txt"))).toBe(true);

    const revocation = { ...grant, revokedAt: T0, revocationReason: "no longer needed" };
    expect(await executor.submit(operation("agent_machine.tool_grant.revoke", revocation))).toMatchObject({
      kind: "finished",
      state: "succeeded",
    });
    expect(finished(await executor.exec(toolCall(["touch", "b.txt"]))).result).toMatchObject({
      outcome: "denied",
      reasons: [{ code: "grant_revoked" }],
    });
    await executor.close();
  });

  it("execution.start runs its steps in order and emits progress", async () => {
    const { executor, events } = await open();
    await executor.submit(operation("agent_machine.profile.create", profile()));
    await executor.settleEvents();
    events.length = 0;
    const outcome = await executor.submit(
      operation(
        "agent_machine.execution.start",
        execution([step("one", ["ls"]), step("two", ["cat", "notes.txt"])]),
      ),
    );
    expect(outcome).toMatchObject({ kind: "finished", state: "succeeded", reasons: [] });
    await executor.settleEvents();
    expect(events.map((e) => [e.type.split(".").pop(), e.data.step ?? null])).toEqual([
      ["started", null],
      ["progress", "one"],
      ["progress", "two"],
      ["completed", null],
    ]);
    await executor.close();
  });

  it("enforces maxSteps and the wall clock while running (budget_exhausted)", async () => {
    const { executor } = await open();
    await executor.submit(operation("agent_machine.profile.create", profile()));
    const steps = operation(
      "agent_machine.execution.start",
      execution([step("a", ["ls"]), step("b", ["ls"])]),
      { budget: { maxWallClockSeconds: 600, maxSteps: 1 } },
    );
    // The policy denies a plan over maxSteps up front; observe mode lets it through so the runtime budget is what stops it.
    const observe = await Executor.open({
      workspaceRoot: executor.context.workspaceRoot,
      mode: "observe",
      now: clock,
      sandbox: { backend: "process" },
    });
    expect(await observe.submit(steps)).toMatchObject({
      state: "failed",
      reasons: [{ code: "budget_exhausted" }],
    });
    const slow = operation(
      "agent_machine.execution.start",
      execution([step("slow", ["tail", "-f", "notes.txt"], { timeoutSeconds: 60 })]),
      {
        budget: { maxWallClockSeconds: 1, maxSteps: 5 },
      },
    );
    expect(await observe.submit(slow)).toMatchObject({
      state: "failed",
      reasons: [{ code: "budget_exhausted" }],
    });
    await observe.close();
    await executor.close();
  });

  it("a step past its timeout ends timed_out", async () => {
    const { executor } = await open();
    await executor.submit(operation("agent_machine.profile.create", profile()));
    const outcome = await executor.submit(
      operation(
        "agent_machine.execution.start",
        execution([step("hang", ["tail", "-f", "notes.txt"], { timeoutSeconds: 1 })]),
      ),
    );
    expect(outcome).toMatchObject({ state: "timed_out", reasons: [{ code: "timeout" }] });
    await executor.close();
  });

  it("container.run ends unavailable when no container runtime can run containers", async () => {
    const { executor } = await open();
    await executor.submit(operation("agent_machine.profile.create", profile()));
    const container = JSON.parse(
      readFileSync(
        new URL("../../../examples/ContainerExecutionRecord/valid/pending-unit-tests.json", import.meta.url),
        "utf8",
      ),
    );
    const outcome = await executor.submit(operation("agent_machine.container.run", container));
    expect(outcome).toMatchObject({
      kind: "finished",
      state: "unavailable",
      reasons: [{ code: "container_runtime_unavailable" }],
    });
    await executor.close();
  });

  it("diagnostics.export_redacted writes a redacted, contract-valid bundle of the store", async () => {
    const { executor, stateDir } = await open();
    await executor.submit(operation("agent_machine.profile.create", profile()));
    await executor.exec(toolCall(["echo", "token=ghp_abcdefghijklmnopqrstuvwxyz0123456789"]));
    // What a store written before the write boundary redacted may hold: the export redacts it too.
    const older = await openSqliteStore(join(stateDir, "state.db"));
    await older.commit({
      appends: [
        {
          stream: "older-call",
          records: [{ type: "note", data: "token=ghp_zyxwvutsrqponmlkjihgfedcba9876543210" }],
          create: { kind: "reserved" },
        },
      ],
    });
    await older.close();
    const bundle = JSON.parse(
      readFileSync(
        new URL("../../../examples/AgentMachineDiagnosticBundle/valid/executor-logs.json", import.meta.url),
        "utf8",
      ),
    );
    const outcome = await executor.submit(operation("agent_machine.diagnostics.export_redacted", bundle));
    if (outcome.kind !== "finished") throw new Error(JSON.stringify(outcome));
    expect(outcome.state).toBe("succeeded");
    const exported = (await executor.records(outcome.operationId)).find((r) => r.type === "export")?.data as {
      path: string;
    };
    const written = JSON.parse(readFileSync(exported.path, "utf8"));
    expect(validate("AgentMachineDiagnosticBundle", written).ok).toBe(true);
    const text = JSON.stringify(written);
    expect(text).not.toContain("ghp_abcdefghijklmnopqrstuvwxyz0123456789");
    expect(text).not.toContain("ghp_zyxwvutsrqponmlkjihgfedcba9876543210");
    // The executor's own records were redacted when they were written; the older one by the export.
    expect(written.redaction.rules).toEqual([{ rule: "github-token", count: 1 }]);
    const paths = written.entries.map((e: { path: string }) => e.path);
    expect(paths[0]).toBe("audit.jsonl");
    expect(paths).toContain(`streams/${outcome.operationId}.jsonl`);
    expect(paths).toContain("streams/wsops.governance.jsonl");
    expect(exported.path.startsWith(join(stateDir, "exports"))).toBe(true);
    await executor.close();
  });

  it("prod execution needs approval; approved by another principal, then resumed", async () => {
    const { executor } = await open();
    await executor.submit(operation("agent_machine.profile.create", profile()));
    const pending = await executor.submit(
      operation("agent_machine.execution.start", execution([step("deploy", ["echo", "deploying"])], "prod")),
    );
    if (pending.kind !== "pending") throw new Error(JSON.stringify(pending));
    expect(await executor.approve(pending.approvalRequestId, alice)).toMatchObject({ ok: true });
    expect(await executor.resume(pending.operationId)).toMatchObject({
      kind: "finished",
      state: "succeeded",
    });
    await executor.close();
  });

  it("cancels an operation waiting for approval", async () => {
    const { executor } = await open();
    await executor.submit(operation("agent_machine.profile.create", profile()));
    const pending = await executor.submit(
      operation("agent_machine.execution.start", execution([step("deploy", ["echo", "x"])], "prod")),
    );
    if (pending.kind !== "pending") throw new Error("not pending");
    expect(await executor.cancel(pending.operationId, "changed my mind")).toEqual({
      ok: true,
      state: "cancelled",
    });
    expect(await executor.status(pending.operationId)).toMatchObject({ state: "cancelled" });
    expect(await executor.cancel(pending.operationId)).toMatchObject({
      ok: false,
      error: { code: "not_running" },
    });
    await executor.close();
  });
});
