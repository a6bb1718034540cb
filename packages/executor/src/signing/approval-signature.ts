// What an approval binds: the request digest (the exact request as received — argv or operation, cwd,
// workspace — who asked, until when, under which approval id) and the resolution signed over that digest.
import { createHash } from "node:crypto";
import type {
  ApprovalResolution,
  Principal,
  ToolExecutionRequest,
  WorkspaceOperationContract,
} from "@workspace-ops/contracts";
import { canonicalJson } from "@workspace-ops/contracts/canonical-json";
import { signMessage, verifyMessage } from "@workspace-ops/signing";
import type { LoadedKey } from "./key-names.js";

/** The request an approval is for: a tool call, or an operation and who submitted it. */
export type DigestSubject =
  | { request: ToolExecutionRequest }
  | { operation: WorkspaceOperationContract; actor: Principal };

/** A request as its sender holds it (or resubmits it): the submitter of an operation is the stored one. */
export type Original = { request: ToolExecutionRequest } | { operation: WorkspaceOperationContract };

/**
 * What the approval request adds to the request. The workspace is the request's own (its
 * organizationId and workspaceId, and the operation's workspace): executors on several machines share
 * one store and hold the same workspace at different paths, so the path is not part of it.
 */
export interface DigestFacts {
  approvalRequestId: string;
  expiresAt: string;
  requestedBy: Principal;
}

/** sha256 over the canonical JSON of the facts and the subject, exactly as received (never redacted). */
export function requestDigest(facts: DigestFacts, subject: DigestSubject): string {
  const { approvalRequestId, expiresAt, requestedBy } = facts;
  const text = canonicalJson({ approvalRequestId, expiresAt, requestedBy, ...subject });
  return `sha256:${createHash("sha256").update(text, "utf8").digest("hex")}`;
}

/** The message a resolution's signature covers (the comment is not part of it). */
export function resolutionMessage(resolution: ApprovalResolution): string {
  const { approvalRequestId, requestDigest, resolution: how, resolvedBy, resolvedAt } = resolution;
  return canonicalJson({ approvalRequestId, requestDigest, resolution: how, resolvedBy, resolvedAt });
}

/** The resolution with its signature by `key` (it must carry the request digest). */
export function signResolution(resolution: ApprovalResolution, key: LoadedKey): ApprovalResolution {
  const value = signMessage(resolutionMessage(resolution), key.privateKey);
  return { ...resolution, signature: { algorithm: "ed25519", publicKey: key.publicKey, value } };
}

/** A resolver's delegation to a session key (ApprovalResolution.delegation), before and after signing. */
export type SigningDelegation = NonNullable<ApprovalResolution["delegation"]>;
export type UnsignedDelegation = Omit<SigningDelegation, "signature">;

/** The message a delegation's signature covers: everything it says, under its own kind. */
export function delegationMessage(delegation: UnsignedDelegation): string {
  const { principal, delegate, audience, nonce, issuedAt, expiresAt } = delegation;
  return canonicalJson({
    kind: "wsops.signing-delegation",
    principal,
    delegate,
    audience,
    nonce,
    issuedAt,
    expiresAt,
  });
}

/** The delegation signed by the principal's own key (`wsops login`: the key never leaves the machine). */
export function signDelegation(delegation: UnsignedDelegation, key: LoadedKey): SigningDelegation {
  const value = signMessage(delegationMessage(delegation), key.privateKey);
  return { ...delegation, signature: { algorithm: "ed25519", publicKey: key.publicKey, value } };
}

/** Whether the delegation's signature is a valid signature of it by the key it names. */
export const delegationVerifies = (delegation: SigningDelegation): boolean =>
  verifyMessage(delegationMessage(delegation), delegation.signature.value, delegation.signature.publicKey);

/** Whether the resolution's signature is a valid signature of it by the key it names. */
export const signatureVerifies = (resolution: ApprovalResolution): boolean =>
  resolution.signature !== undefined &&
  verifyMessage(resolutionMessage(resolution), resolution.signature.value, resolution.signature.publicKey);
