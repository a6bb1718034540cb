/** A failure of the executor itself (not an outcome of a tool call), as a value with a code. */
export interface ExecutorError {
  code:
    | "request_invalid"
    | "duplicate_request"
    | "id_reserved"
    | "not_found"
    | "illegal_transition"
    | "approval_not_pending"
    | "approval_refused"
    | "approval_unsigned"
    | "approval_bad_signature"
    | "approver_not_listed"
    | "request_changed"
    | "delegation_invalid"
    | "request_redacted"
    | "not_approved"
    | "already_claimed"
    | "not_running"
    | "decided_for_runtime"
    | "not_decided_for_runtime";
  message: string;
  pointer: string;
}

export const executorError = (code: ExecutorError["code"], message: string, pointer = ""): ExecutorError => ({
  code,
  message,
  pointer,
});

/** Thrown for an illegal state transition: a bug in the caller, never a user's mistake. */
export class IllegalTransitionError extends Error {
  readonly code = "illegal_transition";
  constructor(
    readonly from: string,
    readonly to: string,
  ) {
    super(`illegal transition ${from} → ${to}`);
  }
}
