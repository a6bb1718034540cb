export type { ResolveOutcome } from "./approvals.js";
export {
  type AuditDefect,
  type AuditLog,
  type AuditLogOptions,
  type AuditRecord,
  type AuditRecovery,
  type AuditVerification,
  type NewAuditRecord,
  openAuditLog,
  verifyAuditLog,
} from "./audit/index.js";
export type { Mode } from "./context.js";
export type { ExecutorError } from "./errors.js";
export { IllegalTransitionError } from "./errors.js";
export { type EventSink, fileSink, lifecycleEvent, stdoutSink } from "./events.js";
export { Executor, type ExecutorOptions, type Status } from "./executor.js";
export { ExplainError, type ExplainOptions, type Explanation, explainToolCall } from "./explain.js";
export type { OperationOutcome } from "./operations.js";
export { bubblewrapAvailable, type RunResult, type RunSpec, runSandboxed } from "./sandbox/index.js";
export { assertTransition, type State, terminalStates, transitions } from "./state-machine.js";
export {
  type AppendOptions,
  type FileStore,
  type FileStoreOptions,
  isStateError,
  type NewRecord,
  openFileStore,
  StateError,
  type StateErrorCode,
  type Store,
  type StoredRecord,
  type StreamRecovery,
} from "./store/index.js";
export type { ToolCallOutcome } from "./tool-call.js";
