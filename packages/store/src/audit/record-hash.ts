import { createHash } from "node:crypto";
import { canonicalJson } from "@workspace-ops/contracts/canonical-json";
import type { AuditRecord } from "../types.js";

/** The prevHash of the first record. */
export const GENESIS_HASH = `sha256:${"0".repeat(64)}`;

export const HASH_PATTERN = /^sha256:[0-9a-f]{64}$/;

/** Covers every field but the hash itself; prevHash both prefixes the input and sits inside it. */
export function hashRecord(record: Omit<AuditRecord, "hash">): string {
  const { seq, at, type, subject, data, prevHash } = record;
  const body = canonicalJson({ seq, at, type, subject, data, prevHash });
  return `sha256:${createHash("sha256").update(`${prevHash}\n${body}`, "utf8").digest("hex")}`;
}
