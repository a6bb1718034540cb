// Asking the policy: build the entrypoint's input from the request and the governance state, evaluate,
// and turn the result into a ToolExecutionDecision record (validated against its contract).
import type { Analyzer } from "@workspace-ops/analysis";
import {
  type ApprovalRequest,
  type ApprovalResolution,
  type CommandAnalysis,
  errorsInOneLine,
  type LocalAgentExecution,
  type Principal,
  type ToolExecutionDecision,
  type ToolExecutionRequest,
  validate,
  type WorkspaceOperationContract,
} from "@workspace-ops/contracts";
import type { Decision, Evaluation, PolicyError, PolicyRuntime } from "@workspace-ops/policy";
import type { Store } from "@workspace-ops/store";
import type { ExecutorContext } from "./context.js";
import { type GovernanceState, readGovernance, recentUsage } from "./governance.js";
import { newId } from "./ids.js";
import { type DigestSubject, requestDigest } from "./signing/approval-signature.js";
import { type Isolation, type Machine, type Target, targetOf } from "./target.js";
import { decisionAttributes } from "./tracing/attributes.js";

export interface DecideContext {
  policy: PolicyRuntime;
  /** Loaded only when something is to be analysed (a shell call, an operation's steps). */
  analyzer: Analyzer | null;
  store: Store;
  governance: GovernanceState;
  /** What the executor knows about the machine, for file tools (loaded on first use). */
  machine: () => Promise<Machine>;
  now: Date;
}

async function stateInput(ctx: DecideContext, profileId: string | undefined) {
  const profile = ctx.governance.profiles.get(profileId ?? ctx.governance.activeProfileId ?? "");
  const binding = profile ? ctx.governance.bindings.get(profile.persona) : undefined;
  const input: Record<string, unknown> = {
    now: ctx.now.toISOString(),
    grants: [...ctx.governance.grants.values()],
  };
  if (profile) input.profile = profile;
  if (binding) {
    input.binding = binding;
    input.usage = await recentUsage(ctx.store, binding.persona, ctx.now);
  }
  return input;
}

/**
 * An evaluation and what the executor worked out for the policy (its own, never the caller's): the
 * command analysis of a shell call, the resolved target of a file or web tool.
 */
export type Analysed = Evaluation & { analysis?: CommandAnalysis; target?: Target };

/** `isolation`: where the call runs once allowed (the runtime's own process for a hook: "none"). */
export async function decideToolCall(
  ctx: DecideContext,
  request: ToolExecutionRequest,
  isolation: Isolation,
): Promise<Analysed> {
  const { kind } = request.tool;
  const analysis = kind === "shell" && ctx.analyzer ? ctx.analyzer.analyzeTool(request.tool) : undefined;
  const target = await targetOf(request, analysis, ctx.machine);
  const input = {
    ...(await stateInput(ctx, request.profileId)),
    request,
    ...(analysis ? { analysis } : {}),
    ...(kind === "file" || kind === "shell" ? { machine: { ...(await ctx.machine()), isolation } } : {}),
    ...(target ? { target } : {}),
  };
  // A shell command's paths are not recorded: they are words of its argv (`--password=VALUE` among
  // them) cut out of the context the redaction rules recognise. They follow from the recorded
  // analysis and the file system.
  const recordedTarget = target && kind !== "shell" ? { target } : {};
  return {
    ...ctx.policy.evaluate("workspace_ops/tool_execution/decision", input),
    ...(analysis ? { analysis } : {}),
    ...recordedTarget,
  };
}

/** One analysis per step of an execution.start, in step order (a shell: true step's script is parsed). */
export function stepAnalysis(analyzer: Analyzer, operation: WorkspaceOperationContract): CommandAnalysis[] {
  if (operation.artifact.kind !== "LocalAgentExecution") return [];
  return (operation.artifact as LocalAgentExecution).steps.map((step) => analyzer.analyzeStep(step));
}

export async function decideOperation(
  ctx: DecideContext,
  operation: WorkspaceOperationContract,
  actor: Principal,
): Promise<Evaluation> {
  if (!ctx.analyzer) throw new Error("an operation is decided with the analyzer loaded");
  const steps = stepAnalysis(ctx.analyzer, operation);
  const input = {
    ...(await stateInput(ctx, undefined)),
    operation,
    actor,
    ...(steps.length ? { stepAnalysis: steps } : {}),
  };
  return ctx.policy.evaluate("workspace_ops/operation/decision", input);
}

export function decideApproval(
  policy: PolicyRuntime,
  request: ApprovalRequest,
  resolution: ApprovalResolution,
  now: Date,
) {
  return policy.evaluate("workspace_ops/approval/decision", { request, resolution, now: now.toISOString() });
}

/** The contract record of a decision the policy gave. */
export function decisionRecord(
  evaluation: Extract<Evaluation, { ok: true }>,
  toolExecutionId: string,
  traceparent: string,
): ToolExecutionDecision {
  const { decision, record } = evaluation;
  const value = {
    kind: "ToolExecutionDecision",
    apiVersion: "workspace-ops.dev/v1",
    decisionId: record.decisionId,
    toolExecutionId,
    decision: decision.decision,
    reasons: decision.reasons,
    obligations: decision.obligations,
    policyRevision: record.bundleRevision,
    decidedAt: record.evaluatedAt,
    entrypoint: record.entrypoint,
    inputDigest: record.inputDigest,
    durationMs: record.durationMs,
    traceparent,
    ...(decision.classification ? { classification: decision.classification } : {}),
  };
  const checked = validate("ToolExecutionDecision", value);
  if (!checked.ok) {
    // The policy's obligations do not fit the contract: that is a malformed decision, never an allow.
    throw new MalformedDecision(errorsInOneLine(checked.errors));
  }
  return checked.value;
}

export class MalformedDecision extends Error {
  readonly code = "decision_malformed";
}

export type Reason = Decision["reasons"][number];

/** The reason the executor gives when the policy could not decide. */
export const unavailableReason = (error: { code: string; message: string }): Reason => ({
  code: error.code,
  message: error.message.slice(0, 4096),
  policy: "executor",
});

/** Why a command could not be analysed: its shell parser did not load. */
export const parserUnavailable = (error: unknown) => ({
  code: "analysis_unavailable",
  message: `the shell parser did not load: ${String(error)}`,
});

export type Decided =
  | { ok: true; decision: ToolExecutionDecision; analysis?: CommandAnalysis; target?: Target }
  | { ok: false; reason: Reason };

/**
 * Loads the policy, evaluates it over the governance state and returns the decision record. Every
 * failure — no bundle, a trap, a result that is not a decision — is a reason, never an allow. One
 * `wsops.decision` span.
 */
export function decideRecorded(
  ctx: ExecutorContext,
  subjectId: string,
  traceparent: string,
  evaluate: (decide: DecideContext) => Promise<Analysed>,
  options: { analyse?: boolean } = {},
): Promise<Decided> {
  return ctx.tracing.span("wsops.decision", traceparent, { "wsops.subject.id": subjectId }, async (span) => {
    const decided = await decideNow(ctx, subjectId, traceparent, evaluate, options);
    if (decided.ok) span.set(decisionAttributes(decided.decision));
    else {
      span.set({ "wsops.reason": decided.reason.code });
      span.fail(decided.reason.code);
    }
    return decided;
  });
}

async function decideNow(
  ctx: ExecutorContext,
  subjectId: string,
  traceparent: string,
  evaluate: (decide: DecideContext) => Promise<Analysed>,
  options: { analyse?: boolean } = {},
): Promise<Decided> {
  const policy = await ctx.policy();
  if (!policy.ok) return { ok: false, reason: unavailableReason(policy.error) };
  // The shell parser is loaded only for what has commands in it; a file tool's decision does without.
  const analyzer = options.analyse === false ? { ok: true as const, analyzer: null } : await ctx.analyzer();
  if (!analyzer.ok) return { ok: false, reason: unavailableReason(analyzer.error) };
  const governance = await readGovernance(ctx.store);
  const decideContext: DecideContext = {
    policy: policy.runtime,
    analyzer: analyzer.analyzer,
    store: ctx.store,
    governance,
    machine: ctx.machine,
    now: ctx.now(),
  };
  let evaluation: Analysed;
  try {
    evaluation = await evaluate(decideContext);
  } catch (error) {
    // The command has a script in it: load the shell parser, then decide again (nothing was decided).
    if ((error as Error).name !== "ShellParserNeeded" || !analyzer.analyzer) throw error;
    try {
      await analyzer.analyzer.loadParser();
    } catch (loadError) {
      return { ok: false, reason: unavailableReason(parserUnavailable(loadError)) };
    }
    evaluation = await evaluate(decideContext);
  }
  if (!evaluation.ok) return { ok: false, reason: unavailableReason(evaluation.error) };
  try {
    const decision = decisionRecord(evaluation, subjectId, traceparent);
    return {
      ok: true,
      decision,
      ...(evaluation.analysis ? { analysis: evaluation.analysis } : {}),
      ...(evaluation.target ? { target: evaluation.target } : {}),
    };
  } catch (error) {
    if (!(error instanceof MalformedDecision)) throw error;
    return {
      ok: false,
      reason: { code: "decision_malformed", message: error.message.slice(0, 4096), policy: "executor" },
    };
  }
}

/** The ApprovalRequest for a call or operation the policy parked, checked against its contract. */
export function approvalRequestFor(
  ctx: ExecutorContext,
  facts: {
    subjectId: string;
    actor: Principal;
    decision: ToolExecutionDecision;
    summary: ApprovalRequest["summary"];
    traceparent: string;
    /** The request exactly as received: its digest binds the approval to it. */
    subject: DigestSubject;
  },
): ApprovalRequest {
  const now = ctx.now();
  const approvalRequestId = newId("apr");
  const expiresAt = new Date(now.getTime() + ctx.approvalTtlSeconds * 1000).toISOString();
  const approval: ApprovalRequest = {
    kind: "ApprovalRequest",
    apiVersion: "workspace-ops.dev/v1",
    approvalRequestId,
    toolExecutionId: facts.subjectId,
    decisionId: facts.decision.decisionId,
    requestedBy: facts.actor,
    requestedAt: now.toISOString(),
    expiresAt,
    requestDigest: requestDigest({ approvalRequestId, expiresAt, requestedBy: facts.actor }, facts.subject),
    reasons: facts.decision.reasons,
    summary: facts.summary,
    traceparent: facts.traceparent,
  };
  const checked = validate("ApprovalRequest", approval);
  if (!checked.ok)
    throw new Error(`executor built an invalid ApprovalRequest: ${checked.errors[0]?.message}`);
  return approval;
}
