// The Store: the executor's durable state in a database — append-only streams of typed records, the
// relational indexes that make listing cheap, approvals, claims, usage, and the hash-chained audit log,
// all changed together, one transaction per commit.
import type { KeyObject } from "node:crypto";

/** `full`: a commit is on disk before it is acknowledged. `relaxed`: it survives a process crash,
 * but a power loss (SQLite) or a database-server crash (PostgreSQL) may undo the last commits. */
export type Durability = "full" | "relaxed";

/** One record of a stream. */
export interface StoredRecord {
  /** 1, 2, 3… per stream, with no gaps. */
  seq: number;
  /** ISO 8601 time of the commit that wrote it. */
  at: string;
  type: string;
  data: unknown;
}

/** A record to append: the store gives it its seq and time. */
export interface NewRecord {
  type: string;
  data: unknown;
}

/** One record of the hash-chained audit log. */
export interface AuditRecord {
  /** 1, 2, 3… with no gaps, in commit order. */
  seq: number;
  /** ISO 8601 time of the commit that wrote it. */
  at: string;
  type: string;
  /** What the record is about: a stream, a persona, "-". */
  subject: string;
  data: unknown;
  /** The previous record's hash; GENESIS_HASH for the first. */
  prevHash: string;
  /** "sha256:" + hex(sha256(prevHash + "\n" + canonicalJson({seq, at, type, subject, data, prevHash}))). */
  hash: string;
}

/** A record for the audit log: the store gives it its seq, time and hashes. */
export interface NewAuditRecord {
  type: string;
  subject: string;
  data: unknown;
}

/** The last record of the audit log: seq 0 and GENESIS_HASH when it is empty. */
export interface AuditHead {
  seq: number;
  hash: string;
}

/** An Ed25519 signature over an audit head (see auditHeadMessage): which head, by which key. */
export interface AuditHeadSignature {
  seq: number;
  hash: string;
  algorithm: "ed25519";
  /** `ed25519:<base64>` of the audit key. */
  publicKey: string;
  /** Base64 signature over the canonical JSON {kind: "wsops.audit-head", seq, hash}. */
  value: string;
}

/** The audit key a commit signs the new head with (its private half never leaves the process). */
export interface AuditHeadKey {
  privateKey: KeyObject;
  /** `ed25519:<base64>` of its public half. */
  publicKey: string;
}

export type StreamKind = "tool_execution" | "operation" | "reserved";

/** What a stream is, kept in its own row so that listing never reads records. */
export interface StreamInfo {
  stream: string;
  kind: StreamKind;
  sessionId: string | null;
  /** Who asked, as "type:id". */
  actor: string | null;
  /** The executionId of a LocalAgentExecution operation (unique). */
  executionId: string | null;
  /** The state its last commit set (a tool call's or operation's state; the mode of wsops.mode). */
  state: string | null;
  /** The approval request of its last approval, if any. */
  approvalRequestId: string | null;
  /** The seq of its last record. */
  lastSeq: number;
  createdAt: string;
  updatedAt: string;
}

export interface SessionInfo {
  sessionId: string;
  /** How many streams (tool calls, operations) the session has. */
  streams: number;
  createdAt: string;
  updatedAt: string;
}

export type ApprovalState = "pending" | "approved" | "denied" | "expired";

export interface ApprovalInfo {
  approvalRequestId: string;
  /** The stream (tool call or operation) waiting for it. */
  stream: string;
  state: ApprovalState;
  /** "type:id" of who asked. */
  requestedBy: string;
  expiresAt: string;
  createdAt: string;
  resolvedAt: string | null;
  /** "type:id" of who resolved it; null while pending and for an expiry. */
  resolvedBy: string | null;
}

/** Who holds a claim: a process on a host. */
export interface ClaimOwner {
  host: string;
  pid: number;
}

/** Records for one stream in a commit. */
export interface StreamAppend {
  stream: string;
  records: readonly NewRecord[];
  /**
   * Append only if the first new record gets this seq — 1: only to a stream that does not exist yet
   * (a duplicate request id). Otherwise the whole commit fails with `conflict`.
   */
  expectSeq?: number;
  /** Append only if the stream's state is this one (a transition's "from"); otherwise `conflict`. */
  expectState?: string;
  /** What the stream is, used when this commit creates it (ignored for a stream that exists). */
  create?: { kind: StreamKind; sessionId?: string; actor?: string; executionId?: string };
  /** The stream's state after this commit. */
  state?: string;
  /** The stream's current approval request after this commit. */
  approvalRequestId?: string;
}

/** A new approval request (pending), or the resolution of a pending one. */
export type ApprovalWrite =
  | { op: "request"; approvalRequestId: string; stream: string; requestedBy: string; expiresAt: string }
  | {
      op: "resolve";
      approvalRequestId: string;
      state: Exclude<ApprovalState, "pending">;
      resolvedBy: string | null;
    };

/** Model usage in the integer units budgets are kept in. */
export interface UsageAmounts {
  tokens: number;
  costMicroUsd: number;
  requests: number;
}

/** A usage record (a UsageRecord contract value) of a persona, windowed by occurredAt. */
export interface NewUsage {
  persona: string;
  /** ISO 8601; any offset. */
  occurredAt: string;
  data: unknown;
  /** What was used ("provider/model"), for limits of one entry. */
  entry?: string;
  /** What the record adds up to for reservations' limits; absent: nothing. */
  amounts?: UsageAmounts;
}

/** A limit a reservation must stay within, in its window. */
export interface UsageLimit {
  /**
   * Count only the persona's usage and reservations of this entry (a limit of another entry than the
   * reservation's does not constrain it); absent: all of the persona's.
   */
  entry?: string;
  /** The most each dimension may add up to; an absent one is not limited. */
  tokens?: number;
  costMicroUsd?: number;
  requests?: number;
}

/**
 * A conditional reservation of usage: the commit holds it only if, for every limit, the persona's
 * usage that occurred in the last `windowMs` plus every live reservation plus `amounts` stays within
 * it — else the whole commit fails with `limit_exceeded` and writes nothing. Checked and written in
 * the commit's transaction, so concurrent reservations (other connections, processes, machines) never
 * pass a limit together.
 */
export interface UsageReservation {
  reservationId: string;
  persona: string;
  /** What it is reserved on ("provider/model"). */
  entry: string;
  /** Added to what the reservation holds already (a new one holds nothing). */
  amounts: UsageAmounts;
  windowMs: number;
  limits: readonly UsageLimit[];
  /** A reservation nobody released (its holder died) counts until then; each reserve moves it. */
  expiresAt: string;
}

/** A reservation that counts: not released and not expired. */
export interface LiveReservation {
  reservationId: string;
  persona: string;
  entry: string;
  /** What it holds in all. */
  amounts: UsageAmounts;
  expiresAt: string;
  createdAt: string;
}

/**
 * Everything one commit changes, in one transaction: all of it or none. Appends to one stream are
 * consecutive; audit records get consecutive seqs in the order given.
 */
export interface Batch {
  appends?: readonly StreamAppend[];
  approvals?: readonly ApprovalWrite[];
  usage?: readonly NewUsage[];
  /** Reservations to make or grow, checked against their limits (see UsageReservation). */
  reserve?: readonly UsageReservation[];
  /** Reservations to drop (a call that ended records its usage in the same commit); unknown ids are ignored. */
  release?: readonly string[];
  audit?: readonly NewAuditRecord[];
  /**
   * Sign the audit head this commit makes with this key, in the same transaction — after checking that
   * the head it extends is the one last signed by the same key (otherwise `corrupt`, nothing written).
   * A commit without it leaves the last signature as it was (the records after it are then unsigned).
   */
  signHead?: AuditHeadKey;
}

export interface Committed {
  /** The commit's time: every record and audit record of it has this `at`. */
  at: string;
  /** The records written, per append, in the order of `batch.appends`. */
  appends: StoredRecord[][];
  audit: AuditRecord[];
}

export interface StreamFilter {
  kind?: StreamKind;
  /** The operation of a LocalAgentExecution (at most one). */
  executionId?: string;
  sessionId?: string;
  state?: string;
  actor?: string;
  /** Default 100, at most 1000. */
  limit?: number;
  /** Streams created before this one (newest first): pass the last item of the previous page. */
  before?: { createdAt: string; stream: string };
}

export interface SessionFilter {
  /** Default 100, at most 1000. */
  limit?: number;
  /** Sessions updated before this one (most recent first): pass the last item of the previous page. */
  before?: { updatedAt: string; sessionId: string };
}

export interface ApprovalFilter {
  state?: ApprovalState;
  stream?: string;
  /** Default 100, at most 1000. */
  limit?: number;
}

export type AuditDefect =
  | "edited"
  | "deleted"
  | "reordered"
  | "truncated"
  | "malformed"
  | "head_mismatch"
  /** A trusted audit key was given, but the head (or its last records) carries no signature by it. */
  | "head_unsigned"
  /** The head's signature is not by a trusted key, does not verify, or names a record the log no longer holds. */
  | "head_signature_invalid";

/** What a verification found about the head's signature. */
export interface HeadSignatureStatus {
  publicKey: string;
  /** The seq it covers. */
  seq: number;
  /** True when checked against a trusted audit key; false when no key was given (it is then only reported). */
  verified: boolean;
}

export type AuditVerification =
  | { ok: true; records: number; head: string; signature?: HeadSignatureStatus }
  | {
      ok: false;
      /** How many records verified before the first bad one. */
      records: number;
      /** `position`: 1-based place in seq order (in an export file, the record's line is position + 1). */
      firstBad: { seq: number | null; position: number; code: AuditDefect; message: string };
    };

export interface VerifyOptions {
  /** The audit public keys to trust; none: a signature is only reported, not checked. */
  headKeys?: readonly string[];
}

export interface Store {
  readonly backend: "sqlite" | "postgres";
  readonly durability: Durability;
  /** Where it is, without credentials (a file path or a postgres URL without its password). */
  readonly location: string;

  /** Writes the batch in one transaction, with its audit records chained on; durable per `durability`. */
  commit(batch: Batch): Promise<Committed>;

  /** A stream's records in seq order, those after `afterSeq` only when given; [] for no stream. */
  read(stream: string, options?: { afterSeq?: number }): Promise<StoredRecord[]>;
  stream(stream: string): Promise<StreamInfo | null>;
  /** Newest first. */
  listStreams(filter?: StreamFilter): Promise<StreamInfo[]>;
  /** Most recently updated first, a page at a time. */
  listSessions(filter?: SessionFilter): Promise<SessionInfo[]>;

  approval(approvalRequestId: string): Promise<ApprovalInfo | null>;
  /** Newest first. */
  listApprovals(filter?: ApprovalFilter): Promise<ApprovalInfo[]>;

  /** The data of a persona's usage records that occurred at or after `since`, oldest first. */
  usageSince(persona: string, since: Date): Promise<unknown[]>;
  /** A persona's live reservations at `at` (default now), oldest first. */
  reservations(persona: string, at?: Date): Promise<LiveReservation[]>;

  /**
   * Claims the right to run a stream: true for exactly one caller. A claim left by a process of this
   * host that is no longer alive is taken over.
   */
  claim(stream: string, owner: ClaimOwner): Promise<boolean>;
  /** Releases the owner's claim (a no-op when it holds none). */
  release(stream: string, owner: ClaimOwner): Promise<void>;

  auditHead(): Promise<AuditHead>;
  /**
   * Audit records after `afterSeq` (default 0) in seq order, at most `limit` (default 1000); only those
   * of `type` when given (the others are skipped without being read into records).
   */
  readAudit(options?: { afterSeq?: number; limit?: number; type?: string }): Promise<AuditRecord[]>;
  /**
   * Checks every record's hash, the chain, the sequence and the head; names the first bad record. With
   * `headKeys` (trusted audit public keys, `ed25519:<base64>`), the head must also be signed by one of them.
   */
  verifyAudit(options?: VerifyOptions): Promise<AuditVerification>;
  /**
   * The audit export (see docs/executor.md): a header line naming the head, then every record up to
   * it, one JSON line each, read from one snapshot. Yields chunks of whole lines.
   */
  exportAudit(exportedAt?: Date): AsyncIterable<string>;

  /**
   * Calls `listener` after any commit that may have changed something — in this process at once, in
   * another process or on another machine soon after (SQLite: within the poll interval; PostgreSQL:
   * LISTEN/NOTIFY). Listeners learn only that something changed; they read what they need.
   * Returns the function that stops it.
   */
  watch(listener: () => void): () => void;

  /** Waits for operations in flight; later calls fail with `closed`. */
  close(): Promise<void>;
}
