// One governed tool call: receive → validate → persist verbatim → decide → (approval) → run → record.
import {
  type ApprovalRequest,
  type ContractError,
  errorsInOneLine,
  type ToolExecutionDecision,
  type ToolExecutionRequest,
  type ToolExecutionResult,
  validate,
} from "@workspace-ops/contracts";
import { isStateError, thisProcess } from "@workspace-ops/store";
import { approvalHolds, type ResultApproval } from "./approval-check.js";
import { callDigest, parkedCalls, useApproval } from "./approval-reuse.js";
import { type CancelWatch, watchForCancel } from "./cancel.js";
import { currentState, type ExecutorContext, Phase, principalKey } from "./context.js";
import { approvalRequestFor, type Decided, decideRecorded, decideToolCall, type Reason } from "./decide.js";
import { type ExecutorError, executorError } from "./errors.js";
import { isReserved, traceIdOf } from "./ids.js";
import { type McpToolResult, mcpOutput } from "./mcp.js";
import { runOptions } from "./run-options.js";
import { bubblewrapAvailable, type RunResult, runSandboxed } from "./sandbox/index.js";
import type { StreamCapture } from "./sandbox/types.js";
import type { State } from "./state-machine.js";
import type { Isolation } from "./target.js";
import { runEnded } from "./tracing/attributes.js";

export type ToolCallOutcome =
  | { kind: "rejected"; error: ExecutorError; errors?: ContractError[] }
  | {
      kind: "pending";
      toolExecutionId: string;
      approvalRequestId: string;
      expiresAt: string;
      result: ToolExecutionResult;
    }
  | {
      kind: "finished";
      result: ToolExecutionResult;
      /** An MCP call's result as the server sent it (for the client; the records keep it redacted). */
      mcpResult?: McpToolResult;
    };

export async function receiveToolCall(ctx: ExecutorContext, payload: unknown): Promise<ToolCallOutcome> {
  const accepted = await acceptRequest(ctx, payload);
  if (!accepted.ok) return accepted.rejected;
  const { request, digest } = accepted;
  const started = ctx.now();
  return withOpeningPhase<ToolCallOutcome>(
    ctx,
    request,
    { callDigest: digest },
    (phase) => decideAndRun(ctx, request, started, phase),
    async () => ({
      kind: "rejected",
      error: executorError(
        "duplicate_request",
        `tool execution ${request.toolExecutionId} was already received`,
        "/toolExecutionId",
      ),
    }),
  );
}

export type Rejected = Extract<ToolCallOutcome, { kind: "rejected" }>;

/** Validates a request (a refusal is audited) and checks its id; with its call digest. */
export async function acceptRequest(
  ctx: ExecutorContext,
  payload: unknown,
): Promise<{ ok: true; request: ToolExecutionRequest; digest: string } | { ok: false; rejected: Rejected }> {
  const checked = validate("ToolExecutionRequest", payload);
  if (!checked.ok) {
    await ctx.store.commit({
      audit: [{ type: "request_rejected", subject: "-", data: { errors: checked.errors } }],
    });
    return {
      ok: false,
      rejected: {
        kind: "rejected",
        error: executorError("request_invalid", "the request is not a valid ToolExecutionRequest"),
        errors: checked.errors,
      },
    };
  }
  const request = checked.value;
  const id = request.toolExecutionId;
  if (isReserved(id))
    return {
      ok: false,
      rejected: {
        kind: "rejected",
        error: executorError("id_reserved", `ids starting "wsops." are reserved: ${id}`, "/toolExecutionId"),
      },
    };
  return { ok: true, request, digest: callDigest(request) };
}

/**
 * Runs `body` with the phase that creates the call's stream, its request record first. The request
 * is not committed on its own before the decision: it goes into the one transaction that also holds
 * the decision and whatever follows before anything runs. Nothing has run before that commit is
 * durable, so the request is as durable as if it were written first, with one commit less. That
 * commit may only create the stream (expectSeq 1): a duplicate id is refused there by the database's
 * unique key, so two processes can never both take the same id (`onDuplicate`). A conflict on
 * another stream is an approval this call was about to use that another call used first: decided
 * again, from the start.
 */
export async function withOpeningPhase<T>(
  ctx: ExecutorContext,
  request: ToolExecutionRequest,
  kept: Record<string, unknown>,
  body: (phase: Phase) => Promise<T>,
  onDuplicate: () => Promise<T>,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const phase = new Phase(ctx, request.toolExecutionId, {
      creates: {
        kind: "tool_execution",
        sessionId: request.context.sessionId,
        actor: principalKey(request.context.actor),
      },
    });
    phase.record(
      "request",
      { mode: ctx.mode, request, ...kept },
      { mode: ctx.mode, kind: "ToolExecutionRequest", ...kept },
    );
    try {
      return await body(phase);
    } catch (error) {
      if (!isStateError(error, "conflict")) throw error;
      if (await ctx.store.stream(request.toolExecutionId)) return onDuplicate();
      if (attempt >= 2) throw error;
    }
  }
}

/** Everything after the request is accepted; `phase` holds the request until its first commit. */
async function decideAndRun(
  ctx: ExecutorContext,
  request: ToolExecutionRequest,
  started: Date,
  phase: Phase,
): Promise<ToolCallOutcome> {
  if (ctx.mode === "disabled") return run(ctx, request, "pending", started, {}, phase);

  const decided = await decide(ctx, request, isolationOf(ctx));
  if (!decided.ok) {
    phase.record("policy_failure", { reason: decided.reason });
    if (ctx.mode === "observe")
      return run(ctx, request, "pending", started, { policyFailure: decided.reason }, phase);
    phase.transition("pending", "unavailable", { reason: decided.reason.code });
    return finish(ctx, request, started, { outcome: "unavailable", reasons: [decided.reason] }, phase);
  }
  const { decision } = decided;
  recordDecision(phase, decided);
  if (ctx.mode === "observe") return run(ctx, request, "pending", started, { decision }, phase);
  if (decision.decision === "deny") {
    phase.transition("pending", "denied");
    return finish(ctx, request, started, { outcome: "denied", reasons: decision.reasons, decision }, phase);
  }
  if (decision.decision === "approval_required") {
    // The same call approved earlier and not used yet (an MCP client retrying): it runs now, once.
    const { approved } = await parkedCalls(ctx, request, callDigest(request));
    if (approved) {
      useApproval(phase, approved, request.toolExecutionId);
      const { approvalRequestId } = approved.approval;
      const facts = { decision, approvalRequestId, usedApprovalOf: approved.toolExecutionId };
      return run(ctx, request, "pending", started, facts, phase);
    }
    const approval = approvalRequest(ctx, request, decision);
    phase
      .approvalRequested(approval)
      .transition("pending", "awaiting_approval", { approvalRequestId: approval.approvalRequestId });
    await phase.commit();
    return pendingOutcome(ctx, request, started, approval, decision);
  }
  return run(ctx, request, "pending", started, { decision }, phase);
}

/** The analysis or target the policy saw, and the decision, as records of the call. */
export function recordDecision(phase: Phase, decided: Extract<Decided, { ok: true }>): void {
  if (decided.analysis) phase.record("analysis", decided.analysis);
  if (decided.target) phase.record("target", decided.target);
  phase.record("decision", decided.decision);
}

/** `isolation`: where the call runs once allowed (see isolationOf; "none" for a hook's call). */
export const decide = (
  ctx: ExecutorContext,
  request: ToolExecutionRequest,
  isolation: Isolation,
): Promise<Decided> =>
  decideRecorded(
    ctx,
    request.toolExecutionId,
    request.correlation.traceparent,
    (d) => decideToolCall(d, request, isolation),
    { analyse: request.tool.kind === "shell" },
  );

/**
 * Where this executor runs what it allows: bubblewrap hides the hidden paths only when it runs (a
 * profile that asks for the process backend is the policy's to see). Observe and disabled mode run
 * on the process backend, but the policy's answer is not enforced there.
 */
export const isolationOf = (ctx: ExecutorContext): Isolation =>
  ctx.sandbox.backend === "process" || (ctx.sandbox.backend === "auto" && !bubblewrapAvailable())
    ? "none"
    : "bubblewrap";

const approvalRequest = (
  ctx: ExecutorContext,
  request: ToolExecutionRequest,
  decision: ToolExecutionDecision,
) =>
  approvalRequestFor(ctx, {
    subjectId: request.toolExecutionId,
    actor: request.context.actor,
    decision,
    summary: { tool: request.tool, cwd: request.context.cwd, workspaceId: request.context.workspaceId },
    traceparent: request.correlation.traceparent,
    subject: { request },
  });

interface RunFacts {
  decision?: ToolExecutionDecision;
  policyFailure?: Reason;
  approvalRequestId?: string;
  /** The earlier, approved call whose approval this one used: it ends as this one does. */
  usedApprovalOf?: string;
  /** Who resolved the call's approval, and whether it was signed. */
  approval?: ResultApproval;
}

/**
 * Runs the command (governed: under the decision's obligations) and records the result: what
 * `phase` holds, the transition to running and the started event are durable before it starts; the
 * transition out of running, its event and the result are made durable together once it ends.
 */
export async function run(
  ctx: ExecutorContext,
  request: ToolExecutionRequest,
  from: State,
  started: Date,
  facts: RunFacts,
  phase = new Phase(ctx, request.toolExecutionId),
): Promise<ToolCallOutcome> {
  const traceparent = request.correlation.traceparent;
  if (request.tool.kind === "mcp") return runMcp(ctx, request, from, started, facts, phase);
  if (request.tool.kind !== "shell" || !request.tool.argv) {
    // An agent runtime's own file and web tools are decided here and run by the runtime.
    const reason = {
      code: "tool_not_executed",
      message: `the executor decides ${request.tool.kind} tools of agent runtimes (wsops decide, wsops hook) but does not run them`,
      policy: "executor",
    };
    phase.transition(from, "unavailable", { reason: reason.code });
    return finish(ctx, request, started, { ...facts, outcome: "unavailable", reasons: [reason] }, phase);
  }
  const options = await runOptions(ctx, facts.decision, request.profileId);
  const { watch, controller } = await startRunning(ctx, request, from, facts, phase);
  const runStarted = performance.now();
  // The command continues the trace from the run span (the caller's traceparent when tracing is off).
  const argv = request.tool.argv;
  const ran = await ctx.tracing.span(
    "wsops.run",
    traceparent,
    { "wsops.tool_execution.id": request.toolExecutionId },
    (span) =>
      runSandboxed({
        signal: controller.signal,
        ...(ctx.onOutput ? { onOutput: ctx.onOutput } : {}),
        ...(ctx.stdin ? { stdin: ctx.stdin } : {}),
        argv,
        workspaceRoot: ctx.workspaceRoot,
        cwd: request.context.cwd,
        traceparent: span.traceparent,
        ...options,
      }).then((ran) => runEnded(span, ran)),
  );
  watch.stop();
  const runMs = performance.now() - runStarted;
  return recordRun(ctx, request, started, facts, ran, runMs);
}

/**
 * The commit that marks the call running (its transition, the started event, what `phase` holds),
 * with the cancel watcher looking from then on; the controller it aborts on a cancel request.
 */
async function startRunning(
  ctx: ExecutorContext,
  request: ToolExecutionRequest,
  from: State,
  facts: RunFacts,
  phase: Phase,
): Promise<{ watch: CancelWatch; controller: AbortController }> {
  const id = request.toolExecutionId;
  phase.transition(from, "running", thisProcess());
  phase.event({
    kind: "started",
    subject: id,
    state: "running",
    traceparent: request.correlation.traceparent,
    toolExecutionId: id,
    ...(facts.decision ? { decisionId: facts.decision.decisionId } : {}),
  });
  const watch = watchForCancel(ctx, id);
  try {
    await phase.commit();
  } catch (error) {
    watch.stop();
    throw error;
  }
  const controller = new AbortController();
  watch.start(controller);
  return { watch, controller };
}

/**
 * An allowed MCP call: sent to its server through the caller the executor was opened with, with
 * the arguments as the client sent them (held in memory only; the records keep them redacted).
 */
async function runMcp(
  ctx: ExecutorContext,
  request: ToolExecutionRequest,
  from: State,
  started: Date,
  facts: RunFacts,
  phase: Phase,
): Promise<ToolCallOutcome> {
  const id = request.toolExecutionId;
  const traceparent = request.correlation.traceparent;
  const { server = "", name } = request.tool;
  const original = ctx.mcpArguments.get(id);
  const args = original ?? request.tool.sanitizedArgs ?? {};
  const notRun = (code: string, message: string) => {
    phase.transition(from, "unavailable", { reason: code });
    return finish(
      ctx,
      request,
      started,
      { ...facts, outcome: "unavailable", reasons: [{ code, message, policy: "executor" }] },
      phase,
    );
  };
  if (!ctx.mcp?.has(server))
    return notRun(
      "mcp_not_executed",
      `no MCP server "${server}" is configured here: the executor decided the call; the agent runtime's MCP client, wsops mcp proxy or wsops exec --mcp-config runs it`,
    );
  if (!original && JSON.stringify(args).includes("[REDACTED:"))
    return notRun(
      "mcp_arguments_redacted",
      "the call's arguments were redacted when it was received, and the process that received it holds the originals no more",
    );
  const { watch, controller } = await startRunning(ctx, request, from, facts, phase);
  const runStarted = performance.now();
  let answer: { ok: true; result: McpToolResult } | { ok: false; message: string };
  try {
    const call = { server, tool: name, arguments: args, toolExecutionId: id };
    answer = { ok: true, result: await ctx.mcp.callTool(call, controller.signal) };
  } catch (error) {
    answer = { ok: false, message: error instanceof Error ? error.message : String(error) };
  } finally {
    watch.stop();
    ctx.mcpArguments.delete(id);
  }
  const runMs = performance.now() - runStarted;
  const ended = new Phase(ctx, id);
  const outcome = controller.signal.aborted
    ? "cancelled"
    : !answer.ok
      ? "unavailable"
      : answer.result.isError
        ? "failed"
        : "succeeded";
  ended.transition("running", outcome);
  const kind = outcome === "succeeded" ? "completed" : outcome === "cancelled" ? "cancelled" : "failed";
  ended.event({
    kind,
    subject: id,
    state: outcome,
    traceparent,
    toolExecutionId: id,
    ...(kind === "failed" ? { reason: answer.ok ? "tool_error" : "mcp_call_failed" } : {}),
  });
  const reasons = answer.ok
    ? undefined
    : [{ code: "mcp_call_failed", message: answer.message.slice(0, 4096), policy: "executor" }];
  const finished = await finish(
    ctx,
    request,
    started,
    {
      ...facts,
      outcome,
      runMs,
      ...(reasons ? { reasons } : {}),
      ...(answer.ok ? { output: mcpOutput(answer.result) } : {}),
    },
    ended,
  );
  return finished.kind === "finished" && answer.ok ? { ...finished, mcpResult: answer.result } : finished;
}

async function recordRun(
  ctx: ExecutorContext,
  request: ToolExecutionRequest,
  started: Date,
  facts: RunFacts,
  ran: RunResult,
  runMs: number,
): Promise<ToolCallOutcome> {
  const id = request.toolExecutionId;
  const traceparent = request.correlation.traceparent;
  const phase = new Phase(ctx, id);
  if (ran.outcome === "unavailable") {
    phase.transition("running", "unavailable", { reason: ran.reason.code });
    phase.event({
      kind: "failed",
      subject: id,
      state: "unavailable",
      reason: ran.reason.code,
      traceparent,
      toolExecutionId: id,
    });
    return finish(
      ctx,
      request,
      started,
      { ...facts, outcome: "unavailable", reasons: [{ ...ran.reason, policy: "executor" }] },
      phase,
    );
  }
  phase.transition("running", ran.outcome);
  const kind =
    ran.outcome === "succeeded" ? "completed" : ran.outcome === "cancelled" ? "cancelled" : "failed";
  phase.event({
    kind,
    subject: id,
    state: ran.outcome,
    traceparent,
    toolExecutionId: id,
    ...(kind === "failed" ? { reason: ran.outcome === "timed_out" ? "timeout" : "nonzero_exit" } : {}),
  });
  return finish(ctx, request, started, { ...facts, ran, runMs }, phase);
}

interface Ending extends RunFacts {
  outcome?: ToolExecutionResult["outcome"];
  reasons?: Reason[];
  ran?: Exclude<RunResult, { outcome: "unavailable" }>;
  /** What ran elsewhere wrote (an MCP server, an agent runtime), when it did not run here. */
  output?: { stdout: StreamCapture; stderr: StreamCapture };
  runMs?: number;
}

/**
 * Builds, validates and records the ToolExecutionResult — the one record every call ends with —
 * together with what `phase` holds (the transition that ended the call, its event).
 */
async function finish(
  ctx: ExecutorContext,
  request: ToolExecutionRequest,
  started: Date,
  end: Ending,
  phase: Phase,
): Promise<ToolCallOutcome> {
  const ended = ctx.now();
  const traceparent = request.correlation.traceparent;
  const result: Record<string, unknown> = {
    kind: "ToolExecutionResult",
    apiVersion: "workspace-ops.dev/v1",
    toolExecutionId: request.toolExecutionId,
    outcome: end.ran?.outcome ?? end.outcome,
    mode: ctx.mode,
    traceId: traceIdOf(traceparent),
    traceparent,
    startedAt: started.toISOString(),
    endedAt: ended.toISOString(),
    durations: {
      totalMs: Math.max(0, ended.getTime() - started.getTime()),
      ...(end.decision?.durationMs !== undefined ? { decisionMs: end.decision.durationMs } : {}),
      ...(end.runMs !== undefined ? { runMs: end.runMs } : {}),
    },
  };
  const reasons = end.reasons ?? (end.policyFailure ? [end.policyFailure] : undefined);
  if (reasons?.length) result.reasons = reasons;
  if (end.decision) result.decisionId = end.decision.decisionId;
  if (end.approvalRequestId) result.approvalRequestId = end.approvalRequestId;
  if (end.approval) result.approval = end.approval;
  if (end.ran) {
    if (end.ran.exitCode !== null && end.ran.outcome !== "cancelled") result.exitCode = end.ran.exitCode;
    if (end.ran.signal && end.ran.outcome !== "succeeded") result.signal = end.ran.signal;
    result.output = { stdout: end.ran.stdout, stderr: end.ran.stderr };
    result.sandbox = end.ran.sandbox;
  } else if (end.output) {
    result.output = end.output;
    // Not a process: 0 and 1 stand for success and a tool error (an MCP isError, a runtime's report).
    if (result.outcome === "succeeded" || result.outcome === "failed")
      result.exitCode = result.outcome === "succeeded" ? 0 : 1;
  }
  const checked = checkedResult(result);
  phase.record("result", checked);
  if (end.usedApprovalOf) endUsedApproval(phase, end.usedApprovalOf, checked);
  if (end.outcome === "denied" || end.outcome === "unavailable") {
    phase.event({
      kind: "failed",
      subject: request.toolExecutionId,
      state: end.outcome,
      reason: reasons?.[0]?.code.slice(0, 64) ?? end.outcome,
      traceparent,
      toolExecutionId: request.toolExecutionId,
      ...(end.decision ? { decisionId: end.decision.decisionId } : {}),
    });
  }
  // The caller gets the result as it was stored: redacted like every record.
  const committed = await phase.commit();
  return { kind: "finished", result: phase.recorded(committed, "result")[0] as ToolExecutionResult };
}

function checkedResult(result: Record<string, unknown>): ToolExecutionResult {
  const checked = validate("ToolExecutionResult", result);
  if (!checked.ok)
    throw new Error(`executor built an invalid ToolExecutionResult: ${errorsInOneLine(checked.errors)}`);
  return checked.value;
}

/**
 * The approved call whose approval `result`'s call used ends with it, in the same commit: it ran as
 * that call. Its result is that call's, under its own id.
 */
export function endUsedApproval(phase: Phase, usedOf: string, result: ToolExecutionResult): void {
  const as = result.toolExecutionId;
  const own = checkedResult({
    ...result,
    toolExecutionId: usedOf,
    reasons: [
      ...(result.reasons ?? []),
      { code: "ran_as", message: `approved, then run as ${as} (the same call, retried)`, policy: "executor" },
    ],
  });
  const to = own.outcome === "approval_required" ? "unavailable" : own.outcome;
  phase.otherTransition(usedOf, "running", to, { ranAs: as }, [{ type: "result", data: own }]);
}

/**
 * Runs an approved call — for the caller that waited for it (`original`: the request it sent), for
 * `wsops resume`, or for a resubmission of the same request — or ends an expired one. The approval is
 * checked first (signature, approvers, the request's digest): one that does not hold ends the call
 * denied, and nothing runs.
 */
export async function resumeToolCall(
  ctx: ExecutorContext,
  id: string,
  original?: { request: ToolExecutionRequest },
): Promise<ToolCallOutcome> {
  const records = await ctx.store.read(id);
  const requestRecord = records.find((r) => r.type === "request");
  if (!requestRecord)
    return { kind: "rejected", error: executorError("not_found", `no tool execution ${id}`) };
  const { decidedFor } = requestRecord.data as { decidedFor?: string };
  if (original !== undefined && original.request.toolExecutionId !== id)
    return {
      kind: "rejected",
      error: executorError("request_invalid", `the request resubmitted is not tool execution ${id}`),
    };
  const request = original?.request ?? (requestRecord.data as { request: ToolExecutionRequest }).request;
  const state = currentState(records);
  // A call decided for an agent runtime is the runtime's to run: it retries it, and the retry uses the approval.
  if (decidedFor)
    return {
      kind: "rejected",
      error: executorError(
        "decided_for_runtime",
        `tool execution ${id} was decided for ${decidedFor}, which runs it: once approved, the same call retried there goes through`,
      ),
    };
  const approval = records.findLast((r) => r.type === "approval_request")?.data as
    | ApprovalRequest
    | undefined;
  const decision = records.findLast((r) => r.type === "decision")?.data as ToolExecutionDecision | undefined;
  const started = new Date(requestRecord.at);
  if (state === "awaiting_approval" && approval && ctx.now().getTime() >= Date.parse(approval.expiresAt)) {
    return expire(ctx, request, approval, decision, started);
  }
  if (state !== "approved") {
    return {
      kind: "rejected",
      error: executorError("not_approved", `tool execution ${id} is ${state}, not approved`),
    };
  }
  const held = await approvalHolds(ctx, records, original ? { original } : {});
  if (held.kind === "redacted")
    return {
      kind: "rejected",
      error: executorError(
        "request_redacted",
        `the stored request of ${id} was redacted (${held.rules.join(", ")}), so it cannot be run from storage: resubmit the same request (wsops resume ${id} --request FILE)`,
      ),
    };
  const facts: RunFacts = {
    ...(decision ? { decision } : {}),
    ...(approval ? { approvalRequestId: approval.approvalRequestId } : {}),
    ...(held.approval ? { approval: held.approval } : {}),
  };
  const owner = thisProcess();
  if (!(await ctx.store.claim(id, owner)))
    return {
      kind: "rejected",
      error: executorError("already_claimed", `tool execution ${id} is already being run`),
    };
  try {
    if (held.kind === "refused") {
      const phase = new Phase(ctx, id).transition("approved", "denied", { reason: held.reason.code });
      return await finish(
        ctx,
        request,
        started,
        { ...facts, outcome: "denied", reasons: [held.reason] },
        phase,
      );
    }
    return await run(ctx, request, "approved", started, facts);
  } catch (error) {
    // Between our read and our claim another process ran or cancelled it: approved → running failed.
    if (!isStateError(error, "conflict")) throw error;
    return {
      kind: "rejected",
      error: executorError("not_approved", `tool execution ${id} moved on: ${error.message}`),
    };
  } finally {
    await ctx.store.release(id, owner);
  }
}

async function expire(
  ctx: ExecutorContext,
  request: ToolExecutionRequest,
  approval: ApprovalRequest,
  decision: ToolExecutionDecision | undefined,
  started: Date,
): Promise<ToolCallOutcome> {
  const resolution = {
    kind: "ApprovalResolution",
    apiVersion: "workspace-ops.dev/v1",
    approvalRequestId: approval.approvalRequestId,
    resolution: "expired",
    resolvedAt: ctx.now().toISOString(),
  };
  const phase = new Phase(ctx, request.toolExecutionId)
    .approvalResolved({ approvalRequestId: approval.approvalRequestId, resolution: "expired" }, resolution)
    .transition("awaiting_approval", "denied", { reason: "approval_expired" });
  return finish(
    ctx,
    request,
    started,
    {
      outcome: "denied",
      reasons: [
        {
          code: "approval_expired",
          message: `approval ${approval.approvalRequestId} expired at ${approval.expiresAt} without a resolution`,
          policy: "executor",
        },
      ],
      approvalRequestId: approval.approvalRequestId,
      ...(decision ? { decision } : {}),
    },
    phase,
  );
}

export { expire as expireToolCall, finish as finishToolCall };

/** What a caller that does not wait gets: the call is parked, as a contract-valid approval_required result. */
export function pendingOutcome(
  ctx: ExecutorContext,
  request: ToolExecutionRequest,
  started: Date,
  approval: ApprovalRequest,
  decision: ToolExecutionDecision | undefined,
): ToolCallOutcome {
  const now = ctx.now();
  const candidate: Record<string, unknown> = {
    kind: "ToolExecutionResult",
    apiVersion: "workspace-ops.dev/v1",
    toolExecutionId: request.toolExecutionId,
    outcome: "approval_required",
    reasons: approval.reasons,
    mode: ctx.mode,
    approvalRequestId: approval.approvalRequestId,
    traceId: traceIdOf(request.correlation.traceparent),
    traceparent: request.correlation.traceparent,
    startedAt: started.toISOString(),
    endedAt: now.toISOString(),
    durations: { totalMs: Math.max(0, now.getTime() - started.getTime()) },
  };
  if (decision) candidate.decisionId = decision.decisionId;
  const checked = validate("ToolExecutionResult", candidate);
  if (!checked.ok)
    throw new Error(`executor built an invalid approval_required result: ${checked.errors[0]?.message}`);
  return {
    kind: "pending",
    toolExecutionId: request.toolExecutionId,
    approvalRequestId: approval.approvalRequestId,
    expiresAt: approval.expiresAt,
    // Not stored, but it leaves the executor: redacted as if it were.
    result: ctx.redactor.redact(checked.value).value,
  };
}
