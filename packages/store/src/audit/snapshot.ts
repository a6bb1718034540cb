// Verification and export over one consistent read of the audit log, whatever the backend.

import { StateError } from "../errors.js";
import type { AuditHead, AuditVerification } from "../types.js";
import type { ParsedAudit } from "./audit-fields.js";
import { exportHeader, serializeAuditRecord } from "./export-format.js";
import { verifyChain } from "./verify-chain.js";

/** The head and every record, in seq order, as one snapshot of the database saw them. */
export interface AuditSnapshot {
  head: AuditHead;
  records: AsyncIterable<ParsedAudit>;
}

/**
 * In a database the records are read in seq order, so a missing seq is a deletion, never a record
 * further on: there is nothing to look up.
 */
export const verifySnapshot = (snapshot: AuditSnapshot): Promise<AuditVerification> =>
  verifyChain({ head: snapshot.head, records: () => snapshot.records, positionOfSeq: async () => null });

/**
 * The export's lines — the header, then each record — in chunks of whole lines; a malformed record
 * stops it (`corrupt`).
 */
export async function* exportSnapshot(snapshot: AuditSnapshot, exportedAt: Date): AsyncGenerator<string> {
  const lines = [`${JSON.stringify(exportHeader(snapshot.head, exportedAt))}\n`];
  for await (const parsed of snapshot.records) {
    if (!parsed.ok)
      throw new StateError(
        "corrupt",
        `audit record seq ${parsed.seq} is malformed: ${parsed.reason}; run wsops audit verify`,
      );
    lines.push(serializeAuditRecord(parsed.record));
    if (lines.length >= 256) yield lines.splice(0).join("");
  }
  if (lines.length > 0) yield lines.join("");
}
