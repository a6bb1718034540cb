// Asking the policy: build the entrypoint's input from the request and the governance state, evaluate,
// and turn the result into a ToolExecutionDecision record (validated against its contract).
import {
  type ApprovalRequest,
  type ApprovalResolution,
  type Principal,
  type ToolExecutionDecision,
  type ToolExecutionRequest,
  validate,
  type WorkspaceOperationContract,
} from "@workspace-ops/contracts";
import type { Decision, Evaluation, PolicyError, PolicyRuntime } from "@workspace-ops/policy";
import { type GovernanceState, recentUsage } from "./governance.js";
import type { Store } from "./store/index.js";

export interface DecideContext {
  policy: PolicyRuntime;
  store: Store;
  governance: GovernanceState;
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

export async function decideToolCall(ctx: DecideContext, request: ToolExecutionRequest): Promise<Evaluation> {
  const input = { ...(await stateInput(ctx, request.profileId)), request };
  return ctx.policy.evaluate("workspace_ops/tool_execution/decision", input);
}

export async function decideOperation(
  ctx: DecideContext,
  operation: WorkspaceOperationContract,
  actor: Principal,
): Promise<Evaluation> {
  const input = { ...(await stateInput(ctx, undefined)), operation, actor };
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
  };
  const checked = validate("ToolExecutionDecision", value);
  if (!checked.ok) {
    // The policy's obligations do not fit the contract: that is a malformed decision, never an allow.
    throw new MalformedDecision(checked.errors.map((e) => `${e.pointer} ${e.message}`).join("; "));
  }
  return checked.value;
}

export class MalformedDecision extends Error {
  readonly code = "decision_malformed";
}

export type Reason = Decision["reasons"][number];

/** The reason the executor gives when the policy could not decide. */
export const unavailableReason = (error: PolicyError): Reason => ({
  code: error.code,
  message: error.message.slice(0, 4096),
  policy: "executor",
});
