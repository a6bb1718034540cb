/** Why the store refused or failed an operation. */
export type StateErrorCode =
  /** A stream name is not an identifier (`^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$`). */
  | "stream_name_invalid"
  /** The store was closed. */
  | "closed"
  /** The audit chain fails its own checks; the store refuses to extend it (run `wsops audit verify`). */
  | "corrupt"
  /** A record cannot be stored: its type (or subject) is not a non-empty string, or its data is not JSON. */
  | "record_invalid"
  /**
   * The commit's condition did not hold, and nothing was written: `expectSeq` found the stream
   * elsewhere, or an approval to resolve is no longer pending.
   */
  | "conflict"
  /**
   * A usage reservation would pass one of its limits; nothing was written. `details`: reservationId,
   * persona, entry (of the limit; null for the persona's), dimension (tokens, costMicroUsd,
   * requests), used, requested, limit.
   */
  | "limit_exceeded"
  /** An approval to resolve does not exist; nothing was written. */
  | "not_found"
  /** Another writer held the database for longer than the busy timeout; nothing was written. */
  | "busy"
  /** The database could not be reached or refused the operation (see the message). */
  | "unavailable"
  /** The database is newer than this code (its schema version is unknown here). */
  | "schema_unknown";

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
