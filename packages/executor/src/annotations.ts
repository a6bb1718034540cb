// Session annotations: what an agent runtime attaches to a session besides its governed tool calls (the
// conversation, the experiment cohort, the evaluation, the operation served). One record per annotation
// in the session's reserved stream, redacted like everything the executor stores, with its audit record.
import { createHash } from "node:crypto";
import { type ContractError, type SessionAnnotation, validate } from "@workspace-ops/contracts";
import { type RedactionReport, redact } from "@workspace-ops/redact";
import type { Store } from "@workspace-ops/store";
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

export type AnnotateOutcome =
  | { ok: true; stream: string; seq: number; annotation: SessionAnnotation; redaction: RedactionReport }
  | { ok: false; error: ExecutorError; errors?: ContractError[] };

/**
 * Records a SessionAnnotation in its session's reserved stream. Needs only the store (no policy, no
 * mode), so a runtime or `wsops annotate` can attach what it knows without opening an executor.
 */
export async function annotateSession(
  store: Store,
  payload: unknown,
  now: () => Date = () => new Date(),
): Promise<AnnotateOutcome> {
  const checked = validate("SessionAnnotation", payload);
  if (!checked.ok) {
    await store.commit({
      audit: [{ type: "request_rejected", subject: "-", data: { errors: checked.errors } }],
    });
    return {
      ok: false,
      error: executorError("request_invalid", "the annotation is not a valid SessionAnnotation"),
      errors: checked.errors,
    };
  }
  const { value: annotation, report: redaction } = redact(checked.value, { now });
  const stream = sessionAnnotationStream(annotation.sessionId);
  const stored: StoredAnnotation = { annotation, redaction };
  const committed = await store.commit({
    appends: [
      {
        stream,
        records: [{ type: annotationRecordType, data: stored }],
        create: { kind: "reserved", sessionId: annotation.sessionId },
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
  const seq = committed.appends[0]?.[0]?.seq ?? 0;
  return { ok: true, stream, seq, annotation, redaction };
}
