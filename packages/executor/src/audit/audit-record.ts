import { HASH_PATTERN } from "./record-hash.js";
import type { AuditRecord } from "./types.js";

const KEYS = ["at", "data", "hash", "prevHash", "seq", "subject", "type"];

export type ParsedLine =
  | { ok: true; record: AuditRecord }
  | { ok: false; seq: number | null; reason: string };

/** Exactly the seven fields: an extra key would be unprotected by the hash, so it is refused too. */
export function parseAuditLine(line: string): ParsedLine {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (thrown) {
    return { ok: false, seq: null, reason: `not JSON (${(thrown as Error).message})` };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { ok: false, seq: null, reason: "not a JSON object" };
  }
  const fields = value as Record<string, unknown>;
  const seq = Number.isSafeInteger(fields.seq) && (fields.seq as number) >= 1 ? (fields.seq as number) : null;
  const keys = Object.keys(fields).sort().join();
  if (keys !== KEYS.join())
    return { ok: false, seq, reason: `has keys [${keys}], expected [${KEYS.join()}]` };
  const { at, type, subject, data, prevHash, hash } = fields;
  if (seq === null) return { ok: false, seq, reason: "seq is not a positive integer" };
  if (typeof at !== "string" || typeof type !== "string" || typeof subject !== "string") {
    return { ok: false, seq, reason: "at, type and subject must be strings" };
  }
  if (typeof prevHash !== "string" || !HASH_PATTERN.test(prevHash))
    return { ok: false, seq, reason: "bad prevHash" };
  if (typeof hash !== "string" || !HASH_PATTERN.test(hash)) return { ok: false, seq, reason: "bad hash" };
  return { ok: true, record: { seq, at, type, subject, data, prevHash, hash } };
}

export const parseAuditRecord = (line: string): AuditRecord | null => {
  const parsed = parseAuditLine(line);
  return parsed.ok ? parsed.record : null;
};

export const serializeAuditRecord = (record: AuditRecord): string => {
  const { seq, at, type, subject, data, prevHash, hash } = record;
  return `${JSON.stringify({ seq, at, type, subject, data, prevHash, hash })}\n`;
};
