// The export end to end on a real governed run (real executor, commands, SQLite store): what each format
// writes, line by line against its contract.
import { validate } from "@workspace-ops/contracts";
import { beforeAll, describe, expect, it } from "vitest";
import { type ExportOptions, exportTrajectories } from "./export.js";
import { checkSftExample } from "./sft-check.js";
import { openSources } from "./sources.js";
import { type GovernedRun, governedRun } from "./testing/governed-run.js";

let run: GovernedRun;

beforeAll(async () => {
  run = await governedRun();
}, 60_000);

async function exported(options: Omit<ExportOptions, "sources">) {
  const { sources, close } = await openSources([{ stateDir: run.stateDir }]);
  try {
    const { lines, summary } = exportTrajectories({ ...options, sources });
    const out: { text: unknown; lineage?: unknown }[] = [];
    for await (const line of lines)
      out.push({
        text: JSON.parse(line.text),
        ...(line.lineage ? { lineage: JSON.parse(line.lineage) } : {}),
      });
    return { lines: out, summary: summary() };
  } finally {
    await close();
  }
}

const at = expect.stringMatching(/^\d{4}-\d\d-\d\dT/);

describe("trajectory format", () => {
  it("builds the session's Trajectory: messages and governed steps in time order, lineage, cohort", async () => {
    const { lines, summary } = await exported({ format: "trajectory" });
    expect(lines).toHaveLength(1);
    const trajectory = lines[0]?.text as Record<string, unknown> & { steps: Record<string, unknown>[] };
    expect(validate("Trajectory", trajectory)).toMatchObject({ ok: true });
    const { ls, rm, curl1, curl2, approvalRequestId } = run.ids;
    expect(
      trajectory.steps.map((s) => [
        s.type,
        s.role ?? s.decision ?? s.outcome ?? s.resolution ?? s.toolExecutionId ?? "",
      ]),
    ).toEqual([
      ["message", "system"],
      ["message", "user"],
      ["message", "assistant"],
      ["tool_call", ls],
      ["decision", "allow"],
      ["outcome", "succeeded"],
      ["message", "tool"],
      ["tool_call", rm],
      ["decision", "approval_required"],
      ["approval", "approved"],
      ["outcome", "succeeded"],
      ["message", "tool"],
      ["tool_call", curl1],
      ["decision", "deny"],
      ["outcome", "denied"],
      ["message", "tool"],
      ["tool_call", curl2],
      ["decision", "deny"],
      ["outcome", "denied"],
      ["message", "tool"],
      ["usage", ""],
      ["message", "assistant"],
    ]);
    expect(trajectory.steps.map((s) => s.index)).toEqual(trajectory.steps.map((_, i) => i));
    expect(trajectory.lineage).toEqual({
      sessionId: "sess-governed",
      toolExecutionIds: [ls, rm, curl1, curl2],
      approvalRequestIds: [approvalRequestId],
      decisionIds: [expect.any(String), expect.any(String), expect.any(String), expect.any(String)],
      traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
      evalId: "eval-test",
      scenarioId: "scn-cleanup",
    });
    expect(trajectory.cohort).toEqual({
      arm: "candidate",
      flag: "governed-exec-rollout",
      model: "claude-sonnet-4-5",
    });
    expect(trajectory.taskSuccess).toBe(true);
    expect(trajectory.trajectoryId).toMatch(/^traj-[0-9a-f]{24}$/);
    expect(trajectory.steps[3]).toMatchObject({
      tool: { kind: "shell", name: "ls", argv: ["ls", "-a"] },
      analysis: { kind: "CommandAnalysis", parts: [{ program: "ls" }] },
    });
    expect(trajectory.steps[4]).toMatchObject({
      classification: { class: "read_only" },
      policyRevision: expect.any(String),
    });
    expect(trajectory.steps[9]).toEqual({
      index: 9,
      at,
      type: "approval",
      approvalRequestId,
      toolExecutionId: rm,
      resolution: "approved",
      resolvedBy: { type: "user", id: "alice" },
      requestedAt: at,
      signed: false,
    });
    expect(JSON.parse(trajectory.steps[6]?.content as string)).toMatchObject({
      outcome: "succeeded",
      exitCode: 0,
    });
    expect(JSON.parse(trajectory.steps[6]?.content as string).stdout).toContain("notes.txt");
    expect(JSON.parse(trajectory.steps[15]?.content as string)).toEqual({
      outcome: "denied",
      reasons: [{ code: "network_denied", message: expect.any(String) }],
    });
    expect(trajectory.steps[20]).toMatchObject({
      tokensIn: 1200,
      tokensOut: 300,
      costUsd: 0.0081,
      usageId: "use-sess-governed",
    });
    expect(summary).toMatchObject({
      format: "trajectory",
      sessions: 1,
      operations: 0,
      written: 1,
      filtered: 0,
      skipped: { records: [], trajectories: [] },
    });
    expect(summary.records).toBeGreaterThan(20);
  });

  it("filters by cohort (arm, flag, FLAG=ARM), by --since and by --session", async () => {
    const count = async (options: Omit<ExportOptions, "sources" | "format">) =>
      (await exported({ format: "trajectory", ...options })).summary;
    expect((await count({ cohort: "candidate" })).written).toBe(1);
    expect((await count({ cohort: "governed-exec-rollout=candidate" })).written).toBe(1);
    expect(await count({ cohort: "control" })).toMatchObject({ written: 0, filtered: 1 });
    expect(await count({ since: new Date(Date.now() + 60_000) })).toMatchObject({ sessions: 0, written: 0 });
    expect(await count({ session: "sess-governed" })).toMatchObject({ sessions: 1, written: 1 });
    expect(await count({ session: "sess-unknown" })).toMatchObject({ sessions: 0, written: 0 });
  });
});

describe("rl format", () => {
  it("credits governance outcomes to the agent's steps from the default reward table", async () => {
    const { lines, summary } = await exported({ format: "rl" });
    const rl = lines[0]?.text as {
      steps: { index: number; reward: number; type: string }[];
      credits: unknown;
    };
    expect(validate("RlTrajectory", rl)).toMatchObject({ ok: true });
    // steps: 7 rm's tool_call, 12 and 16 the curls, 21 the last assistant message.
    expect(rl.credits).toEqual([
      { step: 7, signal: "approval_at_destructive_boundary", reward: 1 },
      { step: 7, signal: "discovery_before_mutation", reward: 0.2 },
      { step: 12, signal: "denied_action", reward: -0.5 },
      { step: 16, signal: "repeated_denied_action", reward: -1 },
      { step: 16, signal: "denied_action", reward: -0.5 },
      { step: 21, signal: "task_success", reward: 1 },
    ]);
    expect(rl.steps.filter((s) => s.reward !== 0).map((s) => [s.index, s.reward])).toEqual([
      [7, 1.2],
      [12, -0.5],
      [16, -1.5],
      [21, 1],
    ]);
    expect(rl).toMatchObject({
      totalReward: 0.2,
      rewardTable: { version: 1, digest: expect.stringMatching(/^sha256:/) },
    });
    expect(summary.rewardTable).toMatchObject({ source: "rewards.default.json", version: 1 });
  });
});

describe("sft format", () => {
  it("openai: chat messages with tool calls answered by tool messages, weights on assistant messages", async () => {
    const { lines, summary } = await exported({ format: "sft" });
    const { text, lineage } = lines[0] as {
      text: { messages: Record<string, unknown>[]; tools: unknown[] };
      lineage: unknown;
    };
    expect(checkSftExample(text, "openai")).toEqual([]);
    const { ls, rm, curl1, curl2 } = run.ids;
    expect(
      text.messages.map((m) => [
        m.role,
        m.weight,
        (m.tool_calls as { id: string }[] | undefined)?.map((c) => c.id) ?? m.tool_call_id ?? null,
      ]),
    ).toEqual([
      ["system", undefined, null],
      ["user", undefined, null],
      ["assistant", 1, [ls]],
      ["tool", undefined, ls],
      ["assistant", 1, [rm]],
      ["tool", undefined, rm],
      ["assistant", 0, [curl1]],
      ["tool", undefined, curl1],
      ["assistant", 0, [curl2]],
      ["tool", undefined, curl2],
      ["assistant", 1, null],
    ]);
    expect(text.messages[2]).toEqual({
      role: "assistant",
      content: "Let me look at the workspace first.",
      tool_calls: [
        { id: ls, type: "function", function: { name: "shell", arguments: '{"argv":["ls","-a"]}' } },
      ],
      weight: 1,
    });
    expect(text.tools).toEqual([
      expect.objectContaining({ type: "function", function: expect.objectContaining({ name: "shell" }) }),
    ]);
    expect(validate("SftExampleLineage", lineage)).toMatchObject({ ok: true });
    expect(lineage).toMatchObject({
      line: 1,
      dialect: "openai",
      messages: 11,
      trainableMessages: 3,
      lineage: { sessionId: "sess-governed" },
    });
    expect(summary).toMatchObject({ format: "sft", dialect: "openai", written: 1 });
  });

  it("tinker: trainable on every message, no weight, no tools", async () => {
    const { lines } = await exported({ format: "sft", dialect: "tinker" });
    const text = lines[0]?.text as { messages: Record<string, unknown>[] };
    expect(checkSftExample(text, "tinker")).toEqual([]);
    expect(Object.keys(text)).toEqual(["messages"]);
    expect(text.messages.map((m) => m.trainable)).toEqual([
      false,
      false,
      true,
      false,
      true,
      false,
      false,
      false,
      false,
      false,
      true,
    ]);
    expect(text.messages.some((m) => "weight" in m)).toBe(false);
  });
});
