// The executor as a library: open it on a workspace, then exec, submit, approve, resume, cancel.
import { resolve } from "node:path";
import { loadAnalyzer } from "@workspace-ops/analysis";
import {
  type Principal,
  type ToolExecutionRequest,
  type UsageRecord,
  validate,
  type WorkspaceOperationContract,
} from "@workspace-ops/contracts";
import { createRedactor, defaultRules } from "@workspace-ops/redact";
import { type Durability, isStateError, type Store, type StoredRecord } from "@workspace-ops/store";
import {
  type ResolveOptions,
  type ResolveOutcome,
  resolveApproval,
  resume,
  submitResolution,
  waitForApproval,
} from "./approvals.js";
import { requestCancel } from "./cancel.js";
import type { ExecutorContext, Mode } from "./context.js";
import { type ExecutorError, executorError } from "./errors.js";
import type { EventSink } from "./events.js";
import { reservedStreams } from "./ids.js";
import type { OperationOutcome } from "./operations.js";
import { envValueRule } from "./redaction/env-values.js";
import { openAuditKey } from "./signing/key-names.js";
import { defaultStateDir, ensureStateDir } from "./state-dir.js";
import type { State } from "./state-machine.js";
import { openStore } from "./store-url.js";
import { receiveToolCall, type ToolCallOutcome } from "./tool-call.js";
import { behindWriteBoundary } from "./write-boundary.js";

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
  /** Live output of the commands it runs (as the command wrote it: never redacted). */
  onOutput?: (stream: "stdout" | "stderr", chunk: Buffer) => void;
  /**
   * The private key file that signs the store's audit head on every commit. Default: the store's audit
   * key in the keys directory (`wsops keys create --audit`) when there is one; false: never sign.
   */
  auditKey?: string | false;
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
    const database =
      typeof options.store === "object"
        ? options.store
        : await openStore({ url: options.store, stateDir, durability });
    // Every write is redacted first (the secret-named variables' values of this environment too),
    // and signs the audit head when the store has an audit key.
    const envRule = envValueRule(process.env);
    const redactor = createRedactor({ rules: envRule ? [envRule, ...defaultRules] : defaultRules });
    let store: Store;
    try {
      store = behindWriteBoundary(database, {
        redactor,
        auditKey: options.auditKey === false ? null : await openAuditKey(database.location, options.auditKey),
      });
    } catch (error) {
      if (typeof options.store !== "object") await database.close();
      throw error;
    }
    let policy: ReturnType<ExecutorContext["policy"]> | undefined;
    let analyzer: ReturnType<ExecutorContext["analyzer"]> | undefined;
    const context: ExecutorContext = {
      workspaceRoot,
      stateDir,
      mode: options.mode,
      store,
      durability,
      redactor,
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
    // Accepted, so valid: the waiter holds the request as sent, and that is what runs once approved.
    return waitForApproval(
      this.context,
      payload as ToolExecutionRequest,
      options.waitTimeoutMs ?? 15 * 60 * 1000,
    );
  }

  /** Operations (their handlers, diagnostics, containers) are loaded on the first submit. */
  async submit(payload: unknown, actor?: Principal): Promise<OperationOutcome> {
    const { submitOperation } = await import("./operations.js");
    return submitOperation(this.context, payload, actor);
  }

  /** Approves as `by`; with `options.key` (their key) the resolution is signed. */
  approve(approvalRequestId: string, by: Principal, options: ResolveOptions = {}): Promise<ResolveOutcome> {
    return resolveApproval(this.context, approvalRequestId, "approved", by, options);
  }

  deny(approvalRequestId: string, by: Principal, options: ResolveOptions = {}): Promise<ResolveOutcome> {
    return resolveApproval(this.context, approvalRequestId, "denied", by, options);
  }

  /** Records an ApprovalResolution made elsewhere — signed by its resolver, who holds the key. */
  resolve(resolution: unknown): Promise<ResolveOutcome> {
    return submitResolution(this.context, resolution);
  }

  /**
   * Runs an approved call or operation. `options.request` resubmits it as it was first sent (a
   * ToolExecutionRequest or WorkspaceOperationContract): needed when the stored one was redacted; it
   * runs only when it hashes to the approval's digest.
   */
  async resume(id: string, options: { request?: unknown } = {}): Promise<ToolCallOutcome | OperationOutcome> {
    if (options.request === undefined) return resume(this.context, id);
    const kind = (options.request as { kind?: unknown } | null)?.kind;
    const contract = kind === "WorkspaceOperationContract" ? kind : "ToolExecutionRequest";
    const checked = validate(contract, options.request);
    if (!checked.ok)
      return {
        kind: "rejected",
        error: executorError("request_invalid", `the request resubmitted is not a valid ${contract}`),
        errors: checked.errors,
      };
    return resume(
      this.context,
      id,
      contract === "WorkspaceOperationContract"
        ? { operation: checked.value as WorkspaceOperationContract }
        : { request: checked.value as ToolExecutionRequest },
    );
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
