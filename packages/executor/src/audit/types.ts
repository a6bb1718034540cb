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

export interface AuditLog {
  /** Atomic, chained to the previous record, and durable once it resolves. */
  append(type: string, subject: string, data: unknown): Promise<AuditRecord>;
  read(): Promise<AuditRecord[]>;
  /** Waits for appends in flight; later calls fail with `closed`. */
  close(): Promise<void>;
}

/** What opening or appending repaired after an interrupted append. */
export interface AuditRecovery {
  /** Bytes of a torn last line that were cut off. */
  droppedBytes: number;
  /** Set when the head file lagged one record behind the log (a crash between the two writes). */
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
