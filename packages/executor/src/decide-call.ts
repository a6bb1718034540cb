// A decision without running: for agent runtimes that run the tool themselves (a Claude Code or
// Gemini CLI hook, `wsops decide`). validate → analyse → persist the request and the decision (and
// an approval request) → answer. A call the runtime may run is "running" (its runner is the
// runtime) until the runtime reports how it ended (recordOutcome).
import type { ContractError, ToolExecutionDecision, ToolExecutionRequest } from "@workspace-ops/contracts";
import { type Parked, parkedCalls, useApproval } from "./approval-reuse.js";
import { currentState, type ExecutorContext, type Mode, type Phase } from "./context.js";
import { approvalRequestFor, type Reason } from "./decide.js";
import { type ExecutorError, executorError } from "./errors.js";
import { readGovernance } from "./governance.js";
import { acceptRequest, decide, finishToolCall, recordDecision, withOpeningPhase } from "./tool-call.js";

export interface DecideOptions {
  /** Who runs the call once allowed: "claude-code", "gemini-cli", or the name a decide client gives. */
  runtime: string;
}

/** What the runtime is told. */
export type Verdict = "allow" | "deny" | "ask" | "approval_required";

export interface DecideAnswer {
  kind: "decided";
  toolExecutionId: string;
  mode: Mode;
  /**
   * allow: run it; deny: do not; ask: the runtime asks its user (the profile's approvalPrompt is
   * "runtime"); approval_required: a person approves it in wsops, then the same call retried goes
   * through once. Outside governed mode always allow: the runtime behaves as it would without wsops.
   */
  verdict: Verdict;
  /** True in governed mode: the verdict is the policy's. False in observe and disabled mode. */
  enforced: boolean;
  /** The policy's decision as recorded (absent when it could not decide, and in disabled mode). */
  decision?: ToolExecutionDecision;
  /** Why: the decision's reasons, or the executor's own (the policy unavailable, an approval pending). */
  reasons: Reason[];
  /** The policy could not decide: governed mode denies (fail closed), observe mode records it. */
  failure?: Reason;
  /** The approval this call waits for (a new one, or a pending one of the same call), or used. */
  approval?: {
    approvalRequestId: string;
    expiresAt: string;
    /** pending: a person has yet to decide; approved: the same call retried goes through; used: this call used it. */
    state: "pending" | "approved" | "used";
    /** The call the approval was asked for. */
    toolExecutionId: string;
  };
  /** The same request id was decided before: its answer, from the records. */
  replayed?: boolean;
}

export type DecideOutcome =
  | { kind: "rejected"; error: ExecutorError; errors?: ContractError[] }
  | DecideAnswer;

export async function decideCall(
  ctx: ExecutorContext,
  payload: unknown,
  options: DecideOptions,
): Promise<DecideOutcome> {
  const accepted = await acceptRequest(ctx, payload);
  if (!accepted.ok) return accepted.rejected;
  const { request, digest } = accepted;
  const started = ctx.now();
  return withOpeningPhase(
    ctx,
    request,
    { callDigest: digest, decidedFor: options.runtime },
    (phase) => decideOnly(ctx, request, digest, started, phase, options),
    () => replay(ctx, request, digest),
  );
}

async function decideOnly(
  ctx: ExecutorContext,
  request: ToolExecutionRequest,
  digest: string,
  started: Date,
  phase: Phase,
  options: DecideOptions,
): Promise<DecideAnswer> {
  const id = request.toolExecutionId;
  const answer = (verdict: Verdict, facts: Partial<DecideAnswer> = {}): DecideAnswer => ({
    kind: "decided",
    toolExecutionId: id,
    mode: ctx.mode,
    verdict,
    enforced: ctx.mode === "governed",
    reasons: [],
    ...facts,
  });
  // The runtime runs it now; it reports how it ended (or never does: then it stays running).
  const handOver = async (facts: Partial<DecideAnswer>, why: object = {}) => {
    phase.transition("pending", "running", { runner: { runtime: options.runtime, ...why } });
    await phase.commit();
    return answer(ctx.mode === "governed" ? (facts.verdict ?? "allow") : "allow", facts);
  };
  if (ctx.mode === "disabled") return handOver({});

  // The runtime runs what is allowed, in its own process: nothing hides the hidden paths from it.
  const decided = await decide(ctx, request, "none");
  if (!decided.ok) {
    phase.record("policy_failure", { reason: decided.reason });
    const facts = { reasons: [decided.reason], failure: decided.reason };
    if (ctx.mode === "observe") return handOver(facts);
    phase.transition("pending", "unavailable", { reason: decided.reason.code });
    await finishToolCall(ctx, request, started, { outcome: "unavailable", reasons: [decided.reason] }, phase);
    return answer("deny", facts);
  }
  const { decision } = decided;
  recordDecision(phase, decided);
  const decidedFacts = { decision, reasons: decision.reasons };
  if (ctx.mode === "observe" || decision.decision === "allow") return handOver(decidedFacts);
  if (decision.decision === "deny") {
    phase.transition("pending", "denied");
    await finishToolCall(
      ctx,
      request,
      started,
      { outcome: "denied", reasons: decision.reasons, decision },
      phase,
    );
    return answer("deny", decidedFacts);
  }

  const parked = await parkedCalls(ctx, request, digest);
  if (parked.approved) {
    useApproval(phase, parked.approved, id);
    return handOver(
      { ...decidedFacts, verdict: "allow", approval: approvalFacts(parked.approved, "used") },
      { approvalRequestId: parked.approved.approval.approvalRequestId },
    );
  }
  if (await prefersRuntimePrompt(ctx, request))
    return handOver({ ...decidedFacts, verdict: "ask" }, { prompt: "runtime" });
  if (parked.pending) {
    // No second approval for the same call: this one ends, naming the one that waits.
    const { approvalRequestId, expiresAt } = parked.pending.approval;
    const waiting: Reason = {
      code: "approval_pending",
      message: `approval ${approvalRequestId} for the same call is pending until ${expiresAt}`,
      policy: "executor",
    };
    phase.transition("pending", "denied", { reason: waiting.code });
    await finishToolCall(
      ctx,
      request,
      started,
      { outcome: "denied", reasons: [waiting], decision, approvalRequestId },
      phase,
    );
    return answer("approval_required", {
      ...decidedFacts,
      approval: approvalFacts(parked.pending, "pending"),
    });
  }
  const approval = approvalRequestFor(ctx, {
    subjectId: id,
    actor: request.context.actor,
    decision,
    summary: { tool: request.tool, cwd: request.context.cwd, workspaceId: request.context.workspaceId },
    traceparent: request.correlation.traceparent,
    subject: { request },
  });
  phase
    .approvalRequested(approval)
    .transition("pending", "awaiting_approval", { approvalRequestId: approval.approvalRequestId });
  await phase.commit();
  return answer("approval_required", {
    ...decidedFacts,
    approval: approvalFacts({ toolExecutionId: id, approval }, "pending"),
  });
}

const approvalFacts = (parked: Parked, state: "pending" | "used"): NonNullable<DecideAnswer["approval"]> => ({
  approvalRequestId: parked.approval.approvalRequestId,
  expiresAt: parked.approval.expiresAt,
  state,
  toolExecutionId: parked.toolExecutionId,
});

/** The profile the request names (else the active one) says approvals are the runtime's to ask. */
async function prefersRuntimePrompt(ctx: ExecutorContext, request: ToolExecutionRequest): Promise<boolean> {
  const governance = await readGovernance(ctx.store);
  const profile = governance.profiles.get(request.profileId ?? governance.activeProfileId ?? "");
  return profile?.approvalPrompt === "runtime";
}

/**
 * The answer already given to this request id (a runtime that sent the same call twice), read from
 * its records; another call under the same id is refused.
 */
async function replay(
  ctx: ExecutorContext,
  request: ToolExecutionRequest,
  digest: string,
): Promise<DecideOutcome> {
  const id = request.toolExecutionId;
  const records = await ctx.store.read(id);
  const first = records[0]?.data as { callDigest?: string; decidedFor?: string } | undefined;
  if (first?.callDigest !== digest || !first.decidedFor)
    return {
      kind: "rejected",
      error: executorError(
        "duplicate_request",
        `tool execution ${id} was already received`,
        "/toolExecutionId",
      ),
    };
  const last = <T>(type: string) => records.findLast((r) => r.type === type)?.data as T | undefined;
  const decision = last<ToolExecutionDecision>("decision");
  const result = last<{ reasons?: Reason[] }>("result");
  const failure = last<{ reason: Reason }>("policy_failure")?.reason;
  // The answer names the approval as a first answer does: its id and expiry, not the whole request.
  const asked = last<{ approvalRequestId: string; expiresAt: string }>("approval_request");
  const approval = asked && { approvalRequestId: asked.approvalRequestId, expiresAt: asked.expiresAt };
  const running = records.findLast(
    (r) => r.type === "transition" && (r.data as { to: string }).to === "running",
  )?.data as { runner?: { prompt?: string } } | undefined;
  const state = currentState(records);
  const answer: DecideAnswer = {
    kind: "decided",
    toolExecutionId: id,
    mode: ctx.mode,
    verdict: "allow",
    enforced: ctx.mode === "governed",
    reasons: result?.reasons ?? decision?.reasons ?? [],
    replayed: true,
    ...(decision ? { decision } : {}),
    ...(failure ? { failure } : {}),
  };
  if (!answer.enforced) return answer;
  if (state === "awaiting_approval" && approval)
    return {
      ...answer,
      verdict: "approval_required",
      approval: { ...approval, state: "pending", toolExecutionId: id },
    };
  if (state === "denied" || state === "unavailable") return { ...answer, verdict: "deny" };
  if (state === "approved" && approval)
    return {
      ...answer,
      verdict: "approval_required",
      approval: { ...approval, state: "approved", toolExecutionId: id },
    };
  return { ...answer, verdict: running?.runner?.prompt === "runtime" ? "ask" : "allow" };
}
