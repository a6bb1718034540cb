// A session's annotations merged: messages accumulate (an exact repeat — same role, time and text — is
// kept once, so a runtime may send its whole transcript again), the other fields of a later annotation
// replace an earlier one's.
import type { SessionAnnotation, SessionMessage } from "@workspace-ops/contracts";

export class MergedAnnotation {
  readonly #messages = new Map<string, SessionMessage>();
  cohort: SessionAnnotation["cohort"];
  eval: SessionAnnotation["eval"];
  operationId: string | undefined;
  traceparent: string | undefined;

  add(annotation: SessionAnnotation): void {
    for (const message of annotation.messages ?? []) {
      const key = JSON.stringify([message.role, Date.parse(message.at), message.content]);
      if (!this.#messages.has(key)) this.#messages.set(key, message);
    }
    if (annotation.cohort) this.cohort = annotation.cohort;
    if (annotation.eval) this.eval = annotation.eval;
    if (annotation.operationId) this.operationId = annotation.operationId;
    if (annotation.traceparent) this.traceparent = annotation.traceparent;
  }

  get messages(): Iterable<SessionMessage> {
    return this.#messages.values();
  }

  get messageCount(): number {
    return this.#messages.size;
  }
}
