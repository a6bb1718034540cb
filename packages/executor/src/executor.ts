// The executor as a library: open it on a workspace, then exec, submit, approve, resume, cancel.
import { resolve } from "node:path";
import { loadAnalyzer } from "@workspace-ops/analysis";
import { type Principal, type UsageRecord, validate } from "@workspace-ops/contracts";
import { type Durability, isStateError, type Store, type StoredRecord } from "@workspace-ops/store";
import { type AnnotateOutcome, annotateSession } from "./annotations.js";
import { type ResolveOutcome, resolveApproval, resume, waitForApproval } from "./approvals.js";
import { requestCancel } from "./cancel.js";
import type { ExecutorContext, Mode } from "./context.js";
import { type ExecutorError, executorError } from "./errors.js";
import type { EventSink } from "./events.js";
import { reservedStreams } from "./ids.js";
import type { OperationOutcome } from "./operations.js";
import { defaultStateDir, ensureStateDir } from "./state-dir.js";
import type { State } from "./state-machine.js";
import { openStore } from "./store-url.js";
import { receiveToolCall, type ToolCallOutcome } from "./tool-call.js";

export interface ExecutorOptions {
  /** Absolute or relative path of the workspace; nothing runs outside it. */
  workspaceRoot: string;
  /**
   * Default: $WSOPS_STATE_DIR, else `${XDG_STATE_HOME:-~/.local/state}/wsops/<workspace id>-<hash>`
   * (see defaultStateDir); created 0700. Under bubblewrap no command can reach it, wherever it is.
   */
  stateDir?: string;
  mode: Mode;
  /** A built policy bundle; default: the one inside @workspace-ops/policy. */
  bundleDir?: string;
  /**
   * The store: a URL (`sqlite:PATH`, `postgres://…`), or one already open (the executor then does not
   * close it). Default: $WSOPS_STORE_URL, else SQLite at <stateDir>/state.db.
   */
  store?: string | Store;
  /**
   * `full` (default): a commit is on disk before anything runs and before a result is reported.
   * `relaxed`: commits survive a crash of the process, but a power loss (SQLite) or a crash of the
   * database server (PostgreSQL) may lose the last ones. See docs/executor.md.
   */
  durability?: Durability;
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
  sessionId?: string;
  actor?: string;
  createdAt: string;
  updatedAt: string;
  approvalRequestId?: string;
  decision?: unknown;
  result?: unknown;
}

export class Executor {
  private constructor(
    readonly context: ExecutorContext,
    private readonly ownsStore: boolean,
  ) {}

  static async open(options: ExecutorOptions): Promise<Executor> {
    const workspaceRoot = resolve(options.workspaceRoot);
    const stateDir = resolve(options.stateDir ?? defaultStateDir(workspaceRoot));
    await ensureStateDir(stateDir);
    const durability =
      typeof options.store === "object" ? options.store.durability : (options.durability ?? "full");
    const store =
      typeof options.store === "object"
        ? options.store
        : await openStore({ url: options.store, stateDir, durability });
    let policy: ReturnType<ExecutorContext["policy"]> | undefined;
    let analyzer: ReturnType<ExecutorContext["analyzer"]> | undefined;
    const context: ExecutorContext = {
      workspaceRoot,
      stateDir,
      mode: options.mode,
      store,
      durability,
      // The policy runtime (WASM and its SDK) is loaded only when something is to be decided.
      policy: () => {
        policy ??= import("@workspace-ops/policy").then(({ PolicyRuntime, defaultBundleDir }) =>
          PolicyRuntime.load(options.bundleDir ?? defaultBundleDir),
        );
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
    const executor = new Executor(context, typeof options.store !== "object");
    try {
      await executor.#recordMode();
    } catch (error) {
      await executor.close();
      throw error;
    }
    return executor;
  }

  /**
   * A change of mode is itself an audited event (one indexed read when it did not change). A
   * compare-and-set on the mode stream's state, so executors starting together record it once.
   */
  async #recordMode(): Promise<void> {
    const { store, mode } = this.context;
    for (let attempt = 0; ; attempt++) {
      const last = (await store.stream(reservedStreams.mode))?.state ?? null;
      if (last === mode) return;
      try {
        await store.commit({
          appends: [
            {
              stream: reservedStreams.mode,
              records: [{ type: "mode", data: { mode, from: last, pid: process.pid } }],
              ...(last === null ? { expectSeq: 1 } : { expectState: last }),
              create: { kind: "reserved" },
              state: mode,
            },
          ],
          audit: [{ type: "mode_changed", subject: reservedStreams.mode, data: { from: last, to: mode } }],
        });
        return;
      } catch (error) {
        if (!isStateError(error, "conflict") || attempt >= 2) throw error;
      }
    }
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

  /** Operations (their handlers, diagnostics, containers) are loaded on the first submit. */
  async submit(payload: unknown, actor?: Principal): Promise<OperationOutcome> {
    const { submitOperation } = await import("./operations.js");
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

  /**
   * Attaches a SessionAnnotation (conversation messages, cohort, evaluation, operation served) to its
   * session: validated, redacted, recorded in the session's reserved stream with its audit record.
   */
  annotateSession(payload: unknown): Promise<AnnotateOutcome> {
    return annotateSession(this.context.store, payload, this.context.now);
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
    const usage = checked.value;
    await this.context.store.commit({
      usage: [{ persona: usage.persona, occurredAt: usage.occurredAt, data: usage }],
      audit: [{ type: "usage", subject: usage.persona, data: usage }],
    });
    return { ok: true, usage };
  }

  records(id: string): Promise<StoredRecord[]> {
    return this.context.store.read(id);
  }

  async status(id: string): Promise<Status | null> {
    const info = await this.context.store.stream(id);
    if (!info || info.kind === "reserved") return null;
    const records = await this.context.store.read(id);
    const status: Status = {
      id,
      kind: info.kind,
      state: info.state as State | null,
      records: records.length,
      ...(info.sessionId ? { sessionId: info.sessionId } : {}),
      ...(info.actor ? { actor: info.actor } : {}),
      createdAt: info.createdAt,
      updatedAt: info.updatedAt,
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
    if (this.ownsStore) await this.context.store.close();
  }
}
