// What spans say about a call: ids, the decision and the rule that made it, outcomes and exit codes.
// Never argv, env or messages (they may hold values); and every string passes through redaction when
// it is set (otel.ts).
import type { ToolExecutionDecision, ToolExecutionResult } from "@workspace-ops/contracts";
import type { RunResult } from "../sandbox/index.js";
import type { Attributes, Span } from "./tracing.js";

export const decisionAttributes = (decision: ToolExecutionDecision): Attributes => ({
  "wsops.decision": decision.decision,
  "wsops.decision.id": decision.decisionId,
  "wsops.decision.rule": decision.classification?.rule ?? decision.reasons[0]?.code,
  "wsops.decision.policy": decision.reasons[0]?.policy,
  "wsops.decision.class": decision.classification?.class,
  "wsops.policy.revision": decision.policyRevision,
});

export const resultAttributes = (result: ToolExecutionResult): Attributes => ({
  "wsops.tool_execution.id": result.toolExecutionId,
  "wsops.mode": result.mode,
  "wsops.outcome": result.outcome,
  "wsops.decision.id": result.decisionId,
  "wsops.approval_request.id": result.approvalRequestId,
  "wsops.reason": result.reasons?.[0]?.code,
  "wsops.exit_code": result.exitCode,
});

/** From the request as received (already validated when this is called). */
export function requestAttributes(request: {
  context: { sessionId: string; agentRunId: string };
  tool: { kind: string; name: string; server?: string };
}): Attributes {
  return {
    "wsops.session.id": request.context.sessionId,
    "wsops.agent_run.id": request.context.agentRunId,
    "wsops.tool.kind": request.tool.kind,
    "wsops.tool.name": request.tool.name,
    "wsops.tool.server": request.tool.server,
  };
}

/** Records how a run ended on its span; returns the run. */
export function runEnded<R extends RunResult>(span: Span, ran: R): R {
  if (ran.outcome === "unavailable") {
    span.set({ "wsops.outcome": "unavailable", "wsops.reason": ran.reason.code });
    span.fail(ran.reason.code);
    return ran;
  }
  span.set({
    "wsops.outcome": ran.outcome,
    "wsops.exit_code": ran.exitCode ?? undefined,
    "wsops.signal": ran.signal ?? undefined,
    "wsops.sandbox.backend": ran.sandbox.backend,
    "wsops.sandbox.isolation": ran.sandbox.isolation,
    "wsops.sandbox.network": ran.sandbox.network.access,
  });
  if (ran.outcome !== "succeeded") span.fail(ran.outcome);
  return ran;
}

export const stepAttributes = (operationId: string, step: string, index: number): Attributes => ({
  "wsops.operation.id": operationId,
  "wsops.step.name": step,
  "wsops.step.index": index,
});
