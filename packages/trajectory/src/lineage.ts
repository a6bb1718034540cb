// How a trajectory names itself and its run: a stable id per store and unit, and the ids of everything
// its steps record, in order of first appearance.
import { createHash } from "node:crypto";
import type { TrajectoryLineage, TrajectoryStep } from "@workspace-ops/contracts";

/**
 * `traj-` and 24 hex digits of sha256(store location, unit kind, unit id): exporting the same store
 * twice gives the same ids, and the same session id in two stores gives two.
 */
export function trajectoryIdOf(location: string, unit: "session" | "operation", id: string): string {
  return `traj-${createHash("sha256").update(`${location}\n${unit}\n${id}`).digest("hex").slice(0, 24)}`;
}

/** The trace id inside a W3C traceparent ("00-<trace>-<span>-<flags>"). */
export const traceIdOf = (traceparent: string): string => traceparent.split("-")[1] ?? "";

export function lineageOf(
  steps: readonly TrajectoryStep[],
  base: { sessionId: string; traceId: string; approvalRequestIds: readonly string[] } & Partial<
    Pick<TrajectoryLineage, "operationId" | "evalId" | "scenarioId">
  >,
): TrajectoryLineage {
  const calls = new Set<string>();
  const decisions = new Set<string>();
  const approvals = new Set<string>(base.approvalRequestIds);
  for (const step of steps) {
    if (step.type === "tool_call") calls.add(step.toolExecutionId);
    else if (step.type === "decision") decisions.add(step.decisionId);
    else if (step.type === "approval") approvals.add(step.approvalRequestId);
  }
  return {
    sessionId: base.sessionId,
    ...(base.operationId ? { operationId: base.operationId } : {}),
    toolExecutionIds: [...calls],
    approvalRequestIds: [...approvals],
    decisionIds: [...decisions],
    traceId: base.traceId,
    ...(base.evalId ? { evalId: base.evalId } : {}),
    ...(base.scenarioId ? { scenarioId: base.scenarioId } : {}),
  };
}
