import { StateError } from "../errors.js";
import type { AuditHead } from "../types.js";
import { type AuditRow, parseAuditRow } from "./audit-fields.js";
import { hashRecord } from "./record-hash.js";

/**
 * Before chaining a record on, the log's end must agree with its head: never extend a chain that
 * fails its own checks — that would bury the evidence. Cheap: the head row and the last record.
 */
export function assertChainEnd(head: AuditHead, last: AuditRow | undefined): void {
  const damage = chainEndDamage(head, last);
  if (damage !== null)
    throw new StateError(
      "corrupt",
      `refusing to extend a damaged audit log: ${damage}; run wsops audit verify`,
    );
}

function chainEndDamage(head: AuditHead, last: AuditRow | undefined): string | null {
  if (last === undefined)
    return head.seq === 0 ? null : `the head records seq ${head.seq} but the log is empty`;
  const parsed = parseAuditRow(last);
  if (!parsed.ok) return `the last record (seq ${last.seq}) is malformed: ${parsed.reason}`;
  const { record } = parsed;
  if (record.seq !== head.seq || record.hash !== head.hash)
    return `the head records seq ${head.seq} but the log ends at seq ${record.seq} with another hash`;
  if (hashRecord(record) !== record.hash)
    return `the last record (seq ${record.seq}) does not match its hash`;
  return null;
}
