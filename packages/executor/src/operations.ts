// WorkspaceOperations: the same pipeline as a tool call, then a real handler per operation type.
import {
  type AgentMachineProfile,
  type ContainerExecutionRecord,
  type ContractError,
  type ExecutionCancelReference,
  type LocalAgentExecution,
  type ModelProviderBinding,
  type Principal,
  type ToolExecutionDecision,
  type ToolGrantRecord,
  validate,
  type WorkspaceOperationContract,
} from "@workspace-ops/contracts";
import { isStateError, thisProcess } from "@workspace-ops/store";
import { approvalHolds } from "./approval-check.js";
import { requestCancel, watchForCancel } from "./cancel.js";
import { containerArgv, detectContainerRuntime } from "./containers.js";
import { currentState, type ExecutorContext, Phase, principalKey } from "./context.js";
import { approvalRequestFor, type Decided, decideOperation, decideRecorded, type Reason } from "./decide.js";
import { exportDiagnostics } from "./diagnostics.js";
import { type ExecutorError, executorError } from "./errors.js";
import { type GovernanceChange, recordGovernance } from "./governance.js";
import { isReserved, newId } from "./ids.js";
import { runOptions } from "./run-options.js";
import { type RunResult, runSandboxed } from "./sandbox/index.js";
import type { State } from "./state-machine.js";
import { runEnded, stepAttributes } from "./tracing/attributes.js";

export type OperationOutcome =
  | { kind: "rejected"; error: ExecutorError; errors?: ContractError[] }
  | { kind: "pending"; operationId: string; approvalRequestId: string; expiresAt: string }
  | { kind: "finished"; operationId: string; state: State; reasons: Reason[] };

interface Stored {
  operation: WorkspaceOperationContract;
  actor: Principal;
}

export async function submitOperation(
  ctx: ExecutorContext,
  payload: unknown,
  actor?: Principal,
): Promise<OperationOutcome> {
  const checked = validate("WorkspaceOperationContract", payload);
  if (!checked.ok) {
    await ctx.store.commit({
      audit: [{ type: "request_rejected", subject: "-", data: { errors: checked.errors } }],
    });
    return {
      kind: "rejected",
      error: executorError("request_invalid", "not a valid WorkspaceOperationContract"),
      errors: checked.errors,
    };
  }
  const operation = checked.value;
  const id = operation.workspaceOperation.operationId;
  if (isReserved(id))
    return {
      kind: "rejected",
      error: executorError("id_reserved", `ids starting "wsops." are reserved: ${id}`),
    };
  // The submitter is the delegate unless told otherwise; the policy checks the two are the same.
  const submitter = actor ?? operation.delegation.delegate;
  // As for a tool call (see receiveToolCall): the request goes into the one commit that also holds
  // the decision and what follows before anything runs, and that commit may only create the stream,
  // which refuses a duplicate id atomically. A LocalAgentExecution's id is kept with the stream (and
  // unique), for execution.cancel to find it.
  const executionId =
    operation.artifact.kind === "LocalAgentExecution"
      ? (operation.artifact as LocalAgentExecution).executionId
      : undefined;
  const phase = new Phase(ctx, id, {
    creates: { kind: "operation", actor: principalKey(submitter), ...(executionId ? { executionId } : {}) },
  });
  phase.record(
    "request",
    { mode: ctx.mode, operation, actor: submitter },
    {
      mode: ctx.mode,
      kind: "WorkspaceOperationContract",
      operationType: operation.workspaceOperation.operationType,
    },
  );
  try {
    return await decideAndHandle(ctx, { operation, actor: submitter }, phase);
  } catch (error) {
    if (!isStateError(error, "conflict")) throw error;
    return {
      kind: "rejected",
      error: executorError("duplicate_request", `operation ${id} was already submitted`),
    };
  }
}

/** Everything after the operation is accepted; `phase` holds its request until its first commit. */
async function decideAndHandle(
  ctx: ExecutorContext,
  stored: Stored,
  phase: Phase,
): Promise<OperationOutcome> {
  const { operation, actor: submitter } = stored;
  const id = operation.workspaceOperation.operationId;
  const traceparent = operation.audit.traceparent;
  let decision: ToolExecutionDecision | undefined;
  if (ctx.mode !== "disabled") {
    const decided = await decide(ctx, operation, submitter);
    if (!decided.ok) {
      phase.record("policy_failure", { reason: decided.reason });
      if (ctx.mode === "governed")
        return endOperation(phase, "pending", "unavailable", [decided.reason], traceparent);
    } else {
      decision = decided.decision;
      phase.record("decision", decision);
      if (ctx.mode === "governed" && decision.decision === "deny")
        return endOperation(phase, "pending", "denied", decision.reasons, traceparent, decision.decisionId);
      if (ctx.mode === "governed" && decision.decision === "approval_required") {
        const approval = approvalRequest(ctx, operation, submitter, decision);
        phase
          .approvalRequested(approval)
          .transition("pending", "awaiting_approval", { approvalRequestId: approval.approvalRequestId });
        await phase.commit();
        return {
          kind: "pending",
          operationId: id,
          approvalRequestId: approval.approvalRequestId,
          expiresAt: approval.expiresAt,
        };
      }
    }
  }
  return handle(ctx, stored, "pending", decision, phase);
}

const decide = (
  ctx: ExecutorContext,
  operation: WorkspaceOperationContract,
  actor: Principal,
): Promise<Decided> =>
  decideRecorded(ctx, operation.workspaceOperation.operationId, operation.audit.traceparent, (d) =>
    decideOperation(d, operation, actor),
  );

/** An operation's approval shows its first step (the one the approver most needs to see). */
function approvalRequest(
  ctx: ExecutorContext,
  operation: WorkspaceOperationContract,
  actor: Principal,
  decision: ToolExecutionDecision,
) {
  const first =
    operation.artifact.kind === "LocalAgentExecution"
      ? (operation.artifact as LocalAgentExecution).steps[0]
      : undefined;
  const type = operation.workspaceOperation.operationType;
  return approvalRequestFor(ctx, {
    subjectId: operation.workspaceOperation.operationId,
    actor,
    decision,
    summary: {
      tool: { kind: "shell", name: first?.argv[0] ?? type, argv: first?.argv ?? [type] },
      cwd: first?.cwd ?? ".",
      workspaceId: operation.workspaceOperation.workspace.workspaceId,
    },
    traceparent: operation.audit.traceparent,
    subject: { operation, actor },
  });
}

/** Ends the operation: the transition, its event and the outcome, with what `phase` holds, in one append. */
export async function endOperation(
  phase: Phase,
  from: State,
  to: State,
  reasons: Reason[],
  traceparent: string,
  decisionId?: string,
): Promise<OperationOutcome> {
  const id = phase.stream;
  phase.transition(from, to, reasons[0] ? { reason: reasons[0].code } : {});
  const kind = to === "succeeded" ? "completed" : to === "cancelled" ? "cancelled" : "failed";
  phase.event({
    kind,
    subject: id,
    state: to,
    traceparent,
    ...(kind === "failed" ? { reason: (reasons[0]?.code ?? to).slice(0, 64) } : {}),
    ...(reasons[0] ? { message: reasons[0].message } : {}),
    ...(decisionId ? { decisionId } : {}),
  });
  phase.record("outcome", { state: to, reasons });
  await phase.commit();
  return { kind: "finished", operationId: id, state: to, reasons };
}

const reason = (code: string, message: string): Reason => ({ code, message, policy: "executor" });

/**
 * Runs an approved operation (`wsops resume`, or a resubmission of the same operation: `original`),
 * once its approval holds (signature, approvers, the operation's digest); one that does not hold ends
 * it denied, and nothing runs.
 */
export async function resumeOperation(
  ctx: ExecutorContext,
  id: string,
  original?: { operation: WorkspaceOperationContract },
): Promise<OperationOutcome> {
  const records = await ctx.store.read(id);
  const stored = records.find((r) => r.type === "request")?.data as Stored | undefined;
  if (!stored?.operation)
    return { kind: "rejected", error: executorError("not_found", `no operation ${id}`) };
  const resubmitted = original ? { operation: original.operation, actor: stored.actor } : undefined;
  if (original !== undefined && resubmitted?.operation.workspaceOperation.operationId !== id)
    return {
      kind: "rejected",
      error: executorError("request_invalid", `the operation resubmitted is not operation ${id}`),
    };
  const state = currentState(records);
  if (state !== "approved")
    return {
      kind: "rejected",
      error: executorError("not_approved", `operation ${id} is ${state}, not approved`),
    };
  const held = await approvalHolds(ctx, records, resubmitted ? { original: resubmitted } : {});
  if (held.kind === "redacted")
    return {
      kind: "rejected",
      error: executorError(
        "request_redacted",
        `the stored operation ${id} was redacted (${held.rules.join(", ")}), so it cannot be run from storage: resubmit the same operation (wsops resume ${id} --request FILE)`,
      ),
    };
  const owner = thisProcess();
  if (!(await ctx.store.claim(id, owner)))
    return {
      kind: "rejected",
      error: executorError("already_claimed", `operation ${id} is already being run`),
    };
  try {
    const traceparent = stored.operation.audit.traceparent;
    if (held.kind === "refused")
      return await endOperation(new Phase(ctx, id), "approved", "denied", [held.reason], traceparent);
    const decision = records.findLast((r) => r.type === "decision")?.data as
      | ToolExecutionDecision
      | undefined;
    return await handle(ctx, resubmitted ?? stored, "approved", decision);
  } catch (error) {
    // Between our read and our claim another process ran or cancelled it: approved → running failed.
    if (!isStateError(error, "conflict")) throw error;
    return {
      kind: "rejected",
      error: executorError("not_approved", `operation ${id} moved on: ${error.message}`),
    };
  } finally {
    await ctx.store.release(id, owner);
  }
}

/** The handler of each operation type. Each changes real state or runs real processes. */
async function handle(
  ctx: ExecutorContext,
  { operation, actor }: Stored,
  from: State,
  decision: ToolExecutionDecision | undefined,
  phase = new Phase(ctx, operation.workspaceOperation.operationId),
): Promise<OperationOutcome> {
  const id = operation.workspaceOperation.operationId;
  const traceparent = operation.audit.traceparent;
  const artifact = operation.artifact as unknown;
  const now = ctx.now().toISOString();
  phase.transition(from, "running", thisProcess());
  phase.event({
    kind: "started",
    subject: id,
    state: "running",
    traceparent,
    ...(decision ? { decisionId: decision.decisionId } : {}),
  });
  await phase.commit();
  // A governance change and the operation's end are one commit: the change is in force exactly when
  // the operation is recorded as succeeded.
  const govern = (change: GovernanceChange) =>
    endOperation(recordGovernance(phase, change), "running", "succeeded", [], traceparent);
  switch (operation.workspaceOperation.operationType) {
    case "agent_machine.profile.create":
      return govern({ type: "profile", data: artifact as AgentMachineProfile });
    case "agent_machine.tool_grant.apply":
      return govern({ type: "grant", data: artifact as ToolGrantRecord });
    case "agent_machine.tool_grant.revoke": {
      const grant = artifact as ToolGrantRecord;
      return govern({
        type: "grant_revoked",
        data: {
          grantId: grant.grantId,
          revokedAt: grant.revokedAt ?? now,
          ...(grant.revocationReason ? { revocationReason: grant.revocationReason } : {}),
        },
      });
    }
    case "agent_machine.model_provider.bind":
      return govern({ type: "binding", data: artifact as ModelProviderBinding });
    case "agent_machine.execution.cancel": {
      const ref = artifact as ExecutionCancelReference;
      const target =
        ref.operationId ??
        (await ctx.store.listStreams({ executionId: ref.executionId, limit: 1 }))[0]?.stream;
      if (!target)
        return endOperation(
          phase,
          "running",
          "failed",
          [reason("execution_unknown", `no execution ${ref.executionId}`)],
          traceparent,
        );
      const cancelled = await requestCancel(ctx, target, ref.reason);
      if (!cancelled.ok)
        return endOperation(
          phase,
          "running",
          "failed",
          [reason(cancelled.error.code, cancelled.error.message)],
          traceparent,
        );
      return endOperation(phase, "running", "succeeded", [], traceparent);
    }
    case "agent_machine.diagnostics.export_redacted": {
      const { path, bundle } = await exportDiagnostics({
        store: ctx.store,
        stateDir: ctx.stateDir,
        workspaceId: operation.workspaceOperation.workspace.workspaceId,
        bundleId: newId("diag"),
        now: ctx.now(),
      });
      phase.storeOnly("export", {
        path,
        bundleId: bundle.bundleId,
        entries: bundle.entries.length,
        redaction: bundle.redaction,
      });
      return endOperation(phase, "running", "succeeded", [], traceparent);
    }
    case "agent_machine.container.run":
      return runContainer(ctx, phase, artifact as ContainerExecutionRecord, operation, decision);
    case "agent_machine.execution.start":
      return runSteps(ctx, phase, artifact as LocalAgentExecution, operation, decision, actor);
  }
}

async function runContainer(
  ctx: ExecutorContext,
  phase: Phase,
  record: ContainerExecutionRecord,
  operation: WorkspaceOperationContract,
  decision?: ToolExecutionDecision,
) {
  const id = phase.stream;
  const traceparent = operation.audit.traceparent;
  const runtime = detectContainerRuntime();
  if (!runtime.ok)
    return endOperation(
      phase,
      "running",
      "unavailable",
      [reason("container_runtime_unavailable", runtime.message)],
      traceparent,
    );
  const controller = new AbortController();
  const watch = watchForCancel(ctx, id);
  watch.start(controller);
  try {
    const options = await runOptions(ctx, decision);
    const ran = await ctx.tracing.span(
      "wsops.operation.step",
      traceparent,
      stepAttributes(id, "container", 0),
      (span) =>
        runSandboxed({
          argv: containerArgv(runtime.runtime, record, ctx.workspaceRoot),
          workspaceRoot: ctx.workspaceRoot,
          cwd: ".",
          ...options,
          traceparent: span.traceparent,
          timeoutSeconds: operation.budget.maxWallClockSeconds,
          signal: controller.signal,
          backend: "process", // the container runtime is the sandbox here
          requireSandbox: false,
        }).then((ran) => runEnded(span, ran)),
    );
    phase.storeOnly("step_result", { name: "container", ...ran });
    return endRun(phase, ran, traceparent);
  } finally {
    watch.stop();
  }
}

function endRun(phase: Phase, ran: RunResult, traceparent: string, budgetCut = false) {
  if (ran.outcome === "unavailable")
    return endOperation(
      phase,
      "running",
      "unavailable",
      [reason(ran.reason.code, ran.reason.message)],
      traceparent,
    );
  if (ran.outcome === "succeeded") return endOperation(phase, "running", "succeeded", [], traceparent);
  if (ran.outcome === "cancelled")
    return endOperation(
      phase,
      "running",
      "cancelled",
      [reason("cancelled", "cancelled on request")],
      traceparent,
    );
  if (ran.outcome === "timed_out" && budgetCut) {
    return endOperation(
      phase,
      "running",
      "failed",
      [reason("budget_exhausted", "the operation's maxWallClockSeconds ran out")],
      traceparent,
    );
  }
  if (ran.outcome === "timed_out")
    return endOperation(
      phase,
      "running",
      "timed_out",
      [reason("timeout", "the step ran past its timeoutSeconds")],
      traceparent,
    );
  return endOperation(
    phase,
    "running",
    "failed",
    [
      reason(
        "step_failed",
        `exit code ${ran.exitCode ?? "none"}${ran.signal ? `, signal ${ran.signal}` : ""}`,
      ),
    ],
    traceparent,
  );
}

/** execution.start: the steps in order, under the wall-clock and step budgets, cancellable. */
async function runSteps(
  ctx: ExecutorContext,
  phase: Phase,
  execution: LocalAgentExecution,
  operation: WorkspaceOperationContract,
  decision: ToolExecutionDecision | undefined,
  _actor: Principal,
): Promise<OperationOutcome> {
  const id = phase.stream;
  const traceparent = operation.audit.traceparent;
  const deadline = Date.now() + operation.budget.maxWallClockSeconds * 1000;
  const controller = new AbortController();
  const watch = watchForCancel(ctx, id);
  watch.start(controller);
  try {
    const options = await runOptions(ctx, decision);
    for (const [index, step] of execution.steps.entries()) {
      if (index >= operation.budget.maxSteps) {
        return endOperation(
          phase,
          "running",
          "failed",
          [
            reason(
              "budget_exhausted",
              `maxSteps ${operation.budget.maxSteps} reached before step ${step.name}`,
            ),
          ],
          traceparent,
        );
      }
      const remaining = Math.floor((deadline - Date.now()) / 1000);
      if (remaining <= 0)
        return endOperation(
          phase,
          "running",
          "failed",
          [reason("budget_exhausted", "the operation's maxWallClockSeconds ran out")],
          traceparent,
        );
      const timeoutSeconds = Math.min(step.timeoutSeconds, remaining);
      // Each step is a span; its command continues the trace from it.
      const ran = await ctx.tracing.span(
        "wsops.operation.step",
        traceparent,
        stepAttributes(id, step.name, index),
        (span) =>
          runSandboxed({
            argv: step.argv,
            shell: step.shell === true,
            workspaceRoot: ctx.workspaceRoot,
            cwd: step.cwd,
            ...options,
            traceparent: span.traceparent,
            timeoutSeconds,
            signal: controller.signal,
            ...(ctx.onOutput ? { onOutput: ctx.onOutput } : {}),
          }).then((ran) => runEnded(span, ran)),
      );
      // One append per step: its result (the stream's only) and, when it succeeded, the progress event.
      phase.storeOnly("step_result", { name: step.name, ...ran });
      if (ran.outcome !== "succeeded")
        return endRun(phase, ran, traceparent, timeoutSeconds < step.timeoutSeconds);
      phase.event({
        kind: "progress",
        subject: id,
        state: "running",
        step: step.name,
        message: `Step ${index + 1} of ${execution.steps.length} finished.`,
        traceparent,
      });
      await phase.commit();
    }
    return endOperation(phase, "running", "succeeded", [], traceparent);
  } finally {
    watch.stop();
  }
}
