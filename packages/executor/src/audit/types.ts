/** One line of `audit.jsonl`. */
export interface AuditRecord {
  /** 1, 2, 3… with no gaps. */
  seq: number;
  /** ISO 8601 time of the append. */
  at: string;
  type: string;
  /** What the record is about, e.g. an operation id. */
  subject: string;
  data: unknown;
  /** The previous record's hash; GENESIS_HASH for the first. */
  prevHash: string;
  /** "sha256:" + hex(sha256(prevHash + "\n" + canonicalJson({seq, at, type, subject, data, prevHash}))). */
  hash: string;
}

/** A record to append: the log gives it its seq, time and hashes. */
export interface NewAuditRecord {
  type: string;
  subject: string;
  data: unknown;
}

export interface AuditLog {
  /** Atomic, chained to the previous record, and durable once it resolves. */
  append(type: string, subject: string, data: unknown): Promise<AuditRecord>;
  /**
   * Several records, chained one after another, as one append: one lock, one write, one fsync and
   * one head update (naming the last of them). Every record is checked before anything is written; a
   * failed write is cut back, so the log gets all of them or none, and no other writer's record lands
   * between them. Durable once it resolves. [] for [].
   */
  appendMany(entries: readonly NewAuditRecord[]): Promise<AuditRecord[]>;
  read(): Promise<AuditRecord[]>;
  /** Waits for appends in flight; later calls fail with `closed`. */
  close(): Promise<void>;
}

/** What opening or appending repaired after an interrupted append. */
export interface AuditRecovery {
  /** Bytes of a torn last line that were cut off. */
  droppedBytes: number;
  /** Set when the head file lagged behind the log (a crash between an append's two writes). */
  headAdvancedTo: number | null;
}

export interface AuditLogOptions {
  /** fsync the log, the head file and the directory. Default true. */
  fsync?: boolean;
  /** How long to wait for another process holding the log's lock. Default 10 s. */
  lockTimeoutMs?: number;
  onRecover?: (recovery: AuditRecovery) => void;
}

export type AuditDefect = "edited" | "deleted" | "reordered" | "truncated" | "malformed" | "head_mismatch";

export type AuditVerification =
  | { ok: true; records: number; head: string }
  | {
      ok: false;
      /** How many records verified before the first bad one. */
      records: number;
      firstBad: { seq: number | null; line: number; code: AuditDefect; message: string };
    };
