// Operations run outside any session: each is a trajectory of its own, its command steps tool calls
// `<operationId>.<n>`, its decision, approval and final outcome under the operationId.
import { validate } from "@workspace-ops/contracts";
import { beforeAll, describe, expect, it } from "vitest";
import { exportTrajectories } from "./export.js";
import { openSources } from "./sources.js";
import { alice, execution, openExecutor, operation, profile, traceparent } from "./testing/governed-run.js";

let stateDir = "";
let approvalRequestId = "";

beforeAll(async () => {
  const opened = await openExecutor({ "README.md": "# readme\n" });
  stateDir = opened.stateDir;
  const executor = opened.executor;
  try {
    await executor.submit(operation("agent_machine.profile.create", profile, "op-profile"));
    const pending = await executor.submit(
      operation(
        "agent_machine.execution.start",
        execution("exec-prod", "prod", [
          ["notes", ["cat", "README.md"], 30],
          ["list", ["ls"], 30],
        ]),
        "op-prod",
      ),
    );
    if (pending.kind !== "pending") throw new Error(`not pending: ${JSON.stringify(pending)}`);
    approvalRequestId = pending.approvalRequestId;
    await executor.approve(pending.approvalRequestId, alice);
    await executor.resume("op-prod");
  } finally {
    await executor.close();
  }
}, 60_000);

describe("operation trajectories", () => {
  it("make each operation a trajectory: steps as tool calls, decision and approval under the operationId", async () => {
    const { sources, close } = await openSources([{ stateDir }]);
    const lines: Record<string, unknown>[] = [];
    const { lines: out, summary } = exportTrajectories({ sources, format: "trajectory" });
    for await (const line of out) lines.push(JSON.parse(line.text));
    await close();
    expect(summary()).toMatchObject({ sessions: 0, operations: 2, written: 2 });
    for (const t of lines) expect(validate("Trajectory", t)).toMatchObject({ ok: true });
    const prod = lines.find((t) => (t.lineage as { operationId: string }).operationId === "op-prod") as {
      lineage: unknown;
      steps: Record<string, unknown>[];
      cohort?: unknown;
    };
    expect(prod.lineage).toEqual({
      sessionId: "op-prod",
      operationId: "op-prod",
      toolExecutionIds: ["op-prod.1", "op-prod.2"],
      approvalRequestIds: [approvalRequestId],
      decisionIds: [expect.any(String)],
      traceId: traceparent.split("-")[1],
    });
    expect(prod.cohort).toBeUndefined();
    expect(
      prod.steps.map((s) => [
        s.type,
        s.toolExecutionId,
        s.decision ?? s.resolution ?? s.outcome ?? s.role ?? "",
      ]),
    ).toEqual([
      ["decision", "op-prod", "approval_required"],
      ["approval", "op-prod", "approved"],
      ["tool_call", "op-prod.1", ""],
      ["outcome", "op-prod.1", "succeeded"],
      ["message", "op-prod.1", "tool"],
      ["tool_call", "op-prod.2", ""],
      ["outcome", "op-prod.2", "succeeded"],
      ["message", "op-prod.2", "tool"],
      ["outcome", "op-prod", "succeeded"],
    ]);
    expect(prod.steps[2]).toMatchObject({ tool: { kind: "shell", name: "cat", argv: ["cat", "README.md"] } });
    expect(JSON.parse(prod.steps[4]?.content as string)).toEqual({
      outcome: "succeeded",
      exitCode: 0,
      stdout: "# readme\n",
    });
  });

  it("are left out of an export of one session", async () => {
    const { sources, close } = await openSources([{ stateDir }]);
    const { lines, summary } = exportTrajectories({ sources, format: "trajectory", session: "op-prod" });
    for await (const _ of lines) throw new Error("no line expected");
    await close();
    expect(summary()).toMatchObject({ sessions: 0, operations: 0, written: 0 });
  });
});
