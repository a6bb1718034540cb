export type { ApprovalCheckCode, ResultApproval } from "./approval-check.js";
export type { ResolveOptions, ResolveOutcome } from "./approvals.js";
export type { Mode } from "./context.js";
export type { ExecutorError } from "./errors.js";
export { IllegalTransitionError } from "./errors.js";
export { type EventSink, fileSink, lifecycleEvent, stdoutSink } from "./events.js";
export { Executor, type ExecutorOptions, type Status } from "./executor.js";
export { ExplainError, type ExplainOptions, type Explanation, explainToolCall } from "./explain.js";
export type { OperationOutcome } from "./operations.js";
export { type RedactionRecord, requestRedactions } from "./redaction/redaction-record.js";
export { bubblewrapAvailable, type RunResult, type RunSpec, runSandboxed } from "./sandbox/index.js";
export {
  type DigestSubject,
  requestDigest,
  resolutionMessage,
  signResolution,
} from "./signing/approval-signature.js";
export {
  approverKeyPath,
  auditKeyPath,
  auditPublicKey,
  createApproverKey,
  createAuditKey,
  type LoadedKey,
  listKeys,
  loadApproverKey,
} from "./signing/key-names.js";
export { defaultStateDir, ensureStateDir, stateRoot, workspaceIdOf } from "./state-dir.js";
export { assertTransition, type State, terminalStates, transitions } from "./state-machine.js";
export { describeStore, openStore, type StoreSelection } from "./store-url.js";
export type { ToolCallOutcome } from "./tool-call.js";
export { behindWriteBoundary, type WriteBoundary } from "./write-boundary.js";
