// The `redaction` record: what the write boundary replaced in one commit of a stream — per record type,
// which rules and how often — never the values. A stream whose `request` record was redacted cannot be
// run from storage any more; the caller resubmits the same request instead.
import type { RedactionReport } from "@workspace-ops/redact";
import type { StoredRecord } from "@workspace-ops/store";

export interface RedactionRecord {
  /** The records of this commit that something was replaced in, by type, with the rules that did. */
  records: { type: string; rules: RedactionReport["rules"] }[];
  /** The audit records of this subject that something was replaced in (usually copies of the records). */
  audit?: { type: string; rules: RedactionReport["rules"] }[];
  /** All of it summed: what each rule replaced in this commit's writes about the subject. */
  report: RedactionReport;
}

/** The rules that redacted the stream's request record, when any did; null when it is stored as received. */
export function requestRedactions(records: readonly StoredRecord[]): RedactionReport["rules"] | null {
  for (const record of records) {
    if (record.type !== "redaction") continue;
    const request = (record.data as RedactionRecord).records.find((r) => r.type === "request");
    if (request) return request.rules;
  }
  return null;
}
