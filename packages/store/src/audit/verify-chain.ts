import type { AuditDefect, AuditHead, AuditHeadSignature, AuditRecord, AuditVerification } from "../types.js";
import type { ParsedAudit } from "./audit-fields.js";
import { headSignatureDefect } from "./head-signature.js";
import { GENESIS_HASH, hashRecord } from "./record-hash.js";

/** What a chain verification reads: the records in stored order, the head, and a look-up. */
export interface ChainSource {
  /** The records (or what stands in their place) in the order they are stored. */
  records(): AsyncIterable<ParsedAudit>;
  /** The head the store (or an export's header) records. */
  head: AuditHead;
  /** The 1-based position of the record with this seq, if any: tells a reorder from a deletion. */
  positionOfSeq(seq: number): Promise<number | null>;
  /** The head's signature, when it has one (`malformed`: what the store holds is not one). */
  signature?: AuditHeadSignature | null | { malformed: string };
}

/** How far from its place a record whose seq was changed is still recognised as moved, not edited. */
const REORDER_WINDOW = 64;

type FirstBad = Extract<AuditVerification, { ok: false }>["firstBad"];

/**
 * Checks every record's hash, the chain, the sequence (1, 2, 3… without gaps) and the head, and names
 * the first thing wrong. The head must name the last record exactly: records missing at the end are a
 * truncation, records after the head were not written by the store. With `headKeys` (trusted audit
 * public keys), the head must then be signed by one of them (see headSignatureDefect).
 */
export async function verifyChain(
  source: ChainSource,
  headKeys: readonly string[] = [],
): Promise<AuditVerification> {
  const stored = source.signature ?? null;
  const signature = stored !== null && "malformed" in stored ? null : stored;
  let signedHash: string | undefined;
  let previous: AuditRecord | null = null;
  let position = 0;
  for await (const parsed of source.records()) {
    position++;
    if (parsed.ok && parsed.record.seq === signature?.seq) signedHash = parsed.record.hash;
    const firstBad = parsed.ok
      ? await findDefect(source, parsed.record, position, previous)
      : bad(parsed.seq, position, "malformed", `record ${position} is malformed: ${parsed.reason}`);
    if (firstBad !== null) return { ok: false, records: position - 1, firstBad };
    if (parsed.ok) previous = parsed.record;
  }
  const lastSeq = previous?.seq ?? 0;
  const lastHash = previous?.hash ?? GENESIS_HASH;
  const { head } = source;
  if (head.seq > lastSeq) {
    const missing = head.seq - lastSeq;
    const message = `the log ends at seq ${lastSeq} but its head records seq ${head.seq}: the last ${missing} record(s) are missing`;
    return { ok: false, records: position, firstBad: bad(lastSeq + 1, position + 1, "truncated", message) };
  }
  if (head.seq < lastSeq) {
    const message = `the head records seq ${head.seq} but the log goes on to seq ${lastSeq}: records were added outside the store`;
    return {
      ok: false,
      records: position,
      firstBad: bad(head.seq + 1, head.seq + 1, "head_mismatch", message),
    };
  }
  if (head.hash !== lastHash) {
    const message = `the head records hash ${head.hash} for seq ${head.seq} but the log has ${lastHash} there`;
    return {
      ok: false,
      records: position,
      firstBad: bad(lastSeq || null, position, "head_mismatch", message),
    };
  }
  if (stored !== null && "malformed" in stored)
    return {
      ok: false,
      records: position,
      firstBad: bad(head.seq, position, "head_signature_invalid", stored.malformed),
    };
  if (headKeys.length > 0) {
    const defect = headSignatureDefect(head, signature, () => signedHash, headKeys);
    if (defect !== null)
      return {
        ok: false,
        records: position,
        firstBad: bad(defect.seq, defect.seq ?? position, defect.code, defect.message),
      };
  }
  return {
    ok: true,
    records: position,
    head: lastHash,
    ...(signature
      ? { signature: { publicKey: signature.publicKey, seq: signature.seq, verified: headKeys.length > 0 } }
      : {}),
  };
}

/** What is wrong with the record at `position`, given the one before it; null when nothing. */
async function findDefect(
  source: ChainSource,
  record: AuditRecord,
  position: number,
  previous: AuditRecord | null,
): Promise<FirstBad | null> {
  const where = `record ${position} (seq ${record.seq})`;
  if (hashRecord(record) !== record.hash) {
    const written = writtenSeq(record);
    if (written !== null) {
      const message = `${where}: it was written as seq ${written} — records were reordered`;
      return bad(record.seq, position, "reordered", message);
    }
    return bad(
      record.seq,
      position,
      "edited",
      `${where}: its content does not match its hash — the record was edited`,
    );
  }
  const expected = (previous?.seq ?? 0) + 1;
  if (record.seq > expected) {
    const later = await source.positionOfSeq(expected);
    if (later !== null && later > position) {
      const message = `${where}: seq ${expected} was expected here but appears later, at record ${later}`;
      return bad(record.seq, position, "reordered", message);
    }
    const missing =
      record.seq - 1 === expected ? `seq ${expected} is` : `seqs ${expected}–${record.seq - 1} are`;
    return bad(record.seq, position, "deleted", `${where}: ${missing} missing before it`);
  }
  if (record.seq < expected) {
    return bad(
      record.seq,
      position,
      "reordered",
      `${where}: seq ${expected} was expected; seq ${record.seq} is out of order`,
    );
  }
  if (record.prevHash !== (previous?.hash ?? GENESIS_HASH)) {
    const link = previous === null ? "the genesis hash" : `the hash of seq ${previous.seq}`;
    return bad(
      record.seq,
      position,
      "edited",
      `${where}: prevHash does not match ${link} — the chain was rewritten`,
    );
  }
  return null;
}

/** The seq a record was hashed with, when only its seq was changed (by a few places at most). */
function writtenSeq(record: AuditRecord): number | null {
  for (let distance = 1; distance <= REORDER_WINDOW; distance++) {
    for (const seq of [record.seq - distance, record.seq + distance]) {
      if (seq >= 1 && hashRecord({ ...record, seq }) === record.hash) return seq;
    }
  }
  return null;
}

const bad = (seq: number | null, position: number, code: AuditDefect, message: string): FirstBad => ({
  seq,
  position,
  code,
  message,
});
