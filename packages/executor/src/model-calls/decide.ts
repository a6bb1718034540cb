// One decision of a model call: the persona's binding, its usage in the window, what calls in flight
// reserved and which providers failed lately go to workspace_ops/model_call/decision; the result is a
// ModelCallDecision record (validated against its contract) and, on allow, the entry to call.
import {
  type ModelCallDecision,
  type ModelCallRequest,
  type ModelProviderBinding,
  validate,
} from "@workspace-ops/contracts";
import type { ExecutorContext } from "../context.js";
import { readGovernance, recentUsage } from "../governance.js";
import type { ProviderHealth } from "./provider-health.js";
import { chainEntry, type RouteTarget, reservedAsUsage, WINDOW_MS, windowUsage } from "./route.js";

export const MODEL_CALL_ENTRYPOINT = "workspace_ops/model_call/decision";

/** Why a call is not made: a reason code, and what to tell the caller. */
export interface Refusal {
  /**
   * capability_unmet (no entry offers what the call needs), budget_exhausted, no_provider (every
   * entry that could serve it failed lately), request_invalid, policy_unavailable, decision_malformed,
   * or the code of the policy's first deny reason (binding_missing, model_not_bound, …).
   */
  code: string;
  message: string;
}

export type Decided =
  | { ok: true; decision: ModelCallDecision; binding: ModelProviderBinding; target: RouteTarget }
  | { ok: false; refusal: Refusal; decision?: ModelCallDecision };

/** The deny reasons a caller tells apart, most telling first (the gateway's 412, 429, 503). */
const refusalOrder = ["capability_unmet", "budget_exhausted", "no_provider"];

export function refusalOf(decision: ModelCallDecision): Refusal {
  const codes = decision.reasons.map((r) => r.code);
  const code = refusalOrder.find((c) => codes.includes(c)) ?? codes[0] ?? "denied";
  return { code, message: decision.reasons.map((r) => r.message).join("; ") };
}

export async function decideAttempt(
  ctx: ExecutorContext,
  request: ModelCallRequest,
  attempt: number,
  health: ProviderHealth,
): Promise<Decided> {
  const policy = await ctx.policy();
  if (!policy.ok)
    return { ok: false, refusal: { code: "policy_unavailable", message: policy.error.message } };
  const now = ctx.now();
  const [governance, usage, reserved] = await Promise.all([
    readGovernance(ctx.store),
    recentUsage(ctx.store, request.persona, now),
    ctx.store.reservations(request.persona, now),
  ]);
  const binding = governance.bindings.get(request.persona);
  const input = {
    request,
    now: now.toISOString(),
    usage: windowUsage(usage, now.getTime() - WINDOW_MS),
    reserved: reserved.map((r) => reservedAsUsage(r, now)),
    unavailable: health.unavailable(now),
    ...(binding ? { binding } : {}),
  };
  const evaluation = policy.runtime.evaluate(MODEL_CALL_ENTRYPOINT, input);
  if (!evaluation.ok)
    return { ok: false, refusal: { code: "policy_unavailable", message: evaluation.error.message } };
  const { decision, record } = evaluation;
  const checked = validate("ModelCallDecision", {
    kind: "ModelCallDecision",
    apiVersion: "workspace-ops.dev/v1",
    decisionId: record.decisionId,
    modelCallId: request.modelCallId,
    persona: request.persona,
    attempt,
    decision: decision.decision,
    reasons: decision.reasons,
    ...(decision.route ? { route: decision.route } : {}),
    skipped: decision.skipped ?? [],
    policyRevision: record.bundleRevision,
    decidedAt: record.evaluatedAt,
    entrypoint: record.entrypoint,
    inputDigest: record.inputDigest,
    durationMs: record.durationMs,
    traceparent: request.correlation.traceparent,
  });
  // A document that does not fit the record is a malformed decision, never an allow.
  if (!checked.ok)
    return {
      ok: false,
      refusal: {
        code: "decision_malformed",
        message: checked.errors.map((e) => `${e.pointer} ${e.message}`).join("; "),
      },
    };
  const recorded = checked.value;
  const target = recorded.route && binding ? chainEntry(binding, recorded.route.entry) : undefined;
  if (recorded.decision !== "allow" || !binding || !target)
    return { ok: false, refusal: refusalOf(recorded), decision: recorded };
  return { ok: true, decision: recorded, binding, target };
}
