// Session annotations: what an agent runtime attaches to a session besides its governed tool calls (the
// conversation, the experiment cohort, the evaluation, the operation served). One record per annotation
// in the session's reserved stream, redacted like everything the executor stores, with its audit record.
import { createHash } from "node:crypto";
import { type ContractError, type SessionAnnotation, validate } from "@workspace-ops/contracts";
import { createRedactor, type RedactionReport, redact } from "@workspace-ops/redact";
import { isStateError, type Store, type StoredRecord } from "@workspace-ops/store";
import { type ExecutorError, executorError } from "./errors.js";

/** The type of the records a session's annotation stream holds. */
export const annotationRecordType = "annotation";

/** What an annotation record holds: the annotation as stored (redacted) and what redaction removed. */
export interface StoredAnnotation {
  annotation: SessionAnnotation;
  redaction: RedactionReport;
}

/**
 * The reserved stream of a session's annotations. A session id may be 128 characters, more than a stream
 * name leaves after the prefix, so the name carries a digest of it; the stream's row carries the id.
 */
export const sessionAnnotationStream = (sessionId: string): string =>
  `wsops.session.${createHash("sha256").update(sessionId).digest("hex").slice(0, 32)}`;

/** An annotation refused: not a valid SessionAnnotation (its contract errors). */
export type AnnotationRefused = { ok: false; error: ExecutorError; errors?: ContractError[] };

export type AnnotateOutcome =
  | { ok: true; stream: string; seq: number; annotation: SessionAnnotation; redaction: RedactionReport }
  | AnnotationRefused;

/**
 * Records a SessionAnnotation in its session's reserved stream. Needs only the store (no policy, no
 * mode), so a runtime or `wsops annotate` can attach what it knows without opening an executor.
 */
export async function annotateSession(
  store: Store,
  payload: unknown,
  now: () => Date = () => new Date(),
): Promise<AnnotateOutcome> {
  const checked = await checkAnnotation(store, payload);
  if (!checked.ok) return checked;
  const { value: annotation, report: redaction } = redact(checked.value, { now });
  const { stream, seq } = await recordAnnotation(store, annotation, redaction);
  return { ok: true, stream, seq, annotation, redaction };
}

export type ExtendOutcome =
  | {
      ok: true;
      stream: string;
      /** The record written; null when the session already held everything (nothing was written). */
      seq: number | null;
      /** Messages recorded now. */
      added: number;
      /** Messages left out because the session already holds them. */
      alreadyRecorded: number;
      redaction: RedactionReport | null;
    }
  | AnnotationRefused;

/**
 * Like annotateSession, but records only the messages the session does not hold yet (the same role,
 * time and redacted text), and nothing when nothing is new: a runtime may send its whole transcript at
 * every turn and the session holds each message once. The read and the append are one compare-and-set.
 */
export async function extendSessionAnnotation(
  store: Store,
  payload: unknown,
  now: () => Date = () => new Date(),
): Promise<ExtendOutcome> {
  const checked = await checkAnnotation(store, payload);
  if (!checked.ok) return checked;
  const given = checked.value;
  const stream = sessionAnnotationStream(given.sessionId);
  const redactor = createRedactor({ now });
  for (let attempt = 1; ; attempt++) {
    const records = await store.read(stream);
    const held = heldMessages(records);
    const fresh = (given.messages ?? []).filter((message) => {
      const same = held.get(timeKey(message));
      if (!same) return true;
      return !same.has(redactor.redact(message).value.content);
    });
    const seen = new Set<string>();
    const messages = fresh.filter((m) => {
      const key = JSON.stringify([m.role, m.at, m.content]);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    const alreadyRecorded = (given.messages?.length ?? 0) - messages.length;
    const { messages: _all, ...rest } = given;
    const others = Object.entries(rest).some(
      ([k, v]) => v !== undefined && !["kind", "apiVersion", "sessionId"].includes(k),
    );
    if (messages.length === 0 && !others)
      return { ok: true, stream, seq: null, added: 0, alreadyRecorded, redaction: null };
    const { value: annotation, report: redaction } = redactor.redact<SessionAnnotation>(
      messages.length ? { ...rest, messages } : rest,
    );
    try {
      const { seq } = await recordAnnotation(store, annotation, redaction, records.length + 1);
      return { ok: true, stream, seq, added: messages.length, alreadyRecorded, redaction };
    } catch (error) {
      // Another writer annotated the session between the read and the append: read again.
      if (!isStateError(error, "conflict") || attempt >= 5) throw error;
    }
  }
}

/** The payload as a SessionAnnotation, or its contract errors (the rejection is audited). */
async function checkAnnotation(
  store: Store,
  payload: unknown,
): Promise<{ ok: true; value: SessionAnnotation } | AnnotationRefused> {
  const checked = validate("SessionAnnotation", payload);
  if (checked.ok) return { ok: true, value: checked.value };
  await store.commit({
    audit: [{ type: "request_rejected", subject: "-", data: { errors: checked.errors } }],
  });
  return {
    ok: false,
    error: executorError("request_invalid", "the annotation is not a valid SessionAnnotation"),
    errors: checked.errors,
  };
}

/** Appends a redacted annotation and its audit record in one commit (at `expectSeq`, when given). */
async function recordAnnotation(
  store: Store,
  annotation: SessionAnnotation,
  redaction: RedactionReport,
  expectSeq?: number,
): Promise<{ stream: string; seq: number }> {
  const stream = sessionAnnotationStream(annotation.sessionId);
  const stored: StoredAnnotation = { annotation, redaction };
  const committed = await store.commit({
    appends: [
      {
        stream,
        records: [{ type: annotationRecordType, data: stored }],
        create: { kind: "reserved", sessionId: annotation.sessionId },
        ...(expectSeq !== undefined ? { expectSeq } : {}),
      },
    ],
    // The audit log says what was attached, never the conversation itself.
    audit: [
      {
        type: "session_annotated",
        subject: stream,
        data: {
          sessionId: annotation.sessionId,
          messages: annotation.messages?.length ?? 0,
          ...(annotation.cohort ? { cohort: annotation.cohort } : {}),
          ...(annotation.eval ? { eval: annotation.eval } : {}),
          ...(annotation.operationId ? { operationId: annotation.operationId } : {}),
          redaction,
        },
      },
    ],
  });
  return { stream, seq: committed.appends[0]?.[0]?.seq ?? 0 };
}

type Message = NonNullable<SessionAnnotation["messages"]>[number];

const timeKey = (m: Pick<Message, "role" | "at">): string => `${m.role}\u0000${m.at}`;

/** The (redacted) texts the session holds, by role and time. */
function heldMessages(records: readonly StoredRecord[]): Map<string, Set<string>> {
  const held = new Map<string, Set<string>>();
  for (const record of records) {
    if (record.type !== annotationRecordType) continue;
    const messages = (record.data as Partial<StoredAnnotation> | null)?.annotation?.messages;
    for (const m of Array.isArray(messages) ? messages : []) {
      if (typeof m?.content !== "string") continue;
      const key = timeKey(m);
      const texts = held.get(key) ?? new Set<string>();
      texts.add(m.content);
      held.set(key, texts);
    }
  }
  return held;
}
