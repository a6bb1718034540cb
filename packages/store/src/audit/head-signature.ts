// The signed audit head: when a workspace has an audit key, every commit that moves the head signs the
// new (seq, hash) with it, in the same transaction. The hash chain already pins every record to the
// head, so a signature over the head pins the whole log: rewriting records and head together (the
// algorithm is public) no longer goes unnoticed by anyone who holds the audit public key.

import { canonicalJson } from "@workspace-ops/contracts/canonical-json";
import { PUBLIC_KEY_PATTERN, SIGNATURE_PATTERN, signMessage, verifyMessage } from "@workspace-ops/signing";
import { StateError } from "../errors.js";
import type { AuditHead, AuditHeadKey, AuditHeadSignature } from "../types.js";
import { HASH_PATTERN } from "./record-hash.js";

/** What is signed: the head, under a name of its own so no other signed message can stand in for it. */
export const auditHeadMessage = (head: AuditHead): string =>
  canonicalJson({ kind: "wsops.audit-head", seq: head.seq, hash: head.hash });

/**
 * Signatures already verified (or made) here. A signature is a pure function of message and key, so a
 * verified one stays verified: a commit after one of this process's own re-checks nothing.
 */
const verified = new Map<string, true>();
const remember = (key: string) => {
  if (verified.size >= 256) verified.delete(verified.keys().next().value as string);
  verified.set(key, true);
};

export function signAuditHead(head: AuditHead, key: AuditHeadKey): AuditHeadSignature {
  const message = auditHeadMessage(head);
  const value = signMessage(message, key.privateKey);
  remember(`${key.publicKey} ${value} ${message}`);
  return { seq: head.seq, hash: head.hash, algorithm: "ed25519", publicKey: key.publicKey, value };
}

/** Whether the signature is a valid signature of the head it names, by the key it names. */
export function signatureVerifies(signature: AuditHeadSignature): boolean {
  const message = auditHeadMessage(signature);
  const id = `${signature.publicKey} ${signature.value} ${message}`;
  if (verified.has(id)) return true;
  if (!verifyMessage(message, signature.value, signature.publicKey)) return false;
  remember(id);
  return true;
}

/** The stored JSON text of a head signature, or null (never signed); malformed text is `corrupt`. */
export function parseHeadSignature(text: string | null | undefined): AuditHeadSignature | null {
  if (text === null || text === undefined) return null;
  let value: Partial<AuditHeadSignature>;
  try {
    value = JSON.parse(text);
  } catch {
    throw new StateError("corrupt", "the audit head signature is not JSON; run wsops audit verify");
  }
  return asHeadSignature(value, "the audit head signature");
}

/** Checks the shape of a signature (from the database or an export header). */
export function asHeadSignature(value: unknown, what: string): AuditHeadSignature {
  const s = (value ?? {}) as Partial<AuditHeadSignature>;
  if (
    !Number.isSafeInteger(s.seq) ||
    (s.seq as number) < 1 ||
    typeof s.hash !== "string" ||
    !HASH_PATTERN.test(s.hash) ||
    s.algorithm !== "ed25519" ||
    typeof s.publicKey !== "string" ||
    !PUBLIC_KEY_PATTERN.test(s.publicKey) ||
    typeof s.value !== "string" ||
    !SIGNATURE_PATTERN.test(s.value) ||
    Object.keys(s).length !== 5
  )
    throw new StateError(
      "corrupt",
      `${what} must be {seq, hash, algorithm: "ed25519", publicKey, value}; run wsops audit verify`,
    );
  return s as AuditHeadSignature;
}

/**
 * Before a commit signs a new head: the head it extends must be the one last signed (or a later one,
 * when commits without the audit key came in between, whose first record chains onto the signed one),
 * signed by this key. Otherwise the log and its head were changed behind the store's back, and
 * signing now would bless the forgery: the commit is refused (`corrupt`).
 * `hashAtSignedSeq` is the stored hash of the record the signature names (needed only when the head
 * moved on since: see `needsSignedRecord`).
 */
export function assertSignedHead(
  key: AuditHeadKey,
  head: AuditHead,
  signature: AuditHeadSignature | null,
  hashAtSignedSeq: string | undefined,
): void {
  if (signature === null) return; // the first signed commit of this log
  const refuse = (why: string) => {
    throw new StateError("corrupt", `refusing to sign the audit head: ${why}; run wsops audit verify`);
  };
  if (signature.publicKey !== key.publicKey)
    refuse(`it is signed by ${signature.publicKey}, not by this executor's audit key ${key.publicKey}`);
  if (!signatureVerifies(signature)) refuse("its signature does not verify");
  if (signature.seq > head.seq)
    refuse(`the signature names seq ${signature.seq} but the log ends at seq ${head.seq}`);
  const stored = signature.seq === head.seq ? head.hash : hashAtSignedSeq;
  if (stored !== signature.hash)
    refuse(`record seq ${signature.seq} is not the one that was signed (the log was rewritten)`);
}

/** Whether assertSignedHead needs the hash of the record the signature names. */
export const needsSignedRecord = (head: AuditHead, signature: AuditHeadSignature | null): boolean =>
  signature !== null && signature.seq < head.seq;

export type HeadSignatureDefect = {
  code: "head_unsigned" | "head_signature_invalid";
  seq: number | null;
  message: string;
};

/**
 * Verification with the audit public keys a reader trusts: the head must be signed by one of them, the
 * signature must verify, name a record whose hash is the one the log holds there, and cover the head.
 * Null when all holds.
 */
export function headSignatureDefect(
  head: AuditHead,
  signature: AuditHeadSignature | null,
  hashAt: (seq: number) => string | undefined,
  trustedKeys: readonly string[],
): HeadSignatureDefect | null {
  if (signature === null) {
    if (head.seq === 0) return null; // nothing to sign yet
    return {
      code: "head_unsigned",
      seq: head.seq,
      message: `the audit head (seq ${head.seq}) is not signed, but a signature by ${trustedKeys.join(" or ")} was expected`,
    };
  }
  if (!trustedKeys.includes(signature.publicKey))
    return {
      code: "head_signature_invalid",
      seq: signature.seq,
      message: `the audit head is signed by ${signature.publicKey}, not by ${trustedKeys.join(" or ")}`,
    };
  if (!signatureVerifies(signature))
    return {
      code: "head_signature_invalid",
      seq: signature.seq,
      message: `the signature over seq ${signature.seq} does not verify: the head or its signature was changed`,
    };
  if (signature.seq > head.seq || hashAt(signature.seq) !== signature.hash)
    return {
      code: "head_signature_invalid",
      seq: signature.seq,
      message: `the log was rewritten: record seq ${signature.seq} is not the one that was signed`,
    };
  if (signature.seq < head.seq)
    return {
      code: "head_unsigned",
      seq: signature.seq + 1,
      message: `records ${signature.seq + 1}–${head.seq} are not covered by the signature (committed by an executor without the audit key): only their hash chain vouches for them`,
    };
  return null;
}
