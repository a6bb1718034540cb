// Decisions for agent runtimes (executor.decide, recordOutcome): the real bundle, store and files.
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { validate } from "@workspace-ops/contracts";
import { describe, expect, it } from "vitest";
import type { Mode } from "./context.js";
import type { DecideOutcome } from "./decide-call.js";
import { Executor, type ExecutorOptions } from "./executor.js";
import { agent, alice, fileCall, operation, profile, toolCall, webCall } from "./testing/payloads.js";

const now = Date.parse("2026-11-21T12:00:00Z");
const clock = () => new Date(now);

async function open(mode: Mode = "governed", extra: Partial<ExecutorOptions> = {}) {
  const workspaceRoot = mkdtempSync(join(tmpdir(), "wsops-decide-"));
  writeFileSync(join(workspaceRoot, "notes.txt"), "hello\n");
  const executor = await Executor.open({
    workspaceRoot,
    mode,
    now: clock,
    sandbox: { backend: "process" },
    ...extra,
  });
  return { executor, workspaceRoot };
}

const decided = (outcome: DecideOutcome) => {
  if (outcome.kind !== "decided") throw new Error(`expected a decision, got ${JSON.stringify(outcome)}`);
  return outcome;
};

const runtime = { runtime: "claude-code" };

describe("decisions for agent runtimes", () => {
  it("allows a Read inside the workspace, hands the call to the runtime and records how it ended", async () => {
    const { executor, workspaceRoot } = await open();
    const call = fileCall("Read", "read", [join(workspaceRoot, "notes.txt")]);
    const answer = decided(await executor.decide(call, runtime));
    expect(answer).toMatchObject({ verdict: "allow", enforced: true, mode: "governed", reasons: [] });
    expect(answer.decision?.decision).toBe("allow");
    const id = call.toolExecutionId;
    expect((await executor.status(id))?.state).toBe("running");
    expect((await executor.records(id)).map((r) => r.type)).toEqual([
      "request",
      "target",
      "decision",
      "transition",
    ]);
    const recorded = await executor.recordOutcome(id, {
      outcome: "succeeded",
      output: '{"file":{"content":"GITHUB_TOKEN=ghp_abcdefghijklmnopqrstuvwxyz0123456789"}}',
    });
    expect(recorded).toMatchObject({ ok: true, state: "succeeded" });
    const result = recorded.ok ? recorded.result : undefined;
    expect(validate("ToolExecutionResult", result).ok).toBe(true);
    expect(result?.output?.stdout.preview).toBe(
      '{"file":{"content":"GITHUB_TOKEN=[REDACTED:github-token]"}}',
    );
    expect(result?.decisionId).toBe(answer.decision?.decisionId);
    expect((await executor.status(id))?.state).toBe("succeeded");
    // A second report changes nothing but the audit log.
    expect(await executor.recordOutcome(id, { outcome: "failed" })).toEqual({
      ok: true,
      toolExecutionId: id,
      state: "succeeded",
    });
  });

  it("denies a write outside the workspace, one through a symlink that leads out, and a read of the state", async () => {
    const { executor, workspaceRoot } = await open();
    symlinkSync(join(homedir(), ".wsops-test-never-created", "rc"), join(workspaceRoot, "dangling"));
    const reasons = async (call: ReturnType<typeof fileCall>) => {
      const answer = decided(await executor.decide(call, runtime));
      expect(answer.verdict).toBe("deny");
      expect((await executor.status(call.toolExecutionId))?.state).toBe("denied");
      return answer.reasons.map((r) => r.code);
    };
    expect(await reasons(fileCall("Write", "write", [join(tmpdir(), "elsewhere.txt")]))).toEqual([
      "file_write_outside_workspace",
    ]);
    expect(await reasons(fileCall("Write", "write", [join(workspaceRoot, "dangling")]))).toEqual([
      "file_write_outside_workspace",
    ]);
    const state = join(executor.context.stateDir, "state.db");
    expect(await reasons(fileCall("Read", "read", [state]))).toEqual(["file_state_denied"]);
  });

  it("decides a Bash command through its analysis, and a web fetch by the network", async () => {
    const { executor } = await open();
    const ls = toolCall(["bash", "-c", "ls -la && cat notes.txt"]);
    expect(decided(await executor.decide(ls, runtime)).verdict).toBe("allow");
    expect((await executor.records(ls.toolExecutionId)).map((r) => r.type)).toContain("analysis");
    const rm = toolCall(["bash", "-c", "rm -rf build"]);
    expect(decided(await executor.decide(rm, runtime))).toMatchObject({
      verdict: "approval_required",
      approval: { state: "pending", toolExecutionId: rm.toolExecutionId },
    });
    const fetch = decided(
      await executor.decide(webCall("WebFetch", "fetch", "https://example.com/"), runtime),
    );
    expect(fetch).toMatchObject({ verdict: "deny", reasons: [{ code: "web_network_denied" }] });
  });

  it("binds an approval to the exact call: one pending approval, then the approved call passes once", async () => {
    const { executor } = await open();
    const outside = () => fileCall("Read", "read", ["/etc/hostname"]);
    const first = decided(await executor.decide(outside(), runtime));
    expect(first).toMatchObject({ verdict: "approval_required", approval: { state: "pending" } });
    const apr = first.approval?.approvalRequestId as string;
    // Retried before anyone approved: the same approval, no second one.
    const early = outside();
    expect(decided(await executor.decide(early, runtime))).toMatchObject({
      verdict: "approval_required",
      approval: { approvalRequestId: apr, state: "pending", toolExecutionId: first.toolExecutionId },
    });
    expect((await executor.status(early.toolExecutionId))?.state).toBe("denied");
    expect((await executor.approvals({ pending: true })).map((a) => a.approvalRequestId)).toEqual([apr]);
    // Another call (another path) is not covered by it.
    expect((await executor.approve(apr, alice)).ok).toBe(true);
    const other = decided(await executor.decide(fileCall("Read", "read", ["/etc/hosts"]), runtime));
    expect(other.verdict).toBe("approval_required");
    expect(other.approval?.approvalRequestId).not.toBe(apr);

    const retry = outside();
    expect(decided(await executor.decide(retry, runtime))).toMatchObject({
      verdict: "allow",
      approval: { approvalRequestId: apr, state: "used", toolExecutionId: first.toolExecutionId },
    });
    expect((await executor.status(first.toolExecutionId))?.state).toBe("running");
    // The retry ends, and the approved call with it.
    await executor.recordOutcome(retry.toolExecutionId, { outcome: "succeeded", output: "host\n" });
    const original = await executor.status(first.toolExecutionId);
    expect(original?.state).toBe("succeeded");
    expect(original?.result).toMatchObject({
      toolExecutionId: first.toolExecutionId,
      outcome: "succeeded",
      reasons: [
        {
          code: "ran_as",
          message: `approved, then run as ${retry.toolExecutionId} (the same call, retried)`,
        },
      ],
    });
    // Once: the next identical call needs a new approval.
    const again = decided(await executor.decide(outside(), runtime));
    expect(again.verdict).toBe("approval_required");
    expect(again.approval?.approvalRequestId).not.toBe(apr);
    const listed = (await executor.approvals()).find((a) => a.approvalRequestId === apr);
    expect(listed).toMatchObject({
      state: "approved",
      usedBy: retry.toolExecutionId,
      command: "Read (read) /etc/hostname",
      decidedFor: "claude-code",
      commands: { approve: `wsops approve ${apr} --by user:NAME`, deny: `wsops deny ${apr} --by user:NAME` },
    });
  });

  it("lets only one of two retries at once use an approval", async () => {
    const { executor } = await open();
    const call = () => fileCall("Read", "read", ["/etc/hostname"]);
    const first = decided(await executor.decide(call(), runtime));
    await executor.approve(first.approval?.approvalRequestId as string, alice);
    const [a, b] = await Promise.all([executor.decide(call(), runtime), executor.decide(call(), runtime)]);
    expect([decided(a).verdict, decided(b).verdict].sort()).toEqual(["allow", "approval_required"]);
  });

  it("answers ask when the profile leaves approvals to the runtime's prompt", async () => {
    const { executor } = await open();
    const created = await executor.submit(
      operation("agent_machine.profile.create", profile({ approvalPrompt: "runtime" })),
    );
    expect(created).toMatchObject({ kind: "finished", state: "succeeded" });
    const call = fileCall("Read", "read", ["/etc/hostname"]);
    expect(decided(await executor.decide(call, runtime))).toMatchObject({ verdict: "ask" });
    expect((await executor.status(call.toolExecutionId))?.state).toBe("running");
    expect(await executor.approvals()).toEqual([]);
  });

  it("in observe mode records a deny and allows; a policy that cannot load denies only when governed", async () => {
    const observed = await open("observe");
    const write = decided(
      await observed.executor.decide(fileCall("Write", "write", ["/etc/wsops-test"]), runtime),
    );
    expect(write).toMatchObject({ verdict: "allow", enforced: false, decision: { decision: "deny" } });
    const empty = mkdtempSync(join(tmpdir(), "wsops-no-bundle-"));
    for (const mode of ["governed", "observe"] as const) {
      const { executor, workspaceRoot } = await open(mode, { bundleDir: empty });
      const call = fileCall("Read", "read", [join(workspaceRoot, "notes.txt")]);
      const answer = decided(await executor.decide(call, runtime));
      expect(answer).toMatchObject({
        verdict: mode === "governed" ? "deny" : "allow",
        failure: { code: "bundle_missing" },
      });
      expect((await executor.status(call.toolExecutionId))?.state).toBe(
        mode === "governed" ? "unavailable" : "running",
      );
    }
  });

  it("gives the same answer to the same request sent twice, and refuses another call under its id", async () => {
    const { executor } = await open();
    const call = fileCall("Read", "read", ["/etc/hostname"]);
    const first = decided(await executor.decide(call, runtime));
    const second = decided(await executor.decide(call, runtime));
    expect(second).toMatchObject({ verdict: first.verdict, replayed: true, approval: first.approval });
    const other = { ...fileCall("Read", "read", ["/etc/hosts"]), toolExecutionId: call.toolExecutionId };
    expect(await executor.decide(other, runtime)).toMatchObject({
      kind: "rejected",
      error: { code: "duplicate_request" },
    });
  });

  it("knows a call by its approval id, and refuses to resume a call decided for a runtime", async () => {
    const { executor } = await open();
    const call = fileCall("Read", "read", ["/etc/hostname"]);
    const apr = decided(await executor.decide(call, runtime)).approval?.approvalRequestId as string;
    expect((await executor.status(apr))?.id).toBe(call.toolExecutionId);
    expect((await executor.records(apr))[0]?.type).toBe("request");
    await executor.approve(apr, alice);
    expect(await executor.resume(call.toolExecutionId)).toMatchObject({
      kind: "rejected",
      error: { code: "decided_for_runtime" },
    });
  });
});

describe("exec", () => {
  it("passes standard input to the command", async () => {
    const { executor } = await open("governed", { stdin: Readable.from(["hello\n", "world\n", "hello\n"]) });
    const outcome = await executor.exec(toolCall(["grep", "-c", "hello"]));
    expect(outcome).toMatchObject({ kind: "finished", result: { outcome: "succeeded" } });
    expect(outcome.kind === "finished" && outcome.result.output?.stdout.preview).toBe("2\n");
  });

  it("tells who waits for an approval at once, and a retry of an approved call runs it once", async () => {
    const { executor, workspaceRoot } = await open();
    mkdirSync(join(workspaceRoot, "build"));
    const pending: string[] = [];
    const first = await executor.exec(toolCall(["rm", "-rf", "build"]), {
      wait: true,
      waitTimeoutMs: 50,
      onPending: (p) => pending.push(p.approvalRequestId),
    });
    expect(first.kind).toBe("pending");
    expect(pending).toEqual([first.kind === "pending" ? first.approvalRequestId : ""]);
    await executor.approve(pending[0] as string, alice);
    const retry = toolCall(["rm", "-rf", "build"]);
    const ran = await executor.exec(retry);
    expect(ran).toMatchObject({
      kind: "finished",
      result: { outcome: "succeeded", approvalRequestId: pending[0] },
    });
    const original = first.kind === "pending" ? first.toolExecutionId : "";
    expect((await executor.status(original))?.state).toBe("succeeded");
    expect(await executor.resume(original)).toMatchObject({
      kind: "rejected",
      error: { code: "not_approved" },
    });
  });

  it("ends an allowed MCP call unavailable when no server is configured, and a file tool it does not run", async () => {
    const { executor } = await open();
    const created = await executor.submit(operation("agent_machine.profile.create", profile()));
    expect(created.kind).toBe("finished");
    const grant = {
      kind: "ToolGrantRecord",
      apiVersion: "workspace-ops.dev/v1",
      grantId: "grant-gh",
      tool: { kind: "mcp", name: "github/list_issues" },
      grantee: agent,
      grantor: alice,
      grantedAt: "2026-11-21T11:00:00Z",
      expiresAt: "2026-11-22T11:00:00Z",
    };
    await executor.submit(operation("agent_machine.tool_grant.apply", grant));
    const mcp = {
      ...toolCall(["x"]),
      tool: { kind: "mcp", name: "list_issues", server: "github", sanitizedArgs: {} },
    };
    expect(await executor.exec(mcp)).toMatchObject({
      kind: "finished",
      result: { outcome: "unavailable", reasons: [{ code: "mcp_not_executed" }] },
    });
    const read = await executor.exec(
      fileCall("Read", "read", [join(executor.context.workspaceRoot, "notes.txt")]),
    );
    expect(read).toMatchObject({
      kind: "finished",
      result: { outcome: "unavailable", reasons: [{ code: "tool_not_executed" }] },
    });
  });
});

describe("grants", () => {
  it("grants a command to an agent under the invoking user's delegation, and revokes it", async () => {
    const { executor } = await open();
    await executor.submit(operation("agent_machine.profile.create", profile()));
    const commit = () => toolCall(["git", "commit", "-m", "wip"]);
    expect(await executor.exec(commit())).toMatchObject({
      result: { outcome: "denied", reasons: [{ code: "grant_missing" }] },
    });
    const { grant, outcome } = await executor.grant({
      to: agent,
      tool: { kind: "shell", name: "git", argvPattern: ["commit", "-m", "*"] },
      expiresAt: new Date(now + 3600_000),
      by: alice,
    });
    expect(outcome).toMatchObject({ kind: "finished", state: "succeeded" });
    // Allowed now (it fails: the workspace is no git repository).
    expect(await executor.exec(commit())).toMatchObject({ result: { decisionId: expect.any(String) } });
    const decision = (await executor.exec(commit())) as { result: { outcome: string } };
    expect(decision.result.outcome).not.toBe("denied");
    const revoked = await executor.revoke(grant.grantId, alice, "done");
    expect(revoked).toMatchObject({ ok: true, outcome: { kind: "finished", state: "succeeded" } });
    expect(await executor.exec(commit())).toMatchObject({
      result: { outcome: "denied", reasons: [{ code: "grant_revoked" }] },
    });
    expect(await executor.revoke("grant-unknown", alice, "x")).toMatchObject({
      ok: false,
      error: { code: "not_found" },
    });
  });
});
