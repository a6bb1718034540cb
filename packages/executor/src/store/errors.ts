/** Why the store or the audit log refused or failed an operation. */
export type StateErrorCode =
  /** A stream name is not an identifier (`^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$`). */
  | "stream_name_invalid"
  /** Another live process held the lock for longer than the allowed wait. */
  | "lock_timeout"
  /** The store or log was closed. */
  | "closed"
  /** A complete line in the middle of a file is not a valid record, or the sequence has a gap. */
  | "corrupt"
  /** The record cannot be stored: its type (or subject) is not a non-empty string, or its data is not JSON. */
  | "record_invalid"
  /** The operating system refused a write; nothing was appended. */
  | "write_failed"
  /** An append that named the seq it must start at (`expectSeq`) found the stream elsewhere; nothing was appended. */
  | "conflict";

/** A typed failure: callers branch on `code`, people read `message`. */
export class StateError extends Error {
  override readonly name = "StateError";

  constructor(
    readonly code: StateErrorCode,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
  }
}

export const isStateError = (thrown: unknown, code?: StateErrorCode): thrown is StateError =>
  thrown instanceof StateError && (code === undefined || thrown.code === code);
