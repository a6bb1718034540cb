// Resolving approvals (from any process or machine) and waiting for them. The policy decides who may approve.
import {
  type ApprovalRequest,
  type ApprovalResolution,
  errorsInOneLine,
  type Principal,
  type ToolExecutionDecision,
  type ToolExecutionRequest,
  type ToolExecutionResult,
  validate,
  type WorkspaceOperationContract,
} from "@workspace-ops/contracts";
import { ChangeFeed, isStateError, type StoredRecord } from "@workspace-ops/store";
import { approvalHolds, type ResultApproval } from "./approval-check.js";
import { currentState, type ExecutorContext, Phase, storedRequest } from "./context.js";
import { decideApproval, type Reason } from "./decide.js";
import { type ExecutorError, executorError } from "./errors.js";
import type { OperationOutcome } from "./operations.js";
import { type Original, signResolution } from "./signing/approval-signature.js";
import type { LoadedKey } from "./signing/key-names.js";
import {
  expireToolCall,
  finishToolCall,
  pendingOutcome,
  resumeToolCall,
  type ToolCallOutcome,
} from "./tool-call.js";

/** Operations (their handlers, diagnostics, containers) are loaded only when one is involved. */
const operations = () => import("./operations.js");

export type ResolveOutcome =
  | {
      ok: true;
      resolution: ApprovalResolution;
      toolExecutionId: string;
      /** Whether it was signed by a key the profile lists for its resolver (false: no approvers named). */
      signed: boolean;
      result?: ToolExecutionResult;
    }
  | { ok: false; error: ExecutorError; reasons?: Reason[] };

export interface ResolveOptions {
  comment?: string | undefined;
  /** The resolver's signing key: the resolution is signed over the approval's request digest. */
  key?: LoadedKey | undefined;
}

/**
 * Where a resolution came from, when not from this process's own user: recorded beside it (and beside
 * a refusal) in the same commit — a server's name, the remote address and the user agent.
 */
export interface ResolutionChannel {
  through: string;
  remoteAddress?: string;
  userAgent?: string;
}

type Pending =
  | { ok: true; id: string; records: StoredRecord[]; approval: ApprovalRequest }
  | { ok: false; error: ExecutorError };

/** The approval, and the stream waiting for it, while it is still pending (an expired one is ended here). */
async function pendingApproval(ctx: ExecutorContext, approvalRequestId: string): Promise<Pending> {
  const id = (await ctx.store.approval(approvalRequestId))?.stream;
  if (!id)
    return { ok: false, error: executorError("not_found", `no approval request ${approvalRequestId}`) };
  const records = await ctx.store.read(id);
  const state = currentState(records);
  const approval = records.findLast((r) => r.type === "approval_request")?.data as ApprovalRequest;
  if (state !== "awaiting_approval")
    return {
      ok: false,
      error: executorError(
        "approval_not_pending",
        `approval ${approvalRequestId} is not pending: the call is ${state}`,
      ),
    };
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
  return { ok: true, id, records, approval };
}

/** Approves or denies as `by`, signed with `options.key` when given. */
export async function resolveApproval(
  ctx: ExecutorContext,
  approvalRequestId: string,
  resolution: "approved" | "denied",
  by: Principal,
  options: ResolveOptions = {},
): Promise<ResolveOutcome> {
  const pending = await pendingApproval(ctx, approvalRequestId);
  if (!pending.ok) return pending;
  const { requestDigest } = pending.approval;
  let candidate: ApprovalResolution = {
    kind: "ApprovalResolution",
    apiVersion: "workspace-ops.dev/v1",
    approvalRequestId,
    resolution,
    resolvedBy: by,
    resolvedAt: ctx.now().toISOString(),
    ...(requestDigest ? { requestDigest } : {}),
    ...(options.comment ? { comment: options.comment } : {}),
  };
  if (options.key) {
    if (!requestDigest)
      return {
        ok: false,
        error: executorError(
          "request_changed",
          `approval ${approvalRequestId} carries no request digest to sign (an older executor asked for it)`,
        ),
      };
    candidate = signResolution(candidate, options.key);
  }
  return submitResolution(ctx, candidate);
}

/**
 * Records a resolution — made here, or signed elsewhere by its resolver — once the policy allows it
 * (nobody approves their own request) and it holds: signed by a listed approver where the profile
 * names approvers, for the request as it is stored.
 */
export async function submitResolution(
  ctx: ExecutorContext,
  payload: unknown,
  channel?: ResolutionChannel,
): Promise<ResolveOutcome> {
  const from = channel ? { channel } : {};
  const checked = validate("ApprovalResolution", payload);
  if (!checked.ok)
    return {
      ok: false,
      error: executorError("request_invalid", errorsInOneLine(checked.errors)),
    };
  const resolved = checked.value;
  if (resolved.resolution === "expired")
    return {
      ok: false,
      error: executorError(
        "request_invalid",
        "an expiry is recorded by the executor, never submitted",
        "/resolution",
      ),
    };
  const pending = await pendingApproval(ctx, resolved.approvalRequestId);
  if (!pending.ok) return pending;
  const { id, records, approval } = pending;
  // A failing policy refuses the resolution: it never lets an approval through.
  const policy = await ctx.policy();
  const verdict = policy.ok ? decideApproval(policy.runtime, approval, resolved, ctx.now()) : null;
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
    await new Phase(ctx, id)
      .auditOnly("approval_refused", { resolution: resolved, reasons, ...from })
      .commit();
    return {
      ok: false,
      error: executorError("approval_refused", reasons.map((r) => r.message).join("; ")),
      reasons,
    };
  }
  const held = await approvalHolds(ctx, records, { recording: resolved });
  if (held.kind === "refused") {
    const reasons = [held.reason];
    await new Phase(ctx, id)
      .auditOnly("approval_refused", { resolution: resolved, reasons, ...from })
      .commit();
    return { ok: false, error: executorError(held.reason.code, held.reason.message), reasons };
  }
  // The resolution and what it leads to (approved; or denied, with the result) in one commit, which
  // only one resolver can make: another one that got here first leaves the approval not pending.
  try {
    return await commitResolution(
      ctx,
      id,
      records,
      resolved,
      held.kind === "holds" ? held.approval : undefined,
      channel,
    );
  } catch (error) {
    if (!isStateError(error, "conflict")) throw error;
    const now = await ctx.store.approval(resolved.approvalRequestId);
    return {
      ok: false,
      error: executorError(
        "approval_not_pending",
        `approval ${resolved.approvalRequestId} is not pending: it is ${now?.state}`,
      ),
    };
  }
}

async function commitResolution(
  ctx: ExecutorContext,
  id: string,
  records: StoredRecord[],
  resolved: ApprovalResolution,
  approval: ResultApproval | undefined,
  channel: ResolutionChannel | undefined,
): Promise<ResolveOutcome> {
  const { approvalRequestId, resolution, resolvedBy: by } = resolved;
  const signed = approval?.signed ?? false;
  const phase = new Phase(ctx, id).approvalResolved(
    { approvalRequestId, resolution: resolution as "approved" | "denied", ...(by ? { resolvedBy: by } : {}) },
    resolved,
  );
  if (channel) phase.record("approval_channel", { approvalRequestId, ...channel });
  if (resolution === "approved") {
    await phase.transition("awaiting_approval", "approved", { approvalRequestId, signed }).commit();
    return { ok: true, resolution: resolved, toolExecutionId: id, signed };
  }
  const denial = {
    code: "approval_denied",
    message: `${by?.type} ${by?.id} denied approval ${approvalRequestId}`,
    policy: "executor",
  };
  const operation = storedRequest(records).operation;
  if (operation) {
    await (await operations()).endOperation(
      phase,
      "awaiting_approval",
      "denied",
      [denial],
      operation.audit.traceparent,
    );
    return { ok: true, resolution: resolved, toolExecutionId: id, signed };
  }
  const request = storedRequest(records).request as ToolExecutionRequest;
  const decision = records.findLast((r) => r.type === "decision")?.data as ToolExecutionDecision | undefined;
  phase.transition("awaiting_approval", "denied", { reason: "approval_denied", signed });
  const finished = await finishToolCall(
    ctx,
    request,
    new Date(records[0]?.at ?? ctx.now().toISOString()),
    {
      outcome: "denied",
      reasons: [denial],
      approvalRequestId,
      ...(decision ? { decision } : {}),
      ...(approval ? { approval } : {}),
    },
    phase,
  );
  return {
    ok: true,
    resolution: resolved,
    toolExecutionId: id,
    signed,
    ...(finished.kind === "finished" ? { result: finished.result } : {}),
  };
}

/**
 * Ends a call or operation whose approval expired unanswered: it never runs. When someone resolved it
 * meanwhile (the approval is no longer pending), nothing is written and that is the answer.
 */
export async function expire(ctx: ExecutorContext, id: string): Promise<ToolCallOutcome | OperationOutcome> {
  try {
    return await expireNow(ctx, id);
  } catch (error) {
    if (!isStateError(error, "conflict")) throw error;
    return { kind: "rejected", error: executorError("approval_not_pending", `${id} was resolved meanwhile`) };
  }
}

async function expireNow(ctx: ExecutorContext, id: string): Promise<ToolCallOutcome | OperationOutcome> {
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
    const phase = new Phase(ctx, id).approvalResolved(
      { approvalRequestId: approval.approvalRequestId, resolution: "expired" },
      resolution,
    );
    return (await operations()).endOperation(
      phase,
      "awaiting_approval",
      "denied",
      [why],
      stored.operation.audit.traceparent,
    );
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

/**
 * Runs an approved call or operation (or ends it when its approval expired). `original` is the request
 * as it was received — held by the waiting caller, or resubmitted — and what runs when given; it must
 * hash to the approval's digest. Without it the stored request runs, unless it was redacted.
 */
export async function resume(
  ctx: ExecutorContext,
  id: string,
  original?: Original,
): Promise<ToolCallOutcome | OperationOutcome> {
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
  if (original !== undefined && "operation" in original !== Boolean(stored.operation))
    return {
      kind: "rejected",
      error: executorError(
        "request_invalid",
        `${id} is ${stored.operation ? "an operation" : "a tool call"}: resubmit it as ${stored.operation ? "a WorkspaceOperationContract" : "a ToolExecutionRequest"}`,
      ),
    };
  return stored.operation
    ? (await operations()).resumeOperation(ctx, id, original as { operation: WorkspaceOperationContract })
    : resumeToolCall(ctx, id, original as { request: ToolExecutionRequest } | undefined);
}

/**
 * Waits for the call's approval to be resolved — in this or another process, on this or another
 * machine — woken by the store's change notifications (and by the approval's expiry), so an approval
 * is acted on within milliseconds. Runs the call once approved.
 */
export async function waitForApproval(
  ctx: ExecutorContext,
  request: ToolExecutionRequest,
  timeoutMs: number,
): Promise<ToolCallOutcome> {
  const id = request.toolExecutionId;
  const deadline = Date.now() + timeoutMs;
  const feed = new ChangeFeed(ctx.store);
  // A span of its own, ended when the wait is over: the run after an approval is not part of it.
  const waiting = ctx.tracing.start("wsops.approval.wait", "", { "wsops.tool_execution.id": id });
  try {
    for (;;) {
      const records = await ctx.store.read(id);
      const state = currentState(records);
      const approval = records.findLast((r) => r.type === "approval_request")?.data as ApprovalRequest;
      const expiresAt = Date.parse(approval.expiresAt);
      waiting.set({
        "wsops.approval_request.id": approval.approvalRequestId,
        "wsops.approval.state": state ?? undefined,
      });
      if (state === "approved" || (state === "awaiting_approval" && ctx.now().getTime() >= expiresAt)) {
        waiting.set({ "wsops.approval.state": state === "approved" ? "approved" : "expired" });
        waiting.end();
        // What runs is the request this caller sent, held in memory: never a copy read back from the store.
        const outcome = (await resume(ctx, id, { request })) as ToolCallOutcome;
        // Another process claimed or started it first (wsops resume), or resolved it meanwhile: wait
        // for what it does instead.
        const raced =
          outcome.kind === "rejected" &&
          ["already_claimed", "not_approved", "approval_not_pending"].includes(outcome.error.code);
        if (!raced) return outcome;
        await feed.next(Math.max(0, deadline - Date.now()));
        continue;
      }
      const result = records.findLast((r) => r.type === "result")?.data as ToolExecutionResult | undefined;
      if (result) return { kind: "finished", result };
      if (Date.now() >= deadline) {
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
      // Until something changes, the approval expires (on the executor's clock) or the wait ends.
      const untilExpiry =
        state === "awaiting_approval" ? expiresAt - ctx.now().getTime() : Number.POSITIVE_INFINITY;
      await feed.next(Math.max(0, Math.min(deadline - Date.now(), untilExpiry)));
    }
  } finally {
    waiting.end();
    feed.close();
  }
}
