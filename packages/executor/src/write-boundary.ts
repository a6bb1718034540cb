// The one place the executor's writes pass through on their way to the database: whatever part of the
// executor commits — a pipeline phase, a mode change, usage, a refused request — its batch is redacted
// first and, when the store has an audit key, signs the new audit head. Reads pass straight through
// (and so see only what was written: redacted).
import type { Redactor } from "@workspace-ops/redact";
import type {
  ApprovalFilter,
  AuditHeadKey,
  Batch,
  ClaimOwner,
  Committed,
  Store,
  StreamFilter,
  VerifyOptions,
} from "@workspace-ops/store";
import { redactBatch } from "./redaction/redact-batch.js";

export interface WriteBoundary {
  redactor: Redactor;
  /** The store's audit key; null when it has none (the head is then not signed). */
  auditKey: AuditHeadKey | null;
}

/** The store as the executor uses it: every commit through the boundary, everything else as it is. */
class BoundaryStore implements Store {
  constructor(
    private readonly store: Store,
    private readonly boundary: WriteBoundary,
  ) {}

  get backend() {
    return this.store.backend;
  }
  get durability() {
    return this.store.durability;
  }
  get location() {
    return this.store.location;
  }

  commit(batch: Batch): Promise<Committed> {
    const { redactor, auditKey } = this.boundary;
    return this.store.commit({
      ...redactBatch(batch, redactor),
      ...(auditKey ? { signHead: auditKey } : {}),
    });
  }

  read(stream: string, options?: { afterSeq?: number }) {
    return this.store.read(stream, options);
  }
  stream(stream: string) {
    return this.store.stream(stream);
  }
  listStreams(filter?: StreamFilter) {
    return this.store.listStreams(filter);
  }
  listSessions(options?: { limit?: number }) {
    return this.store.listSessions(options);
  }
  approval(approvalRequestId: string) {
    return this.store.approval(approvalRequestId);
  }
  listApprovals(filter?: ApprovalFilter) {
    return this.store.listApprovals(filter);
  }
  usageSince(persona: string, since: Date) {
    return this.store.usageSince(persona, since);
  }
  reservations(persona: string, at?: Date) {
    return this.store.reservations(persona, at);
  }
  claim(stream: string, owner: ClaimOwner) {
    return this.store.claim(stream, owner);
  }
  release(stream: string, owner: ClaimOwner) {
    return this.store.release(stream, owner);
  }
  auditHead() {
    return this.store.auditHead();
  }
  readAudit(options?: { afterSeq?: number; limit?: number }) {
    return this.store.readAudit(options);
  }
  verifyAudit(options?: VerifyOptions) {
    return this.store.verifyAudit(options);
  }
  exportAudit(exportedAt?: Date) {
    return this.store.exportAudit(exportedAt);
  }
  watch(listener: () => void) {
    return this.store.watch(listener);
  }
  close() {
    return this.store.close();
  }
}

export const behindWriteBoundary = (store: Store, boundary: WriteBoundary): Store =>
  new BoundaryStore(store, boundary);
