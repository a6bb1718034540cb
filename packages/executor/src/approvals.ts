// Resolving approvals (from any process) and waiting for them. The policy decides who may approve.
import { setTimeout as sleep } from "node:timers/promises";
import {
  type ApprovalRequest,
  type ApprovalResolution,
  type Principal,
  type ToolExecutionDecision,
  type ToolExecutionRequest,
  type ToolExecutionResult,
  validate,
  type WorkspaceOperationContract,
} from "@workspace-ops/contracts";
import { currentState, type ExecutorContext, Phase, storedRequest } from "./context.js";
import { decideApproval, type Reason } from "./decide.js";
import { type ExecutorError, executorError } from "./errors.js";
import { reservedStreams } from "./ids.js";
import { endOperation, type OperationOutcome, resumeOperation } from "./operations.js";
import {
  expireToolCall,
  finishToolCall,
  pendingOutcome,
  resumeToolCall,
  type ToolCallOutcome,
} from "./tool-call.js";

export type ResolveOutcome =
  | { ok: true; resolution: ApprovalResolution; toolExecutionId: string; result?: ToolExecutionResult }
  | { ok: false; error: ExecutorError; reasons?: Reason[] };

async function streamOf(ctx: ExecutorContext, approvalRequestId: string): Promise<string | null> {
  const index = await ctx.store.read(reservedStreams.approvals);
  const entry = index.find(
    (r) => (r.data as { approvalRequestId: string }).approvalRequestId === approvalRequestId,
  );
  return entry ? (entry.data as { stream: string }).stream : null;
}

export async function resolveApproval(
  ctx: ExecutorContext,
  approvalRequestId: string,
  resolution: "approved" | "denied",
  by: Principal,
  comment?: string,
): Promise<ResolveOutcome> {
  const id = await streamOf(ctx, approvalRequestId);
  if (!id)
    return { ok: false, error: executorError("not_found", `no approval request ${approvalRequestId}`) };
  const records = await ctx.store.read(id);
  const state = currentState(records);
  const approval = records.findLast((r) => r.type === "approval_request")?.data as ApprovalRequest;
  if (state !== "awaiting_approval") {
    return {
      ok: false,
      error: executorError(
        "approval_not_pending",
        `approval ${approvalRequestId} is not pending: the call is ${state}`,
      ),
    };
  }
  if (ctx.now().getTime() >= Date.parse(approval.expiresAt)) {
    await expire(ctx, id);
    return {
      ok: false,
      error: executorError(
        "approval_not_pending",
        `approval ${approvalRequestId} expired at ${approval.expiresAt}`,
      ),
    };
  }
  const candidate: Record<string, unknown> = {
    kind: "ApprovalResolution",
    apiVersion: "workspace-ops.dev/v1",
    approvalRequestId,
    resolution,
    resolvedBy: by,
    resolvedAt: ctx.now().toISOString(),
  };
  if (comment) candidate.comment = comment;
  const checked = validate("ApprovalResolution", candidate);
  if (!checked.ok) {
    return {
      ok: false,
      error: executorError(
        "request_invalid",
        checked.errors.map((e) => `${e.pointer} ${e.message}`).join("; "),
      ),
    };
  }
  // A failing policy refuses the resolution: it never lets an approval through.
  const policy = await ctx.policy();
  const verdict = policy.ok ? decideApproval(policy.runtime, approval, checked.value, ctx.now()) : null;
  if (!verdict?.ok || verdict.decision.decision !== "allow") {
    const reasons: Reason[] = verdict?.ok
      ? verdict.decision.reasons
      : [
          {
            code: "policy_unavailable",
            message: policy.ok ? (verdict?.ok === false ? verdict.error.message : "") : policy.error.message,
            policy: "executor",
          },
        ];
    await ctx.audit.append("approval_refused", id, { resolution: checked.value, reasons });
    return {
      ok: false,
      error: executorError("approval_refused", reasons.map((r) => r.message).join("; ")),
      reasons,
    };
  }
  // The resolution and what it leads to (approved; or denied, with the result) in one append.
  const phase = new Phase(ctx, id).record("approval_resolution", checked.value);
  if (resolution === "approved") {
    await phase.transition("awaiting_approval", "approved", { approvalRequestId }).commit();
    return { ok: true, resolution: checked.value, toolExecutionId: id };
  }
  const denial = {
    code: "approval_denied",
    message: `${by.type} ${by.id} denied approval ${approvalRequestId}`,
    policy: "executor",
  };
  const operation = storedRequest(records).operation;
  if (operation) {
    await endOperation(phase, "awaiting_approval", "denied", [denial], operation.audit.traceparent);
    return { ok: true, resolution: checked.value, toolExecutionId: id };
  }
  const request = storedRequest(records).request as ToolExecutionRequest;
  const decision = records.findLast((r) => r.type === "decision")?.data as ToolExecutionDecision | undefined;
  phase.transition("awaiting_approval", "denied", { reason: "approval_denied" });
  const finished = await finishToolCall(
    ctx,
    request,
    new Date(records[0]?.at ?? ctx.now().toISOString()),
    { outcome: "denied", reasons: [denial], approvalRequestId, ...(decision ? { decision } : {}) },
    phase,
  );
  return {
    ok: true,
    resolution: checked.value,
    toolExecutionId: id,
    ...(finished.kind === "finished" ? { result: finished.result } : {}),
  };
}

/** Ends a call or operation whose approval expired unanswered: it never runs. */
export async function expire(ctx: ExecutorContext, id: string): Promise<ToolCallOutcome | OperationOutcome> {
  const records = await ctx.store.read(id);
  const approval = records.findLast((r) => r.type === "approval_request")?.data as ApprovalRequest;
  const stored = records.find((r) => r.type === "request")?.data as {
    request?: ToolExecutionRequest;
    operation?: WorkspaceOperationContract;
  };
  if (stored.operation) {
    const resolution = {
      kind: "ApprovalResolution",
      apiVersion: "workspace-ops.dev/v1",
      approvalRequestId: approval.approvalRequestId,
      resolution: "expired",
      resolvedAt: ctx.now().toISOString(),
    };
    const why = {
      code: "approval_expired",
      message: `approval ${approval.approvalRequestId} expired at ${approval.expiresAt}`,
      policy: "executor",
    };
    const phase = new Phase(ctx, id).record("approval_resolution", resolution);
    return endOperation(phase, "awaiting_approval", "denied", [why], stored.operation.audit.traceparent);
  }
  const decision = records.findLast((r) => r.type === "decision")?.data as ToolExecutionDecision | undefined;
  return expireToolCall(
    ctx,
    stored.request as ToolExecutionRequest,
    approval,
    decision,
    new Date(records[0]?.at ?? ctx.now().toISOString()),
  );
}

/** Runs an approved call or operation (or ends it when its approval expired). */
export async function resume(ctx: ExecutorContext, id: string): Promise<ToolCallOutcome | OperationOutcome> {
  const records = await ctx.store.read(id);
  const stored = records.find((r) => r.type === "request")?.data as { operation?: unknown } | undefined;
  if (!stored) return { kind: "rejected", error: executorError("not_found", `nothing with id ${id}`) };
  const approval = records.findLast((r) => r.type === "approval_request")?.data as
    | ApprovalRequest
    | undefined;
  if (
    currentState(records) === "awaiting_approval" &&
    approval &&
    ctx.now().getTime() >= Date.parse(approval.expiresAt)
  ) {
    return expire(ctx, id);
  }
  return stored.operation ? resumeOperation(ctx, id) : resumeToolCall(ctx, id);
}

/**
 * Waits for the call's approval to be resolved — in this or another process — polling the store
 * every 100 ms, so an approval is acted on well within a second. Runs the call once approved.
 */
export async function waitForApproval(
  ctx: ExecutorContext,
  id: string,
  timeoutMs: number,
): Promise<ToolCallOutcome> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const records = await ctx.store.read(id);
    const state = currentState(records);
    const approval = records.findLast((r) => r.type === "approval_request")?.data as ApprovalRequest;
    if (
      state === "approved" ||
      (state === "awaiting_approval" && ctx.now().getTime() >= Date.parse(approval.expiresAt))
    ) {
      const outcome = (await resume(ctx, id)) as ToolCallOutcome;
      // Another process (wsops resume) claimed it first: wait for its result instead.
      if (!(outcome.kind === "rejected" && outcome.error.code === "already_claimed")) return outcome;
    }
    const result = records.findLast((r) => r.type === "result")?.data as ToolExecutionResult | undefined;
    if (result) return { kind: "finished", result };
    if (Date.now() >= deadline) {
      const request = storedRequest(records).request as ToolExecutionRequest;
      const decision = records.findLast((r) => r.type === "decision")?.data as
        | ToolExecutionDecision
        | undefined;
      return pendingOutcome(
        ctx,
        request,
        new Date(records[0]?.at ?? ctx.now().toISOString()),
        approval,
        decision,
      );
    }
    await sleep(100);
  }
}
