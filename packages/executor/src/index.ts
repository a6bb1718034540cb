export {
  type AnnotateOutcome,
  annotateSession,
  annotationRecordType,
  type ExtendOutcome,
  extendSessionAnnotation,
  type StoredAnnotation,
  sessionAnnotationStream,
} from "./annotations.js";
export type { ApprovalCheckCode, ResultApproval } from "./approval-check.js";
export { type ApprovalListing, describeTool } from "./approval-list.js";
export { callDigest } from "./approval-reuse.js";
export type { ResolutionChannel, ResolveOptions, ResolveOutcome } from "./approvals.js";
export type { Mode } from "./context.js";
export type { DecideAnswer, DecideOptions, DecideOutcome, Verdict } from "./decide-call.js";
export type { ExecutorError } from "./errors.js";
export { IllegalTransitionError } from "./errors.js";
export { lifecycleDataSchema, lifecycleEvent } from "./events.js";
export { Executor, type ExecutorOptions, type Status } from "./executor.js";
export { ExplainError, type ExplainOptions, type Explanation, explainToolCall } from "./explain.js";
export type { GrantedTool, GrantRequest } from "./grants.js";
export { newTraceparent } from "./ids.js";
export type { McpCall, McpCaller, McpToolResult } from "./mcp.js";
export type { Refusal } from "./model-calls/decide.js";
export type {
  AttemptSummary,
  CallOutcome,
  ChargeResult,
  Exhausted,
  MeteredCall,
  MeterOptions,
  ModelCallStart,
  ModelCallSummary,
  Reported,
} from "./model-calls/meter.js";
export { newModelCallId } from "./model-calls/meter.js";
export type { RouteTarget } from "./model-calls/route.js";
export {
  type BudgetSpend,
  type PersonaUsage,
  type Spend,
  type UsageReport,
  usageReport,
} from "./model-calls/usage-report.js";
export type { OperationOutcome } from "./operations.js";
export type { RecordedOutcome, ReportedOutcome } from "./outcome.js";
export { type RedactionRecord, requestRedactions } from "./redaction/redaction-record.js";
export { bubblewrapAvailable, type RunResult, type RunSpec, runSandboxed } from "./sandbox/index.js";
export {
  type DigestSubject,
  delegationMessage,
  delegationVerifies,
  requestDigest,
  resolutionMessage,
  type SigningDelegation,
  signDelegation,
  signResolution,
  type UnsignedDelegation,
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
export { type DeliveryOptions, droppedCount, EventDelivery, type SinkReport } from "./sinks/delivery.js";
export {
  type EventListener,
  type EventSink,
  fileSink,
  openEventSink,
  SinkFailure,
  SinkTargetError,
  type SinkTargetOptions,
  stdoutSink,
} from "./sinks/sink.js";
export { defaultStateDir, ensureStateDir, stateRoot, workspaceIdOf } from "./state-dir.js";
export { assertTransition, type State, terminalStates, transitions } from "./state-machine.js";
export { describeStore, openStore, type StoreSelection } from "./store-url.js";
export type { ToolCallOutcome } from "./tool-call.js";
export { otlpRequested, type TracingOption } from "./tracing/tracing.js";
export { behindWriteBoundary, type WriteBoundary } from "./write-boundary.js";
