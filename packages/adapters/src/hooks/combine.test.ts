// One answer for a hook event's calls, and where a hook server listens: pure functions.
import type { DecideAnswer } from "@workspace-ops/executor";
import { describe, expect, it } from "vitest";
import { socketPathOf } from "./client.js";
import { combine } from "./run-hook.js";

const answer = (
  id: string,
  verdict: DecideAnswer["verdict"],
  extra: Partial<DecideAnswer> = {},
): DecideAnswer => ({
  kind: "decided",
  toolExecutionId: id,
  mode: "governed",
  verdict,
  enforced: true,
  reasons:
    verdict === "allow" ? [] : [{ code: `${verdict}_why`, message: `${id} is ${verdict}`, policy: "p" }],
  ...extra,
});

describe("combine", () => {
  it("answers with the most severe verdict and its reasons", () => {
    expect(
      combine("web_fetch", [answer("t1", "allow"), answer("t2", "deny"), answer("t3", "deny")], []),
    ).toEqual({
      verdict: "deny",
      reason: "workspace-ops denied web_fetch: t2 is deny; t3 is deny [t2, t3]",
    });
    expect(combine("Read", [answer("t1", "allow"), answer("t2", "ask")], [])).toEqual({
      verdict: "ask",
      reason: "workspace-ops: Read needs a person's approval: t2 is ask [t2]",
    });
  });

  it("names the approval and the exact command that approves it", () => {
    const waiting = answer("t1", "approval_required", {
      approval: {
        approvalRequestId: "apr-1",
        expiresAt: "2026-12-01T12:15:00Z",
        state: "pending",
        toolExecutionId: "t0",
      },
    });
    expect(combine("Bash", [waiting], ["--workspace", "/w"])).toEqual({
      verdict: "approval_required",
      reason:
        "workspace-ops: Bash needs approval: t1 is approval_required. Approval apr-1 (until 2026-12-01T12:15:00Z) waits for a person, who approves it with: wsops approve apr-1 --by user:NAME --workspace /w — then retry exactly the same call, which goes through once. [t1]",
    });
    const used = answer("t2", "allow", {
      approval: { approvalRequestId: "apr-1", expiresAt: "x", state: "used", toolExecutionId: "t0" },
    });
    expect(combine("Bash", [used], []).reason).toBe(
      "workspace-ops: allowed, approval apr-1 used (it was for this exact call) [t2]",
    );
  });
});

describe("socketPathOf", () => {
  it("is one per flags and build, and refuses paths a Unix socket cannot have", () => {
    const a = socketPathOf("/s", ["claude-code"], "1");
    expect(a).toMatch(/^\/s\/hooks\/[0-9a-f]{20}\.sock$/);
    expect(socketPathOf("/s", ["claude-code"], "1")).toBe(a);
    expect(socketPathOf("/s", ["claude-code", "--mode", "observe"], "1")).not.toBe(a);
    expect(socketPathOf("/s", ["claude-code"], "2")).not.toBe(a);
    expect(socketPathOf(`/${"x".repeat(90)}`, ["claude-code"], "1")).toBeNull();
  });
});
