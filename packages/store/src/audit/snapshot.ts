// Verification and export over one consistent read of the audit log, whatever the backend.

import { StateError } from "../errors.js";
import type { AuditHead, AuditVerification, VerifyOptions } from "../types.js";
import type { ParsedAudit } from "./audit-fields.js";
import { exportHeader, serializeAuditRecord } from "./export-format.js";
import { parseHeadSignature } from "./head-signature.js";
import { verifyChain } from "./verify-chain.js";

/** The head and every record, in seq order, as one snapshot of the database saw them. */
export interface AuditSnapshot {
  head: AuditHead;
  /** The JSON text of the head's signature, read in the same snapshot; null when it was never signed. */
  signature: string | null;
  records: AsyncIterable<ParsedAudit>;
}

/**
 * In a database the records are read in seq order, so a missing seq is a deletion, never a record
 * further on: there is nothing to look up.
 */
export const verifySnapshot = (
  snapshot: AuditSnapshot,
  options: VerifyOptions = {},
): Promise<AuditVerification> =>
  verifyChain(
    {
      head: snapshot.head,
      signature: signatureOf(snapshot.signature),
      records: () => snapshot.records,
      positionOfSeq: async () => null,
    },
    options.headKeys,
  );

function signatureOf(text: string | null) {
  try {
    return parseHeadSignature(text);
  } catch (error) {
    if (error instanceof StateError)
      return { malformed: error.message.replace(/; run wsops audit verify$/, "") };
    throw error;
  }
}

/**
 * The export's lines — the header, then each record — in chunks of whole lines; a malformed record
 * stops it (`corrupt`).
 */
export async function* exportSnapshot(snapshot: AuditSnapshot, exportedAt: Date): AsyncGenerator<string> {
  const lines = [
    `${JSON.stringify(exportHeader(snapshot.head, exportedAt, parseHeadSignature(snapshot.signature)))}\n`,
  ];
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
