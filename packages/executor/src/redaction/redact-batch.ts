// The write boundary's redaction: every record, audit record and usage record of a batch passes
// through the redactor before the store sees it. What was replaced is recorded in the same commit as a
// `redaction` record (per stream, and in the audit log): which records, which rules, how many — never
// a value.
import type { RedactionReport, Redactor } from "@workspace-ops/redact";
import type { Batch, NewAuditRecord, StreamAppend } from "@workspace-ops/store";
import type { RedactionRecord } from "./redaction-record.js";

type Found = { type: string; report: RedactionReport };

/** The rules of several reports, summed per rule; the latest time. */
function merge(found: readonly Found[]): RedactionReport {
  const counts = new Map<string, number>();
  for (const { report } of found)
    for (const r of report.rules) counts.set(r.rule, (counts.get(r.rule) ?? 0) + r.count);
  const rules = [...counts]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([rule, count]) => ({ rule, count }));
  const last = found.at(-1)?.report as RedactionReport;
  return { ...last, rules, totalRedactions: rules.reduce((sum, r) => sum + r.count, 0) };
}

type Classified = { classification?: { parts?: { token: string }[] } };

/**
 * A decision's classification names the word of the command that decided each part in a field called
 * `token`: a word of the command, not a credential, so no key rule may blank it — its text is redacted
 * as any text is (a real token in it is still replaced).
 */
function redactRecord(
  type: string,
  data: unknown,
  redactor: Redactor,
): { value: unknown; report: RedactionReport } {
  const classification = type === "decision" ? (data as Classified)?.classification : undefined;
  const parts = classification?.parts;
  if (!Array.isArray(parts)) return redactor.redact(data);
  const blanked = {
    ...(data as object),
    classification: { ...classification, parts: parts.map((p) => ({ ...p, token: "" })) },
  };
  const { value, report } = redactor.redact(blanked);
  const words = parts.map((part) => redactor.redactText(part.token));
  (value.classification.parts as { token: string }[]).forEach((part, i) => {
    part.token = words[i]?.text ?? "";
  });
  return { value, report: merge([{ type, report }, ...words.map((w) => ({ type, report: w.report }))]) };
}

const entries = (found: readonly Found[]) => found.map(({ type, report }) => ({ type, rules: report.rules }));

export function redactBatch(batch: Batch, redactor: Redactor): Batch {
  // A record's audit copy is usually the very same value (Phase.record): redact it once.
  const done = new Map<unknown, { value: unknown; report: RedactionReport }>();
  const redactOnce = (type: string, data: unknown) => {
    if (typeof data !== "object" || data === null) return redactRecord(type, data, redactor);
    const known = done.get(data);
    if (known) return known;
    const fresh = redactRecord(type, data, redactor);
    done.set(data, fresh);
    return fresh;
  };
  const inRecords = new Map<string, Found[]>();
  const inAudit = new Map<string, Found[]>();
  const note = (into: Map<string, Found[]>, key: string, type: string, report: RedactionReport) => {
    if (report.totalRedactions > 0) into.set(key, [...(into.get(key) ?? []), { type, report }]);
  };
  const appends: StreamAppend[] = (batch.appends ?? []).map((append) => ({
    ...append,
    records: append.records.map(({ type, data }) => {
      const { value, report } = redactOnce(type, data);
      note(inRecords, append.stream, type, report);
      return { type, data: value };
    }),
  }));
  const audit: NewAuditRecord[] = (batch.audit ?? []).map(({ type, subject, data }) => {
    const { value, report } = redactOnce(type, data);
    note(inAudit, subject, type, report);
    return { type, subject, data: value };
  });
  const usage = (batch.usage ?? []).map((entry) => {
    const { value, report } = redactor.redact(entry.data);
    note(inAudit, entry.persona, "usage", report);
    return { ...entry, data: value };
  });
  // One redaction record per subject, in its stream (when the batch appends to it) and in the audit log.
  for (const subject of new Set([...inRecords.keys(), ...inAudit.keys()])) {
    const records = inRecords.get(subject) ?? [];
    const audited = inAudit.get(subject) ?? [];
    const data: RedactionRecord = {
      records: entries(records),
      ...(audited.length ? { audit: entries(audited) } : {}),
      report: merge([...records, ...audited]),
    };
    const own = appends.find((append) => append.stream === subject);
    if (own) (own.records as { type: string; data: unknown }[]).push({ type: "redaction", data });
    audit.push({ type: "redaction", subject, data });
  }
  return {
    ...batch,
    ...(batch.appends ? { appends } : {}),
    ...(batch.audit || audit.length ? { audit } : {}),
    ...(batch.usage ? { usage } : {}),
  };
}
