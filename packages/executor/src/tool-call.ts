// One governed tool call: receive → validate → persist verbatim → decide → (approval) → run → record.
import {
  type ApprovalRequest,
  type ContractError,
  type ToolExecutionDecision,
  type ToolExecutionRequest,
  type ToolExecutionResult,
  validate,
} from "@workspace-ops/contracts";
import { isStateError, thisProcess } from "@workspace-ops/store";
import { approvalHolds, type ResultApproval } from "./approval-check.js";
import { watchForCancel } from "./cancel.js";
import { currentState, type ExecutorContext, Phase, principalKey } from "./context.js";
import { approvalRequestFor, type Decided, decideRecorded, decideToolCall, type Reason } from "./decide.js";
import { type ExecutorError, executorError } from "./errors.js";
import { isReserved, traceIdOf } from "./ids.js";
import { runOptions } from "./run-options.js";
import { type RunResult, runSandboxed } from "./sandbox/index.js";
import type { State } from "./state-machine.js";

export type ToolCallOutcome =
  | { kind: "rejected"; error: ExecutorError; errors?: ContractError[] }
  | {
      kind: "pending";
      toolExecutionId: string;
      approvalRequestId: string;
      expiresAt: string;
      result: ToolExecutionResult;
    }
  | { kind: "finished"; result: ToolExecutionResult };

export async function receiveToolCall(ctx: ExecutorContext, payload: unknown): Promise<ToolCallOutcome> {
  const checked = validate("ToolExecutionRequest", payload);
  if (!checked.ok) {
    await ctx.store.commit({
      audit: [{ type: "request_rejected", subject: "-", data: { errors: checked.errors } }],
    });
    return {
      kind: "rejected",
      error: executorError("request_invalid", "the request is not a valid ToolExecutionRequest"),
      errors: checked.errors,
    };
  }
  const request = checked.value;
  const id = request.toolExecutionId;
  if (isReserved(id))
    return {
      kind: "rejected",
      error: executorError("id_reserved", `ids starting "wsops." are reserved: ${id}`, "/toolExecutionId"),
    };
  const started = ctx.now();
  // The request is not committed on its own before the decision: it goes into the one transaction
  // that also holds the decision and whatever follows before anything runs. Nothing has run before
  // that commit is durable, so the request is as durable as if it were written first, with one commit
  // less. That commit may only create the stream (expectSeq 1): a duplicate id is refused there by
  // the database's unique key, so two processes can never both take the same id.
  const phase = new Phase(ctx, id, {
    creates: {
      kind: "tool_execution",
      sessionId: request.context.sessionId,
      actor: principalKey(request.context.actor),
    },
  });
  phase.record("request", { mode: ctx.mode, request }, { mode: ctx.mode, kind: "ToolExecutionRequest" });
  try {
    return await decideAndRun(ctx, request, started, phase);
  } catch (error) {
    if (!isStateError(error, "conflict")) throw error;
    return {
      kind: "rejected",
      error: executorError(
        "duplicate_request",
        `tool execution ${id} was already received`,
        "/toolExecutionId",
      ),
    };
  }
}

/** Everything after the request is accepted; `phase` holds the request until its first commit. */
async function decideAndRun(
  ctx: ExecutorContext,
  request: ToolExecutionRequest,
  started: Date,
  phase: Phase,
): Promise<ToolCallOutcome> {
  if (ctx.mode === "disabled") return run(ctx, request, "pending", started, {}, phase);

  const decided = await decide(ctx, request);
  if (!decided.ok) {
    phase.record("policy_failure", { reason: decided.reason });
    if (ctx.mode === "observe")
      return run(ctx, request, "pending", started, { policyFailure: decided.reason }, phase);
    phase.transition("pending", "unavailable", { reason: decided.reason.code });
    return finish(ctx, request, started, { outcome: "unavailable", reasons: [decided.reason] }, phase);
  }
  const { decision } = decided;
  if (decided.analysis) phase.record("analysis", decided.analysis);
  phase.record("decision", decision);
  if (ctx.mode === "observe") return run(ctx, request, "pending", started, { decision }, phase);
  if (decision.decision === "deny") {
    phase.transition("pending", "denied");
    return finish(ctx, request, started, { outcome: "denied", reasons: decision.reasons, decision }, phase);
  }
  if (decision.decision === "approval_required") {
    const approval = approvalRequest(ctx, request, decision);
    phase
      .approvalRequested(approval)
      .transition("pending", "awaiting_approval", { approvalRequestId: approval.approvalRequestId });
    await phase.commit();
    return pendingOutcome(ctx, request, started, approval, decision);
  }
  return run(ctx, request, "pending", started, { decision }, phase);
}

const decide = (ctx: ExecutorContext, request: ToolExecutionRequest): Promise<Decided> =>
  decideRecorded(ctx, request.toolExecutionId, request.correlation.traceparent, (d) =>
    decideToolCall(d, request),
  );

const approvalRequest = (
  ctx: ExecutorContext,
  request: ToolExecutionRequest,
  decision: ToolExecutionDecision,
) =>
  approvalRequestFor(ctx, {
    subjectId: request.toolExecutionId,
    actor: request.context.actor,
    decision,
    summary: { tool: request.tool, cwd: request.context.cwd, workspaceId: request.context.workspaceId },
    traceparent: request.correlation.traceparent,
    subject: { request },
  });

interface RunFacts {
  decision?: ToolExecutionDecision;
  policyFailure?: Reason;
  approvalRequestId?: string;
  /** Who resolved the call's approval, and whether it was signed. */
  approval?: ResultApproval;
}

/**
 * Runs the command (governed: under the decision's obligations) and records the result: what
 * `phase` holds, the transition to running and the started event are durable before it starts; the
 * transition out of running, its event and the result are made durable together once it ends.
 */
export async function run(
  ctx: ExecutorContext,
  request: ToolExecutionRequest,
  from: State,
  started: Date,
  facts: RunFacts,
  phase = new Phase(ctx, request.toolExecutionId),
): Promise<ToolCallOutcome> {
  const id = request.toolExecutionId;
  const traceparent = request.correlation.traceparent;
  if (request.tool.kind !== "shell" || !request.tool.argv) {
    // MCP calls are decided here and executed by the agent runtime's MCP client, not by a shell.
    phase.transition(from, "unavailable", { reason: "mcp_not_executed" });
    return finish(
      ctx,
      request,
      started,
      {
        ...facts,
        outcome: "unavailable",
        reasons: [
          {
            code: "mcp_not_executed",
            message: "the executor decides MCP calls but does not execute them",
            policy: "executor",
          },
        ],
      },
      phase,
    );
  }
  const options = await runOptions(ctx, facts.decision, request.profileId);
  phase.transition(from, "running", thisProcess());
  phase.event({
    kind: "started",
    subject: id,
    state: "running",
    traceparent,
    toolExecutionId: id,
    ...(facts.decision ? { decisionId: facts.decision.decisionId } : {}),
  });
  const watch = watchForCancel(ctx, id);
  try {
    await phase.commit();
  } catch (error) {
    watch.stop();
    throw error;
  }
  const runStarted = performance.now();
  const controller = new AbortController();
  watch.start(controller);
  const ran = await runSandboxed({
    signal: controller.signal,
    ...(ctx.onOutput ? { onOutput: ctx.onOutput } : {}),
    argv: request.tool.argv,
    workspaceRoot: ctx.workspaceRoot,
    cwd: request.context.cwd,
    traceparent,
    ...options,
  });
  watch.stop();
  const runMs = performance.now() - runStarted;
  return recordRun(ctx, request, started, facts, ran, runMs);
}

async function recordRun(
  ctx: ExecutorContext,
  request: ToolExecutionRequest,
  started: Date,
  facts: RunFacts,
  ran: RunResult,
  runMs: number,
): Promise<ToolCallOutcome> {
  const id = request.toolExecutionId;
  const traceparent = request.correlation.traceparent;
  const phase = new Phase(ctx, id);
  if (ran.outcome === "unavailable") {
    phase.transition("running", "unavailable", { reason: ran.reason.code });
    phase.event({
      kind: "failed",
      subject: id,
      state: "unavailable",
      reason: ran.reason.code,
      traceparent,
      toolExecutionId: id,
    });
    return finish(
      ctx,
      request,
      started,
      { ...facts, outcome: "unavailable", reasons: [{ ...ran.reason, policy: "executor" }] },
      phase,
    );
  }
  phase.transition("running", ran.outcome);
  const kind =
    ran.outcome === "succeeded" ? "completed" : ran.outcome === "cancelled" ? "cancelled" : "failed";
  phase.event({
    kind,
    subject: id,
    state: ran.outcome,
    traceparent,
    toolExecutionId: id,
    ...(kind === "failed" ? { reason: ran.outcome === "timed_out" ? "timeout" : "nonzero_exit" } : {}),
  });
  return finish(ctx, request, started, { ...facts, ran, runMs }, phase);
}

interface Ending extends RunFacts {
  outcome?: ToolExecutionResult["outcome"];
  reasons?: Reason[];
  ran?: Exclude<RunResult, { outcome: "unavailable" }>;
  runMs?: number;
}

/**
 * Builds, validates and records the ToolExecutionResult — the one record every call ends with —
 * together with what `phase` holds (the transition that ended the call, its event).
 */
async function finish(
  ctx: ExecutorContext,
  request: ToolExecutionRequest,
  started: Date,
  end: Ending,
  phase: Phase,
): Promise<ToolCallOutcome> {
  const ended = ctx.now();
  const traceparent = request.correlation.traceparent;
  const result: Record<string, unknown> = {
    kind: "ToolExecutionResult",
    apiVersion: "workspace-ops.dev/v1",
    toolExecutionId: request.toolExecutionId,
    outcome: end.ran?.outcome ?? end.outcome,
    mode: ctx.mode,
    traceId: traceIdOf(traceparent),
    traceparent,
    startedAt: started.toISOString(),
    endedAt: ended.toISOString(),
    durations: {
      totalMs: Math.max(0, ended.getTime() - started.getTime()),
      ...(end.decision?.durationMs !== undefined ? { decisionMs: end.decision.durationMs } : {}),
      ...(end.runMs !== undefined ? { runMs: end.runMs } : {}),
    },
  };
  const reasons = end.reasons ?? (end.policyFailure ? [end.policyFailure] : undefined);
  if (reasons?.length) result.reasons = reasons;
  if (end.decision) result.decisionId = end.decision.decisionId;
  if (end.approvalRequestId) result.approvalRequestId = end.approvalRequestId;
  if (end.approval) result.approval = end.approval;
  if (end.ran) {
    if (end.ran.exitCode !== null && end.ran.outcome !== "cancelled") result.exitCode = end.ran.exitCode;
    if (end.ran.signal && end.ran.outcome !== "succeeded") result.signal = end.ran.signal;
    result.output = { stdout: end.ran.stdout, stderr: end.ran.stderr };
    result.sandbox = end.ran.sandbox;
  }
  const checked = validate("ToolExecutionResult", result);
  if (!checked.ok)
    throw new Error(
      `executor built an invalid ToolExecutionResult: ${checked.errors.map((e) => `${e.pointer} ${e.message}`).join("; ")}`,
    );
  phase.record("result", checked.value);
  if (end.outcome === "denied" || end.outcome === "unavailable") {
    phase.event({
      kind: "failed",
      subject: request.toolExecutionId,
      state: end.outcome,
      reason: reasons?.[0]?.code.slice(0, 64) ?? end.outcome,
      traceparent,
      toolExecutionId: request.toolExecutionId,
      ...(end.decision ? { decisionId: end.decision.decisionId } : {}),
    });
  }
  // The caller gets the result as it was stored: redacted like every record.
  const committed = await phase.commit();
  return { kind: "finished", result: phase.recorded(committed, "result")[0] as ToolExecutionResult };
}

/**
 * Runs an approved call — for the caller that waited for it (`original`: the request it sent), for
 * `wsops resume`, or for a resubmission of the same request — or ends an expired one. The approval is
 * checked first (signature, approvers, the request's digest): one that does not hold ends the call
 * denied, and nothing runs.
 */
export async function resumeToolCall(
  ctx: ExecutorContext,
  id: string,
  original?: { request: ToolExecutionRequest },
): Promise<ToolCallOutcome> {
  const records = await ctx.store.read(id);
  const requestRecord = records.find((r) => r.type === "request");
  if (!requestRecord)
    return { kind: "rejected", error: executorError("not_found", `no tool execution ${id}`) };
  if (original !== undefined && original.request.toolExecutionId !== id)
    return {
      kind: "rejected",
      error: executorError("request_invalid", `the request resubmitted is not tool execution ${id}`),
    };
  const request = original?.request ?? (requestRecord.data as { request: ToolExecutionRequest }).request;
  const state = currentState(records);
  const approval = records.findLast((r) => r.type === "approval_request")?.data as
    | ApprovalRequest
    | undefined;
  const decision = records.findLast((r) => r.type === "decision")?.data as ToolExecutionDecision | undefined;
  const started = new Date(requestRecord.at);
  if (state === "awaiting_approval" && approval && ctx.now().getTime() >= Date.parse(approval.expiresAt)) {
    return expire(ctx, request, approval, decision, started);
  }
  if (state !== "approved") {
    return {
      kind: "rejected",
      error: executorError("not_approved", `tool execution ${id} is ${state}, not approved`),
    };
  }
  const held = await approvalHolds(ctx, records, original ? { original } : {});
  if (held.kind === "redacted")
    return {
      kind: "rejected",
      error: executorError(
        "request_redacted",
        `the stored request of ${id} was redacted (${held.rules.join(", ")}), so it cannot be run from storage: resubmit the same request (wsops resume ${id} --request FILE)`,
      ),
    };
  const facts: RunFacts = {
    ...(decision ? { decision } : {}),
    ...(approval ? { approvalRequestId: approval.approvalRequestId } : {}),
    ...(held.approval ? { approval: held.approval } : {}),
  };
  const owner = thisProcess();
  if (!(await ctx.store.claim(id, owner)))
    return {
      kind: "rejected",
      error: executorError("already_claimed", `tool execution ${id} is already being run`),
    };
  try {
    if (held.kind === "refused") {
      const phase = new Phase(ctx, id).transition("approved", "denied", { reason: held.reason.code });
      return await finish(
        ctx,
        request,
        started,
        { ...facts, outcome: "denied", reasons: [held.reason] },
        phase,
      );
    }
    return await run(ctx, request, "approved", started, facts);
  } catch (error) {
    // Between our read and our claim another process ran or cancelled it: approved → running failed.
    if (!isStateError(error, "conflict")) throw error;
    return {
      kind: "rejected",
      error: executorError("not_approved", `tool execution ${id} moved on: ${error.message}`),
    };
  } finally {
    await ctx.store.release(id, owner);
  }
}

async function expire(
  ctx: ExecutorContext,
  request: ToolExecutionRequest,
  approval: ApprovalRequest,
  decision: ToolExecutionDecision | undefined,
  started: Date,
): Promise<ToolCallOutcome> {
  const resolution = {
    kind: "ApprovalResolution",
    apiVersion: "workspace-ops.dev/v1",
    approvalRequestId: approval.approvalRequestId,
    resolution: "expired",
    resolvedAt: ctx.now().toISOString(),
  };
  const phase = new Phase(ctx, request.toolExecutionId)
    .approvalResolved({ approvalRequestId: approval.approvalRequestId, resolution: "expired" }, resolution)
    .transition("awaiting_approval", "denied", { reason: "approval_expired" });
  return finish(
    ctx,
    request,
    started,
    {
      outcome: "denied",
      reasons: [
        {
          code: "approval_expired",
          message: `approval ${approval.approvalRequestId} expired at ${approval.expiresAt} without a resolution`,
          policy: "executor",
        },
      ],
      approvalRequestId: approval.approvalRequestId,
      ...(decision ? { decision } : {}),
    },
    phase,
  );
}

export { expire as expireToolCall, finish as finishToolCall };

/** What a caller that does not wait gets: the call is parked, as a contract-valid approval_required result. */
export function pendingOutcome(
  ctx: ExecutorContext,
  request: ToolExecutionRequest,
  started: Date,
  approval: ApprovalRequest,
  decision: ToolExecutionDecision | undefined,
): ToolCallOutcome {
  const now = ctx.now();
  const candidate: Record<string, unknown> = {
    kind: "ToolExecutionResult",
    apiVersion: "workspace-ops.dev/v1",
    toolExecutionId: request.toolExecutionId,
    outcome: "approval_required",
    reasons: approval.reasons,
    mode: ctx.mode,
    approvalRequestId: approval.approvalRequestId,
    traceId: traceIdOf(request.correlation.traceparent),
    traceparent: request.correlation.traceparent,
    startedAt: started.toISOString(),
    endedAt: now.toISOString(),
    durations: { totalMs: Math.max(0, now.getTime() - started.getTime()) },
  };
  if (decision) candidate.decisionId = decision.decisionId;
  const checked = validate("ToolExecutionResult", candidate);
  if (!checked.ok)
    throw new Error(`executor built an invalid approval_required result: ${checked.errors[0]?.message}`);
  return {
    kind: "pending",
    toolExecutionId: request.toolExecutionId,
    approvalRequestId: approval.approvalRequestId,
    expiresAt: approval.expiresAt,
    // Not stored, but it leaves the executor: redacted as if it were.
    result: ctx.redactor.redact(checked.value).value,
  };
}
