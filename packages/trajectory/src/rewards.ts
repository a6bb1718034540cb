// The reward table of RL exports (rewards.default.json, or a copy passed with --rewards FILE) and the
// crediting of its signals to a trajectory's steps.

import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import type { RewardCredit, RlTrajectory, Trajectory, TrajectoryStep } from "@workspace-ops/contracts";
import { canonicalJson } from "@workspace-ops/contracts/canonical-json";
import { z } from "zod";
import { checkConfig, readConfig } from "./config-file.js";

/** Every signal a reward table may give a value; one missing from a table is worth 0. */
export const rewardSignals = [
  "approval_at_destructive_boundary",
  "approval_denied",
  "denied_action",
  "repeated_denied_action",
  "discovery_before_mutation",
  "mutation_without_discovery",
  "tool_failed",
  "task_success",
  "task_failure",
] as const;

export type RewardSignal = (typeof rewardSignals)[number];

const rewardTableSchema = z.strictObject({
  version: z.number().int().min(1),
  description: z.string().max(4096).optional(),
  signals: z.partialRecord(
    z.enum(rewardSignals, { error: `a signal is one of ${rewardSignals.join(", ")}` }),
    z.strictObject({
      reward: z.number({ error: "a reward is a finite number" }),
      description: z.string().max(4096).optional(),
    }),
  ),
});

export interface RewardTable {
  version: number;
  /** sha256 of the table's canonical JSON, as RlTrajectory.rewardTable.digest. */
  digest: string;
  /** Where it was read from ("rewards.default.json" of this package, or the file given). */
  source: string;
  rewards: Readonly<Record<RewardSignal, number>>;
}

function tableOf(parsed: z.infer<typeof rewardTableSchema>, source: string): RewardTable {
  const rewards = Object.fromEntries(
    rewardSignals.map((signal) => [signal, parsed.signals[signal]?.reward ?? 0]),
  ) as Record<RewardSignal, number>;
  return {
    version: parsed.version,
    digest: `sha256:${createHash("sha256").update(canonicalJson(parsed)).digest("hex")}`,
    source,
    rewards: Object.freeze(rewards),
  };
}

const defaultTableFile = new URL("../rewards.default.json", import.meta.url);

/** The table shipped with this package. */
export function defaultRewardTable(): RewardTable {
  const value: unknown = JSON.parse(readFileSync(defaultTableFile, "utf8"));
  return tableOf(checkConfig(rewardTableSchema, value, "rewards.default.json"), "rewards.default.json");
}

/** A table from a file; a mistake is a TrajectoryError naming the file and the JSON pointer. */
export async function loadRewardTable(file: string): Promise<RewardTable> {
  return tableOf(await readConfig(rewardTableSchema, file), file);
}

/** Risk classes that change something: the first call of one of them is the "mutation" of a trajectory. */
const CHANGING = new Set(["mutating", "code_execution", "destructive"]);

type Step = TrajectoryStep;
type ToolCall = Extract<Step, { type: "tool_call" }>;

/** What governance said about one tool call: its decision, approval and outcome steps. */
interface CallFacts {
  decision?: Extract<Step, { type: "decision" }>;
  approval?: Extract<Step, { type: "approval" }>;
  outcome?: Extract<Step, { type: "outcome" }>;
}

/** The same action: tool and arguments (argv, or the MCP server and arguments). */
const actionKey = (call: ToolCall) =>
  canonicalJson([
    call.tool.kind,
    call.tool.server ?? "",
    call.tool.name,
    call.tool.argv ?? call.tool.sanitizedArgs ?? null,
  ]);

const round = (x: number) => Number(x.toPrecision(12));

/** The signals earned by a trajectory, each on the step that earned it, in step order. */
export function creditSignals(trajectory: Trajectory): { step: number; signal: RewardSignal }[] {
  const facts = new Map<string, CallFacts>();
  for (const step of trajectory.steps) {
    if (step.type !== "decision" && step.type !== "approval" && step.type !== "outcome") continue;
    const known = facts.get(step.toolExecutionId) ?? {};
    if (step.type === "decision") known.decision ??= step;
    else if (step.type === "approval") known.approval = step;
    else known.outcome = step;
    facts.set(step.toolExecutionId, known);
  }
  const credits: { step: number; signal: RewardSignal }[] = [];
  const denied = new Set<string>();
  let sawReadOnly = false;
  let sawChange = false;
  let lastAgentStep: number | undefined;
  for (const step of trajectory.steps) {
    if (step.type === "message" && step.role === "assistant") lastAgentStep = step.index;
    if (step.type !== "tool_call") continue;
    lastAgentStep = step.index;
    const { decision, approval, outcome } = facts.get(step.toolExecutionId) ?? {};
    const credit = (signal: RewardSignal) => credits.push({ step: step.index, signal });
    const key = actionKey(step);
    if (denied.has(key)) credit("repeated_denied_action");
    const cls = decision?.classification?.class;
    if (
      decision?.decision === "approval_required" &&
      (cls === "destructive" || decision.reasons.some((r) => r.code === "destructive_needs_approval"))
    )
      credit("approval_at_destructive_boundary");
    if (decision?.decision === "deny") credit("denied_action");
    if (approval?.resolution === "denied") credit("approval_denied");
    if (decision?.decision === "deny" || approval?.resolution === "denied") denied.add(key);
    if (cls !== undefined && CHANGING.has(cls) && !sawChange) {
      sawChange = true;
      credit(sawReadOnly ? "discovery_before_mutation" : "mutation_without_discovery");
    }
    if (cls === "read_only") sawReadOnly = true;
    if (outcome?.outcome === "failed" || outcome?.outcome === "timed_out") credit("tool_failed");
  }
  if (trajectory.taskSuccess !== undefined) {
    const step = lastAgentStep ?? (trajectory.steps.at(-1) as Step).index;
    credits.push({ step, signal: trajectory.taskSuccess ? "task_success" : "task_failure" });
  }
  return credits.sort((a, b) => a.step - b.step);
}

/** The RL line of a (redacted) trajectory: every step with its reward, the credits and their total. */
export function rlTrajectory(trajectory: Trajectory, table: RewardTable): RlTrajectory {
  const credits: RewardCredit[] = creditSignals(trajectory)
    .map(({ step, signal }) => ({ step, signal, reward: table.rewards[signal] }))
    .filter((c) => c.reward !== 0);
  const perStep = new Map<number, number>();
  for (const c of credits) perStep.set(c.step, round((perStep.get(c.step) ?? 0) + c.reward));
  const steps = trajectory.steps.map((step) => ({ ...step, reward: perStep.get(step.index) ?? 0 }));
  return {
    kind: "RlTrajectory",
    apiVersion: "workspace-ops.dev/v1",
    trajectoryId: trajectory.trajectoryId,
    lineage: trajectory.lineage,
    ...(trajectory.cohort ? { cohort: trajectory.cohort } : {}),
    steps,
    credits,
    totalReward: round(steps.reduce((sum, s) => sum + s.reward, 0)),
    rewardTable: { version: table.version, digest: table.digest },
    redaction: trajectory.redaction,
  };
}
