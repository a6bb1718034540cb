// Approvals bound to the exact call. An agent runtime cannot wait for an approval: its hook answers
// at once, and the agent retries the call later as a new call with a new id. So a call that needs
// approval first looks for an earlier call that is the same (the same call digest: its tool, cwd,
// workspace and actor — not its ids or times): approved and not used yet → this call goes through
// and uses the approval (the earlier call moves on in the same commit, a compare-and-set on its
// state, so two retries can never both pass); still pending → no second approval is asked for.
import { createHash } from "node:crypto";
import type { ApprovalRequest, ApprovalResolution, ToolExecutionRequest } from "@workspace-ops/contracts";
import { canonicalJson } from "@workspace-ops/contracts/canonical-json";
import type { StoredRecord } from "@workspace-ops/store";
import { approvalHolds } from "./approval-check.js";
import { expire } from "./approvals.js";
import { currentState, type ExecutorContext, type Phase, principalKey } from "./context.js";

/** sha256 of the canonical JSON of what makes two calls the same call. */
export function callDigest(request: ToolExecutionRequest): string {
  const { tool, context } = request;
  const same = {
    tool,
    cwd: context.cwd,
    workspace: { organizationId: context.organizationId, workspaceId: context.workspaceId },
    actor: context.actor,
  };
  return `sha256:${createHash("sha256").update(canonicalJson(same)).digest("hex")}`;
}

export interface Parked {
  toolExecutionId: string;
  approval: ApprovalRequest;
}

/** What the first record of a tool call holds besides the request. */
interface RequestRecord {
  callDigest?: string;
}

/**
 * The earlier calls of the same actor with this digest that wait for their approval (pending, not
 * expired) or hold an approved one not used yet (resolved within the approval lifetime). Expired
 * pending ones met on the way are ended, as `wsops resume` would.
 */
export async function parkedCalls(
  ctx: ExecutorContext,
  request: ToolExecutionRequest,
  digest: string,
): Promise<{ pending?: Parked; approved?: Parked }> {
  const found: { pending?: Parked; approved?: Parked } = {};
  const actor = principalKey(request.context.actor);
  const now = ctx.now().getTime();
  for (const state of ["approved", "awaiting_approval"] as const) {
    const streams = await ctx.store.listStreams({ kind: "tool_execution", actor, state, limit: 1000 });
    for (const { stream } of streams) {
      if (stream === request.toolExecutionId) continue;
      const records = await ctx.store.read(stream);
      if ((records[0]?.data as RequestRecord | undefined)?.callDigest !== digest) continue;
      // The list is a snapshot: the call may have moved on since.
      if (currentState(records) !== state) continue;
      const approval = lastOf<ApprovalRequest>(records, "approval_request");
      if (!approval) continue;
      if (state === "awaiting_approval") {
        if (now >= Date.parse(approval.expiresAt)) {
          await expire(ctx, stream);
          continue;
        }
        found.pending ??= { toolExecutionId: stream, approval };
      } else {
        const resolved = lastOf<ApprovalResolution>(records, "approval_resolution");
        const usableUntil = Date.parse(resolved?.resolvedAt ?? "") + ctx.approvalTtlSeconds * 1000;
        if (now < usableUntil && !found.approved && (await reusable(ctx, records, digest)))
          found.approved = { toolExecutionId: stream, approval };
      }
    }
  }
  return found;
}

/**
 * Whether an approved call's approval may stand for a retry with this digest. The stored call digest
 * is only an index: what counts is the approval as signed. So the approval must hold (signature,
 * approvers, the stored request unchanged since it was signed — never a redacted one, which cannot be
 * checked), and the digest is recomputed from that verified request, not read from the record.
 */
async function reusable(
  ctx: ExecutorContext,
  records: readonly StoredRecord[],
  digest: string,
): Promise<boolean> {
  const held = await approvalHolds(ctx, records);
  if (held.kind !== "holds") return false;
  const stored = (records[0]?.data as { request?: ToolExecutionRequest } | undefined)?.request;
  return stored !== undefined && callDigest(stored) === digest;
}

/**
 * Adds the use of `parked`'s approval to the phase of the call that uses it: a record on each call,
 * and the approved call moves on to running as `toolExecutionId` — in the phase's commit, which
 * fails with `conflict` when another call used it first.
 */
export function useApproval(phase: Phase, parked: Parked, toolExecutionId: string): Phase {
  const { approvalRequestId } = parked.approval;
  phase.record("approval_used", { approvalRequestId, toolExecutionId: parked.toolExecutionId });
  return phase.otherTransition(
    parked.toolExecutionId,
    "approved",
    "running",
    { runner: { as: toolExecutionId } },
    [{ type: "approval_used_by", data: { approvalRequestId, toolExecutionId } }],
  );
}

/** The call whose approval this one used, if it used one. */
export const usedApprovalOf = (records: readonly StoredRecord[]): string | undefined =>
  lastOf<{ toolExecutionId: string }>(records, "approval_used")?.toolExecutionId;

const lastOf = <T>(records: readonly StoredRecord[], type: string): T | undefined =>
  records.findLast((r) => r.type === type)?.data as T | undefined;
