// Whether an approval holds: checked when a resolution is recorded and again, on every path, right
// before an approved call or operation runs — the database may have been edited in between. The
// request must still hash to the digest the approval was asked for; where the governing profile names
// approvers, the resolution must be signed by a key listed for its resolver.
import type {
  AgentMachineProfile,
  ApprovalRequest,
  ApprovalResolution,
  ToolExecutionRequest,
  ToolExecutionResult,
} from "@workspace-ops/contracts";
import type { StoredRecord } from "@workspace-ops/store";
import { type ExecutorContext, principalKey, type StoredRequest, storedRequest } from "./context.js";
import type { Reason } from "./decide.js";
import { type GovernanceState, readGovernance } from "./governance.js";
import { requestRedactions } from "./redaction/redaction-record.js";
import {
  type DigestSubject,
  delegationVerifies,
  requestDigest,
  signatureVerifies,
} from "./signing/approval-signature.js";

export type ApprovalCheckCode =
  /** The profile names approvers and the resolution carries no signature. */
  | "approval_unsigned"
  /** The signature does not verify over the resolution. */
  | "approval_bad_signature"
  /** The resolver is not among the profile's approvers, or signed with a key not listed for them. */
  | "approver_not_listed"
  /** The request (or the resolution's digest) is not the one the approval was asked for. */
  | "request_changed"
  /** The delegation behind a resolution made through a server is not the resolver's, not for the key that signed, or not in force. */
  | "delegation_invalid";

export type ApprovalVerdict =
  | { ok: true; signed: boolean; publicKey?: string }
  | { ok: false; reason: Reason & { code: ApprovalCheckCode } };

export type Approvers = NonNullable<AgentMachineProfile["approvers"]>;

/** The approvers of the profile that governs a request: the one it names, else the workspace's active one. */
export function approversOf(governance: GovernanceState, profileId: string | undefined): Approvers {
  return governance.profiles.get(profileId ?? governance.activeProfileId ?? "")?.approvers ?? [];
}

const refuse = (code: ApprovalCheckCode, message: string): ApprovalVerdict => ({
  ok: false,
  reason: { code, message, policy: "executor" },
});

/**
 * Checks a resolution against its approval request, the approvers, and — when `subject` is given —
 * the request itself. Without approvers an unsigned resolution holds (`signed: false`); a signature
 * that does not verify never does.
 */
export function checkApproval(facts: {
  approval: ApprovalRequest;
  resolution: ApprovalResolution;
  approvers: Approvers;
  subject?: DigestSubject;
  /** When the resolution is being recorded (on the executor's clock): a delegation must still be in force. */
  recordedAt?: Date;
}): ApprovalVerdict {
  const { approval, resolution, approvers, subject } = facts;
  const id = approval.approvalRequestId;
  if (subject !== undefined) {
    const digest = requestDigest(approval, subject);
    if (digest !== approval.requestDigest)
      return refuse(
        "request_changed",
        `the request is not the one approval ${id} was asked for: it hashes to ${digest}, the approval names ${approval.requestDigest ?? "no digest"}`,
      );
  }
  if (resolution.requestDigest !== undefined && resolution.requestDigest !== approval.requestDigest)
    return refuse(
      "request_changed",
      `the resolution of ${id} was made for request ${resolution.requestDigest}, not for ${approval.requestDigest}`,
    );
  const signature = resolution.signature;
  if (signature !== undefined && !signatureVerifies(resolution))
    return refuse(
      "approval_bad_signature",
      `the signature on the resolution of ${id} does not verify with ${signature.publicKey}`,
    );
  const delegated = resolution.delegation ? checkDelegation(resolution, facts.recordedAt) : undefined;
  if (delegated && !delegated.ok) return delegated;
  if (approvers.length === 0) return { ok: true, signed: false };
  const by = resolution.resolvedBy ? principalKey(resolution.resolvedBy) : "nobody";
  if (signature === undefined)
    return refuse(
      "approval_unsigned",
      `the profile names approvers, so the resolution of ${id} must be signed: wsops ${resolution.resolution === "denied" ? "deny" : "approve"} ${id} --by ${by} with ${by}'s key (wsops keys create --principal ${by})`,
    );
  // Through a server, the key that must be listed is the one that signed the delegation.
  const signer = resolution.delegation?.signature.publicKey ?? signature.publicKey;
  const theirs = approvers.filter((a) => principalKey(a.principal) === by);
  if (theirs.length === 0) return refuse("approver_not_listed", `${by} is not among the profile's approvers`);
  if (!theirs.some((a) => a.publicKey === signer))
    return refuse(
      "approver_not_listed",
      `the resolution of ${id} is signed with ${signer}${resolution.delegation ? " (by delegation)" : ""}, which the profile does not list for ${by}`,
    );
  return { ok: true, signed: true, publicKey: signer };
}

/** How far the executor's clock may be ahead of a server's when a delegated resolution is recorded. */
const DELEGATION_SKEW_MS = 60_000;

/**
 * The chain behind a resolution made through a server: the resolver's own key signed a delegation, for
 * themselves, to the very key that signed the resolution, in force when it was resolved.
 */
function checkDelegation(resolution: ApprovalResolution, recordedAt?: Date): ApprovalVerdict | undefined {
  const delegation = resolution.delegation;
  const signature = resolution.signature;
  if (!delegation || !signature) return undefined;
  const id = resolution.approvalRequestId;
  if (!delegationVerifies(delegation))
    return refuse(
      "approval_bad_signature",
      `the delegation behind the resolution of ${id} does not verify with ${delegation.signature.publicKey}`,
    );
  const by = resolution.resolvedBy ? principalKey(resolution.resolvedBy) : "nobody";
  if (principalKey(delegation.principal) !== by)
    return refuse(
      "delegation_invalid",
      `the resolution of ${id} is by ${by}, but its delegation is ${principalKey(delegation.principal)}'s`,
    );
  if (delegation.delegate !== signature.publicKey)
    return refuse(
      "delegation_invalid",
      `the resolution of ${id} is signed with ${signature.publicKey}, not with the key its delegation names`,
    );
  const at = Date.parse(resolution.resolvedAt);
  if (!(at >= Date.parse(delegation.issuedAt) && at <= Date.parse(delegation.expiresAt)))
    return refuse(
      "delegation_invalid",
      `the resolution of ${id} was made at ${resolution.resolvedAt}, outside its delegation (${delegation.issuedAt} to ${delegation.expiresAt})`,
    );
  // resolvedAt is the signer's word: a resolution is not taken once its delegation ended (a minute of clock skew allowed).
  if (recordedAt && recordedAt.getTime() > Date.parse(delegation.expiresAt) + DELEGATION_SKEW_MS)
    return refuse(
      "delegation_invalid",
      `the delegation behind the resolution of ${id} ended at ${delegation.expiresAt}, before it was recorded`,
    );
  return undefined;
}

/** The `approval` of a ToolExecutionResult: who resolved the call's approval, and whether it was signed. */
export type ResultApproval = NonNullable<ToolExecutionResult["approval"]>;

export type ApprovalHold =
  | { kind: "holds"; approval: ResultApproval }
  | { kind: "refused"; reason: Reason & { code: ApprovalCheckCode }; approval?: ResultApproval }
  /** The stored request was redacted: only the original (resubmitted, or held by the waiter) can run. */
  | { kind: "redacted"; rules: string[] };

/** The subject of the digest as stored: the tool call's request, or the operation and its submitter. */
export const storedSubject = (stored: StoredRequest): DigestSubject =>
  stored.operation
    ? { operation: stored.operation, actor: stored.actor as NonNullable<StoredRequest["actor"]> }
    : { request: stored.request as ToolExecutionRequest };

/**
 * Checks a stream's approval against the request to run — `original` when the caller holds it, else
 * the stored one — and the approvers of the profile in force now: right before an approved stream runs
 * (its recorded resolution), or when `recording` a resolution. A stored request that was redacted is
 * not checked when recording (the run checks the original) and cannot run (`redacted`).
 */
export async function approvalHolds(
  ctx: ExecutorContext,
  records: readonly StoredRecord[],
  options: { original?: DigestSubject; recording?: ApprovalResolution } = {},
): Promise<ApprovalHold> {
  const { original, recording } = options;
  const stored = storedRequest(records);
  const redacted = original === undefined ? requestRedactions(records) : null;
  if (redacted !== null && recording === undefined)
    return { kind: "redacted", rules: redacted.map((r) => r.rule) };
  const approval = records.findLast((r) => r.type === "approval_request")?.data as ApprovalRequest;
  const resolution =
    recording ?? (records.findLast((r) => r.type === "approval_resolution")?.data as ApprovalResolution);
  const approvers = approversOf(await readGovernance(ctx.store), stored.request?.profileId);
  const subject = original ?? (redacted === null ? storedSubject(stored) : undefined);
  const verdict = checkApproval({
    approval,
    resolution,
    approvers,
    ...(subject ? { subject } : {}),
    ...(recording ? { recordedAt: ctx.now() } : {}),
  });
  const summary =
    resolution.resolvedBy && resolution.resolution !== "expired"
      ? {
          resolution: resolution.resolution,
          resolvedBy: resolution.resolvedBy,
          signed: verdict.ok && verdict.signed,
          ...(verdict.ok && verdict.publicKey ? { publicKey: verdict.publicKey } : {}),
        }
      : undefined;
  if (!verdict.ok)
    return { kind: "refused", reason: verdict.reason, ...(summary ? { approval: summary } : {}) };
  return { kind: "holds", approval: summary as ResultApproval };
}
