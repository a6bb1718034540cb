// The steps a policy decision and an approval resolution become, for tool calls and operations alike.
import type { ApprovalResolution, ToolExecutionDecision } from "@workspace-ops/contracts";
import { field } from "./record-check.js";
import type { Draft } from "./step-list.js";

export const decisionStep = (at: string, d: ToolExecutionDecision, toolExecutionId: string): Draft => ({
  at,
  type: "decision",
  decisionId: d.decisionId,
  toolExecutionId,
  decision: d.decision,
  reasons: d.reasons,
  ...(d.classification ? { classification: d.classification } : {}),
  policyRevision: d.policyRevision,
});

export const approvalStep = (
  at: string,
  r: ApprovalResolution,
  toolExecutionId: string,
  requestedAt: string | undefined,
): Draft => ({
  at,
  type: "approval",
  approvalRequestId: r.approvalRequestId,
  toolExecutionId,
  resolution: r.resolution,
  ...(r.resolvedBy ? { resolvedBy: r.resolvedBy } : {}),
  ...(requestedAt ? { requestedAt } : {}),
  // A signed resolution was verified by the executor before it was recorded.
  signed: typeof field(r, "signature") === "object" && field(r, "signature") !== null,
});
