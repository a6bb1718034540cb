// The executor as a library: open it on a workspace, then exec, submit, approve, resume, cancel.
import { join, resolve } from "node:path";
import { loadAnalyzer } from "@workspace-ops/analysis";
import { type Principal, type UsageRecord, validate } from "@workspace-ops/contracts";
import { defaultBundleDir, PolicyRuntime } from "@workspace-ops/policy";
import { type ResolveOutcome, resolveApproval, resume, waitForApproval } from "./approvals.js";
import { openAuditLog } from "./audit/index.js";
import { requestCancel } from "./cancel.js";
import { currentState, type ExecutorContext, type Mode } from "./context.js";
import { type ExecutorError, executorError } from "./errors.js";
import type { EventSink } from "./events.js";
import { reservedStreams } from "./ids.js";
import { type OperationOutcome, submitOperation } from "./operations.js";
import type { State } from "./state-machine.js";
import { openFileStore, type StoredRecord } from "./store/index.js";
import { receiveToolCall, type ToolCallOutcome } from "./tool-call.js";

export interface ExecutorOptions {
  /** Absolute or relative path of the workspace; nothing runs outside it. */
  workspaceRoot: string;
  /** Default: $WSOPS_STATE_DIR, else <workspaceRoot>/.wsops. */
  stateDir?: string;
  mode: Mode;
  /** A built policy bundle; default: the one inside @workspace-ops/policy. */
  bundleDir?: string;
  /** fsync every append (default true); off only for benchmarks that say so. */
  fsync?: boolean;
  now?: () => Date;
  /** Where lifecycle events go besides the audit log. */
  sinks?: EventSink[];
  /** Sandbox backend when the policy does not choose one, and whether a missing bubblewrap fails closed. */
  sandbox?: { backend?: "process" | "bubblewrap" | "auto"; required?: boolean };
  /** How long an approval request stays open (default 900 s). */
  approvalTtlSeconds?: number;
  /** Live output of the commands it runs. */
  onOutput?: (stream: "stdout" | "stderr", chunk: Buffer) => void;
}

export interface Status {
  id: string;
  kind: "tool_execution" | "operation";
  state: State | null;
  records: number;
  approvalRequestId?: string;
  decision?: unknown;
  result?: unknown;
}

export class Executor {
  private constructor(readonly context: ExecutorContext) {}

  static async open(options: ExecutorOptions): Promise<Executor> {
    const workspaceRoot = resolve(options.workspaceRoot);
    const stateDir = resolve(
      options.stateDir ?? process.env.WSOPS_STATE_DIR ?? join(workspaceRoot, ".wsops"),
    );
    const fsync = options.fsync ?? true;
    const store = await openFileStore(stateDir, { fsync });
    const audit = await openAuditLog(stateDir, { fsync });
    let policy: ReturnType<ExecutorContext["policy"]> | undefined;
    let analyzer: ReturnType<ExecutorContext["analyzer"]> | undefined;
    const context: ExecutorContext = {
      workspaceRoot,
      stateDir,
      mode: options.mode,
      store,
      audit,
      policy: () => {
        policy ??= PolicyRuntime.load(options.bundleDir ?? defaultBundleDir);
        return policy;
      },
      analyzer: () => {
        analyzer ??= loadAnalyzer().then(
          (loaded) => ({ ok: true as const, analyzer: loaded }),
          (error: unknown) => ({
            ok: false as const,
            error: {
              code: "analysis_unavailable",
              message: `the shell parser did not load: ${String(error)}`,
            },
          }),
        );
        return analyzer;
      },
      now: options.now ?? (() => new Date()),
      sinks: options.sinks ?? [],
      sandbox: { backend: options.sandbox?.backend ?? "auto", required: options.sandbox?.required ?? false },
      approvalTtlSeconds: options.approvalTtlSeconds ?? 900,
      ...(options.onOutput ? { onOutput: options.onOutput } : {}),
    };
    const executor = new Executor(context);
    await executor.#recordMode();
    return executor;
  }

  /** A change of mode is itself an audited event. */
  async #recordMode(): Promise<void> {
    const { store, audit, mode } = this.context;
    const last = (await store.read(reservedStreams.mode)).at(-1)?.data as { mode: Mode } | undefined;
    if (last?.mode === mode) return;
    await store.append(reservedStreams.mode, "mode", { mode, from: last?.mode ?? null, pid: process.pid });
    await audit.append("mode_changed", reservedStreams.mode, { from: last?.mode ?? null, to: mode });
  }

  /** One governed tool call. With wait, an approval_required call waits (polling) up to waitTimeoutMs. */
  async exec(
    payload: unknown,
    options: { wait?: boolean; waitTimeoutMs?: number } = {},
  ): Promise<ToolCallOutcome> {
    const outcome = await receiveToolCall(this.context, payload);
    if (outcome.kind !== "pending" || !options.wait) return outcome;
    return waitForApproval(this.context, outcome.toolExecutionId, options.waitTimeoutMs ?? 15 * 60 * 1000);
  }

  submit(payload: unknown, actor?: Principal): Promise<OperationOutcome> {
    return submitOperation(this.context, payload, actor);
  }

  approve(approvalRequestId: string, by: Principal, comment?: string): Promise<ResolveOutcome> {
    return resolveApproval(this.context, approvalRequestId, "approved", by, comment);
  }

  deny(approvalRequestId: string, by: Principal, comment?: string): Promise<ResolveOutcome> {
    return resolveApproval(this.context, approvalRequestId, "denied", by, comment);
  }

  resume(id: string): Promise<ToolCallOutcome | OperationOutcome> {
    return resume(this.context, id);
  }

  cancel(id: string, reason = "cancelled on request") {
    return requestCancel(this.context, id, reason);
  }

  /** Records model usage for the per-persona, per-minute budgets the policy checks. */
  async recordUsage(
    payload: unknown,
  ): Promise<{ ok: true; usage: UsageRecord } | { ok: false; error: ExecutorError }> {
    const checked = validate("UsageRecord", payload);
    if (!checked.ok)
      return {
        ok: false,
        error: executorError(
          "request_invalid",
          checked.errors.map((e) => `${e.pointer} ${e.message}`).join("; "),
        ),
      };
    await this.context.store.append(reservedStreams.usage, "usage", checked.value);
    await this.context.audit.append("usage", checked.value.persona, checked.value);
    return { ok: true, usage: checked.value };
  }

  records(id: string): Promise<StoredRecord[]> {
    return this.context.store.read(id);
  }

  async status(id: string): Promise<Status | null> {
    const records = await this.context.store.read(id);
    const request = records.find((r) => r.type === "request")?.data as { operation?: unknown } | undefined;
    if (!request) return null;
    const status: Status = {
      id,
      kind: request.operation ? "operation" : "tool_execution",
      state: currentState(records),
      records: records.length,
    };
    const approval = records.findLast((r) => r.type === "approval_request")?.data as
      | { approvalRequestId: string }
      | undefined;
    if (approval) status.approvalRequestId = approval.approvalRequestId;
    const decision = records.findLast((r) => r.type === "decision")?.data;
    if (decision) status.decision = decision;
    const result = records.findLast((r) => r.type === "result" || r.type === "outcome")?.data;
    if (result) status.result = result;
    return status;
  }

  async close(): Promise<void> {
    await this.context.store.close();
    await this.context.audit.close();
  }
}
