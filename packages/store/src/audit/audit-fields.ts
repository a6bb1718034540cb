import { StateError } from "../errors.js";
import type { AuditRecord } from "../types.js";
import { HASH_PATTERN } from "./record-hash.js";

/** A stored audit record as read back, or why it cannot be one. */
export type ParsedAudit =
  | { ok: true; record: AuditRecord }
  | { ok: false; seq: number | null; reason: string };

const KEYS = ["at", "data", "hash", "prevHash", "seq", "subject", "type"].join();

/**
 * Exactly the seven fields, each of its type: an extra key would be unprotected by the hash, so it is
 * refused too. `data` is the value, already parsed.
 */
export function parseAuditFields(value: unknown): ParsedAudit {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { ok: false, seq: null, reason: "not a JSON object" };
  }
  const fields = value as Record<string, unknown>;
  const seq = Number.isSafeInteger(fields.seq) && (fields.seq as number) >= 1 ? (fields.seq as number) : null;
  const keys = Object.keys(fields).sort().join();
  if (keys !== KEYS) return { ok: false, seq, reason: `has keys [${keys}], expected [${KEYS}]` };
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

/** A database row, whose data column holds JSON text. */
export interface AuditRow {
  seq: number;
  at: string;
  type: string;
  subject: string;
  data: string;
  prev_hash: string;
  hash: string;
}

export function parseAuditRow(row: AuditRow): ParsedAudit {
  let data: unknown;
  try {
    data = JSON.parse(row.data);
  } catch (thrown) {
    return { ok: false, seq: Number(row.seq), reason: `data is not JSON (${(thrown as Error).message})` };
  }
  const { seq, at, type, subject, prev_hash: prevHash, hash } = row;
  return parseAuditFields({ seq: Number(seq), at, type, subject, data, prevHash, hash });
}

/** The row of a record whose fields are known to be good (as returned to callers). */
export function auditFromRow(row: AuditRow): AuditRecord {
  const parsed = parseAuditRow(row);
  if (parsed.ok) return parsed.record;
  throw new StateError(
    "corrupt",
    `audit record seq ${row.seq} is malformed: ${parsed.reason}; run wsops audit verify`,
  );
}
