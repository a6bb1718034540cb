import { IllegalTransitionError } from "./errors.js";

/** The states of a tool call or an operation (the WorkspaceOperationContract operationTask states). */
export type State =
  | "pending"
  | "awaiting_approval"
  | "approved"
  | "running"
  | "succeeded"
  | "failed"
  | "denied"
  | "cancelled"
  | "timed_out"
  | "unavailable";

export const terminalStates: ReadonlySet<State> = new Set([
  "succeeded",
  "failed",
  "denied",
  "cancelled",
  "timed_out",
  "unavailable",
]);

/** Every legal transition; anything else raises. */
export const transitions: Readonly<Record<State, readonly State[]>> = {
  pending: ["running", "awaiting_approval", "denied", "unavailable", "succeeded", "cancelled"],
  awaiting_approval: ["approved", "denied", "cancelled"],
  // approved → denied: the approval did not hold up when checked before running (signature, request digest).
  approved: ["running", "denied", "cancelled", "unavailable"],
  running: ["succeeded", "failed", "timed_out", "cancelled", "unavailable"],
  succeeded: [],
  failed: [],
  denied: [],
  cancelled: [],
  timed_out: [],
  unavailable: [],
};

export function assertTransition(from: State, to: State): void {
  if (!transitions[from].includes(to)) throw new IllegalTransitionError(from, to);
}
