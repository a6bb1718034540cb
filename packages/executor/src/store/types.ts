/** One line of a stream file. */
export interface StoredRecord {
  /** 1, 2, 3… per stream, with no gaps. */
  seq: number;
  /** ISO 8601 time of the append. */
  at: string;
  type: string;
  data: unknown;
}

/** A record to append: the store gives it its seq and time. */
export interface NewRecord {
  type: string;
  data: unknown;
}

export interface AppendOptions {
  /**
   * Append only if the first new record gets this seq — 1: only to a stream that has no records
   * yet. Checked under the stream's lock, so it cannot race; otherwise `conflict`, and nothing is written.
   */
  expectSeq?: number;
}

/** The executor's durable state: named append-only streams. Another backend can implement this. */
export interface Store {
  /** Atomic, and durable once it resolves. */
  append(stream: string, type: string, data: unknown): Promise<StoredRecord>;
  /**
   * Several records, consecutive in the stream and with one time, as one append: one lock, one
   * write, one fsync. Every record is checked before anything is written; a failed write is cut
   * back, so the stream gets all of them or none, and no other writer's record lands between them.
   * Durable once it resolves. (A crash before it resolves may keep a prefix of whole records, as a
   * crash between separate appends would; recovery cuts a torn last line as always.) [] for [].
   */
  appendMany(stream: string, entries: readonly NewRecord[], options?: AppendOptions): Promise<StoredRecord[]>;
  /** [] for a stream that does not exist. */
  read(stream: string): Promise<StoredRecord[]>;
  /** Every stream name, sorted. */
  streams(): Promise<string[]>;
  /** Waits for operations in flight; later calls fail with `closed`. */
  close(): Promise<void>;
}

/** A torn tail that was cut off a stream file. */
export interface StreamRecovery {
  stream: string;
  droppedBytes: number;
}

export interface FileStoreOptions {
  /** fsync every append (and the directory when a file is created). Default true. */
  fsync?: boolean;
  /** How long to wait for another process holding a stream's lock. Default 10 s. */
  lockTimeoutMs?: number;
  /** Told about every torn tail this store cuts off. */
  onRecover?: (recovery: StreamRecovery) => void;
}

export interface FileStore extends Store {
  /** Absolute state directory. */
  readonly dir: string;
  /** Every recovery this store performed, oldest first. */
  readonly recovered: readonly StreamRecovery[];
}
