// How a call an agent runtime ran ended, as the runtime reports it (Claude Code's PostToolUse,
// Gemini CLI's AfterTool, a decide client): the call leaves "running" with a ToolExecutionResult, so
// the audit log and the timeline hold the whole call. The output is kept as a digest and a redacted
// preview, like everything the executor records.
import type {
  ToolExecutionDecision,
  ToolExecutionRequest,
  ToolExecutionResult,
} from "@workspace-ops/contracts";
import { isStateError } from "@workspace-ops/store";
import { usedApprovalOf } from "./approval-reuse.js";
import { currentState, type ExecutorContext, Phase } from "./context.js";
import { type ExecutorError, executorError } from "./errors.js";
import { capture } from "./mcp.js";
import type { State } from "./state-machine.js";
import { finishToolCall } from "./tool-call.js";

export interface ReportedOutcome {
  outcome: "succeeded" | "failed";
  /** What the tool returned (the runtime's tool response, as text or JSON). */
  output?: string;
  /** What it reported as an error. */
  error?: string;
}

export type RecordedOutcome =
  | { ok: true; toolExecutionId: string; state: State; result: ToolExecutionResult }
  /** The call was not running (denied, waiting, ended): the report is kept in the audit log only. */
  | { ok: true; toolExecutionId: string; state: State | null; result?: undefined }
  | { ok: false; error: ExecutorError };

export async function recordOutcome(
  ctx: ExecutorContext,
  id: string,
  reported: ReportedOutcome,
): Promise<RecordedOutcome> {
  const records = await ctx.store.read(id);
  const first = records.find((r) => r.type === "request")?.data as
    | { request?: ToolExecutionRequest; decidedFor?: string }
    | undefined;
  if (!first?.request) return { ok: false, error: executorError("not_found", `no tool execution ${id}`) };
  if (!first.decidedFor)
    return {
      ok: false,
      error: executorError(
        "not_decided_for_runtime",
        `tool execution ${id} was run by the executor, which recorded how it ended`,
      ),
    };
  const state = currentState(records);
  const output = { stdout: capture(reported.output ?? ""), stderr: capture(reported.error ?? "") };
  if (state !== "running") {
    // The runtime ran a call that was not let through (denied, waiting, or ended already): kept, and visible.
    await new Phase(ctx, id)
      .auditOnly("outcome_unexpected", { state, outcome: reported.outcome, output })
      .commit();
    return { ok: true, toolExecutionId: id, state };
  }
  const request = first.request;
  const decision = records.findLast((r) => r.type === "decision")?.data as ToolExecutionDecision | undefined;
  const approval = records.findLast((r) => r.type === "approval_used")?.data as
    | { approvalRequestId: string }
    | undefined;
  const usedOf = usedApprovalOf(records);
  const phase = new Phase(ctx, id).transition("running", reported.outcome);
  const traceparent = request.correlation.traceparent;
  phase.event({
    kind: reported.outcome === "succeeded" ? "completed" : "failed",
    subject: id,
    state: reported.outcome,
    traceparent,
    toolExecutionId: id,
    ...(reported.outcome === "failed" ? { reason: "tool_error" } : {}),
    ...(decision ? { decisionId: decision.decisionId } : {}),
  });
  try {
    const finished = await finishToolCall(
      ctx,
      request,
      new Date(records[0]?.at ?? ctx.now().toISOString()),
      {
        outcome: reported.outcome,
        output,
        ...(decision ? { decision } : {}),
        ...(approval ? { approvalRequestId: approval.approvalRequestId } : {}),
        ...(usedOf ? { usedApprovalOf: usedOf } : {}),
      },
      phase,
    );
    if (finished.kind !== "finished") throw new Error("a reported outcome always finishes the call");
    return { ok: true, toolExecutionId: id, state: reported.outcome, result: finished.result };
  } catch (error) {
    // Reported twice at once: the first report ended it.
    if (!isStateError(error, "conflict")) throw error;
    return { ok: true, toolExecutionId: id, state: currentState(await ctx.store.read(id)) };
  }
}
