// The executor as a library: open it on a workspace, then exec, submit, approve, resume, cancel.
import { resolve } from "node:path";
import type { Readable } from "node:stream";
import {
  errorsInOneLine,
  type Principal,
  type ToolExecutionRequest,
  type ToolGrantRecord,
  type UsageRecord,
  validate,
  type WorkspaceOperationContract,
} from "@workspace-ops/contracts";
import { createRedactor, defaultRules } from "@workspace-ops/redact";
import { type Durability, isStateError, type Store, type StoredRecord } from "@workspace-ops/store";
import {
  type AnnotateOutcome,
  annotateSession,
  type ExtendOutcome,
  extendSessionAnnotation,
} from "./annotations.js";
import { type ApprovalListing, listApprovals } from "./approval-list.js";
import {
  type ResolutionChannel,
  type ResolveOptions,
  type ResolveOutcome,
  resolveApproval,
  resume,
  submitResolution,
  waitForApproval,
} from "./approvals.js";
import { requestCancel } from "./cancel.js";
import type { ExecutorContext, Mode } from "./context.js";
import { parserUnavailable } from "./decide.js";
import { type DecideOptions, type DecideOutcome, decideCall } from "./decide-call.js";
import { type ExecutorError, executorError } from "./errors.js";
import { readGovernance } from "./governance.js";
import { type GrantRequest, grantOperation, revokeOperation } from "./grants.js";
import { reservedStreams } from "./ids.js";
import type { McpCaller } from "./mcp.js";
import { type MeterOptions, type ModelCallStart, startModelCall } from "./model-calls/meter.js";
import { ProviderHealth } from "./model-calls/provider-health.js";
import { amountsOf, entryKey } from "./model-calls/route.js";
import type { OperationOutcome } from "./operations.js";
import { type RecordedOutcome, type ReportedOutcome, recordOutcome } from "./outcome.js";
import { envValueRule } from "./redaction/env-values.js";
import { openAuditKey } from "./signing/key-names.js";
import { type DeliveryOptions, EventDelivery, type SinkReport } from "./sinks/delivery.js";
import { type EventListener, type EventSink, openEventSinks, type SinkTargetOptions } from "./sinks/sink.js";
import { defaultStateDir, ensureStateDir } from "./state-dir.js";
import type { State } from "./state-machine.js";
import { openStore } from "./store-url.js";
import { type Machine, machineOf } from "./target.js";
import { receiveToolCall, type ToolCallOutcome } from "./tool-call.js";
import { requestAttributes, resultAttributes } from "./tracing/attributes.js";
import { openTracing, type TracingOption } from "./tracing/tracing.js";
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
  /**
   * Where lifecycle events go besides the store: `-` (stdout), a file (JSONL, appended), an http(s)
   * URL (one CloudEvents HTTP message per event), a sink of your own or a listener. Each has a bounded
   * queue; a slow or dead sink never delays a decision or a command (see docs/events.md).
   */
  sinks?: (string | EventSink | EventListener)[];
  /** Queue size, retries, backoff and how long close() waits for queued events. */
  delivery?: DeliveryOptions;
  /** For sinks given as strings: HTTP structured (default) or binary mode, and the per-attempt timeout. */
  sinkTargets?: SinkTargetOptions;
  /** OpenTelemetry spans: from the OTEL_* variables (default), off, or your TracerProvider. */
  tracing?: TracingOption;
  /** Sandbox backend when the policy does not choose one, and whether a missing bubblewrap fails closed. */
  sandbox?: { backend?: "process" | "bubblewrap" | "auto"; required?: boolean };
  /** How long an approval request stays open (default 900 s). */
  approvalTtlSeconds?: number;
  /** Live output of the commands it runs (as the command wrote it: never redacted). */
  onOutput?: (stream: "stdout" | "stderr", chunk: Buffer) => void;
  /** What the commands it runs read on standard input (default: nothing, end of file at once). */
  stdin?: Readable;
  /** Runs allowed MCP calls on their servers (the MCP proxy's connection, `exec --mcp-config`). */
  mcp?: McpCaller;
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
  /** Providers that failed lately, as this executor saw them (see ProviderHealth). */
  readonly #health = new ProviderHealth();

  private constructor(
    readonly context: ExecutorContext,
    private readonly ownsStore: boolean,
  ) {}

  static async open(options: ExecutorOptions): Promise<Executor> {
    const workspaceRoot = resolve(options.workspaceRoot);
    const stateDir = resolve(options.stateDir ?? defaultStateDir(workspaceRoot));
    await ensureStateDir(stateDir);
    const sinks = await openEventSinks(options.sinks ?? [], options.sinkTargets);
    const durability =
      typeof options.store === "object" ? options.store.durability : (options.durability ?? "full");
    const database =
      typeof options.store === "object"
        ? options.store
        : await openStore({ url: options.store, stateDir, durability }).catch(async (error: unknown) => {
            await Promise.all(sinks.map((sink) => sink.close?.()));
            throw error;
          });
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
      await Promise.all(sinks.map((sink) => sink.close?.()));
      throw error;
    }
    let policy: ReturnType<ExecutorContext["policy"]> | undefined;
    let analyzer: ReturnType<ExecutorContext["analyzer"]> | undefined;
    let machine: Promise<Machine> | undefined;
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
        // The analyzer is loaded only when a command is to be analysed, and the shell parser
        // (tree-sitter) only when one has a script in it (decideNow loads it then).
        analyzer ??= import("@workspace-ops/analysis")
          .then(({ loadAnalyzer }) => loadAnalyzer({}, { parser: "when-needed" }))
          .then(
            (loaded) => ({ ok: true as const, analyzer: loaded }),
            (error: unknown) => ({ ok: false as const, error: parserUnavailable(error) }),
          );
        return analyzer;
      },
      now: options.now ?? (() => new Date()),
      events: new EventDelivery(sinks, options.delivery),
      tracing: await openTracing(options.tracing),
      sandbox: { backend: options.sandbox?.backend ?? "auto", required: options.sandbox?.required ?? false },
      approvalTtlSeconds: options.approvalTtlSeconds ?? 900,
      ...(options.onOutput ? { onOutput: options.onOutput } : {}),
      ...(options.stdin ? { stdin: options.stdin } : {}),
      machine: () => {
        machine ??= machineOf(workspaceRoot, stateDir);
        return machine;
      },
      ...(options.mcp ? { mcp: options.mcp } : {}),
      mcpArguments: new Map(),
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

  /**
   * One governed tool call. With wait, an approval_required call waits up to waitTimeoutMs (woken by
   * the store); `onPending` hears of the approval at once. `mcpArguments` are an MCP call's arguments
   * as its client sent them, when the request carries them redacted.
   */
  exec(
    payload: unknown,
    options: {
      wait?: boolean;
      waitTimeoutMs?: number;
      onPending?: (pending: Extract<ToolCallOutcome, { kind: "pending" }>) => void;
      mcpArguments?: Record<string, unknown>;
    } = {},
  ): Promise<ToolCallOutcome> {
    const parent = callerTraceparent(payload, "correlation");
    return this.context.tracing.span("wsops.tool_call", parent, {}, async (span) => {
      const outcome = await this.#exec(payload, options);
      if (outcome.kind === "rejected") span.fail(outcome.error.code);
      else
        span.set({
          ...requestAttributes(payload as ToolExecutionRequest),
          ...resultAttributes(outcome.result),
        });
      return outcome;
    });
  }

  async #exec(payload: unknown, options: Parameters<Executor["exec"]>[1] = {}): Promise<ToolCallOutcome> {
    const id = (payload as { toolExecutionId?: unknown } | null)?.toolExecutionId;
    const held = options.mcpArguments && typeof id === "string";
    if (held) this.context.mcpArguments.set(id, options.mcpArguments as Record<string, unknown>);
    try {
      const outcome = await receiveToolCall(this.context, payload);
      if (outcome.kind !== "pending" || !options.wait) return outcome;
      options.onPending?.(outcome);
      // Accepted, so valid: the waiter holds the request as sent, and that is what runs once approved.
      return await waitForApproval(
        this.context,
        payload as ToolExecutionRequest,
        options.waitTimeoutMs ?? 15 * 60 * 1000,
      );
    } finally {
      if (held) this.context.mcpArguments.delete(id);
    }
  }

  /**
   * A decision for an agent runtime that runs the tool itself (a hook, `wsops decide`): validated,
   * analysed, decided and recorded, approvals bound to the exact call; nothing runs here.
   */
  decide(payload: unknown, options: DecideOptions): Promise<DecideOutcome> {
    return decideCall(this.context, payload, options);
  }

  /** How a call decided for an agent runtime ended, as the runtime reports it. */
  recordOutcome(toolExecutionId: string, reported: ReportedOutcome): Promise<RecordedOutcome> {
    return recordOutcome(this.context, toolExecutionId, reported);
  }

  /**
   * The latest call of the session, decided for a runtime and still running, that is the same call
   * (by its digest): how a runtime that gives calls no id (Gemini CLI) reports how one ended.
   */
  async runningCall(sessionId: string, digest: string): Promise<string | null> {
    const { store } = this.context;
    const running = await store.listStreams({
      kind: "tool_execution",
      sessionId,
      state: "running",
      limit: 1000,
    });
    for (const { stream } of running) {
      const first = (await store.read(stream))[0]?.data as { callDigest?: string; decidedFor?: string };
      if (first?.decidedFor && first.callDigest === digest) return stream;
    }
    return null;
  }

  /** An agent runtime's hook input that could not be read: kept in the audit log (observe mode). */
  async recordRejectedInput(runtime: string, reason: string): Promise<void> {
    await this.context.store.commit({
      audit: [
        { type: "hook_input_rejected", subject: "-", data: { runtime, reason: reason.slice(0, 4096) } },
      ],
    });
  }

  /** Approval requests (of one call or operation: `stream`), newest first, with what they are for and the commands that resolve them. */
  approvals(
    options: { pending?: boolean; limit?: number; stream?: string } = {},
  ): Promise<ApprovalListing[]> {
    return listApprovals(this.context, options);
  }

  /** Grants a tool to an agent: a tool_grant.apply operation delegated by the invoking user. */
  async grant(request: GrantRequest): Promise<{ grant: ToolGrantRecord; outcome: OperationOutcome }> {
    const operation = grantOperation(request, this.context.workspaceRoot, this.context.now());
    const outcome = await this.submit(operation, request.by);
    return { grant: operation.artifact as ToolGrantRecord, outcome };
  }

  /** Revokes a grant: a tool_grant.revoke operation delegated by the invoking user. */
  async revoke(
    grantId: string,
    by: Principal,
    reason: string,
  ): Promise<{ ok: true; outcome: OperationOutcome } | { ok: false; error: ExecutorError }> {
    const grant = (await readGovernance(this.context.store)).grants.get(grantId);
    if (!grant) return { ok: false, error: executorError("not_found", `no grant ${grantId}`) };
    const operation = revokeOperation(grant, by, reason, this.context.workspaceRoot, this.context.now());
    return { ok: true, outcome: await this.submit(operation, by) };
  }

  /** Operations (their handlers, diagnostics, containers) are loaded on the first submit. */
  async submit(payload: unknown, actor?: Principal): Promise<OperationOutcome> {
    const { submitOperation } = await import("./operations.js");
    const parent = callerTraceparent(payload, "audit");
    return this.context.tracing.span("wsops.operation", parent, {}, async (span) => {
      const outcome = await submitOperation(this.context, payload, actor);
      if (outcome.kind === "rejected") span.fail(outcome.error.code);
      else
        span.set({
          "wsops.operation.id": outcome.operationId,
          "wsops.operation.type": (payload as { workspaceOperation: { operationType: string } })
            .workspaceOperation.operationType,
          "wsops.outcome": outcome.kind === "pending" ? "approval_required" : outcome.state,
          "wsops.approval_request.id": outcome.kind === "pending" ? outcome.approvalRequestId : undefined,
          "wsops.reason": outcome.kind === "finished" ? outcome.reasons[0]?.code : undefined,
        });
      return outcome;
    });
  }

  /** Approves as `by`; with `options.key` (their key) the resolution is signed. */
  approve(approvalRequestId: string, by: Principal, options: ResolveOptions = {}): Promise<ResolveOutcome> {
    return resolveApproval(this.context, approvalRequestId, "approved", by, options);
  }

  deny(approvalRequestId: string, by: Principal, options: ResolveOptions = {}): Promise<ResolveOutcome> {
    return resolveApproval(this.context, approvalRequestId, "denied", by, options);
  }

  /**
   * Records an ApprovalResolution made elsewhere — signed by its resolver, who holds the key, or by a
   * session key they delegated to — with where it came from when `channel` says so.
   */
  resolve(resolution: unknown, channel?: ResolutionChannel): Promise<ResolveOutcome> {
    return submitResolution(this.context, resolution, channel);
  }

  /** The public keys the workspace's profiles list for `principal` as an approver (none: not an approver). */
  async approverKeys(principal: Principal): Promise<string[]> {
    const { profiles } = await readGovernance(this.context.store);
    const keys = new Set<string>();
    for (const profile of profiles.values())
      for (const approver of profile.approvers ?? [])
        if (approver.principal.type === principal.type && approver.principal.id === principal.id)
          keys.add(approver.publicKey);
    return [...keys];
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

  /**
   * Attaches a SessionAnnotation (conversation messages, cohort, evaluation, operation served) to its
   * session: validated, redacted, recorded in the session's reserved stream with its audit record.
   */
  annotateSession(payload: unknown): Promise<AnnotateOutcome> {
    return annotateSession(this.context.store, payload, this.context.now);
  }

  /**
   * Attaches only what the session does not hold yet: the messages not recorded before (same role,
   * time and redacted text), so a runtime may send its whole transcript again at every turn.
   */
  extendSessionAnnotation(payload: unknown): Promise<ExtendOutcome> {
    return extendSessionAnnotation(this.context.store, payload, this.context.now);
  }

  /**
   * A governed model call (a ModelCallRequest): routed through the persona's chain by the model_call
   * policy, its estimate reserved against the persona's budgets; the caller then charges what
   * streams, reports provider failures, and finishes it. See docs/model-calls.md.
   */
  modelCall(payload: unknown, options?: MeterOptions): Promise<ModelCallStart> {
    return startModelCall(this.context, payload, this.#health, options);
  }

  /** Records model usage for the per-persona, per-minute budgets the policy checks. */
  async recordUsage(
    payload: unknown,
  ): Promise<{ ok: true; usage: UsageRecord } | { ok: false; error: ExecutorError }> {
    const checked = validate("UsageRecord", payload);
    if (!checked.ok)
      return {
        ok: false,
        error: executorError("request_invalid", errorsInOneLine(checked.errors)),
      };
    const usage = checked.value;
    await this.context.store.commit({
      usage: [
        {
          persona: usage.persona,
          occurredAt: usage.occurredAt,
          data: usage,
          entry: entryKey(usage),
          amounts: amountsOf(usage),
        },
      ],
      audit: [{ type: "usage", subject: usage.persona, data: usage }],
    });
    return { ok: true, usage };
  }

  /** The records of a call or operation, by its id or by the id of one of its approval requests. */
  async records(id: string): Promise<StoredRecord[]> {
    return this.context.store.read(await this.#streamOf(id));
  }

  /** A call's or operation's id, also when given the id of one of its approval requests. */
  async #streamOf(id: string): Promise<string> {
    if (await this.context.store.stream(id)) return id;
    return (await this.context.store.approval(id))?.stream ?? id;
  }

  /** The state of a call or operation, by its id or by the id of one of its approval requests. */
  async status(given: string): Promise<Status | null> {
    const id = await this.#streamOf(given);
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

  /** What each sink got so far, and what it did not (the store has every event regardless). */
  eventDelivery(): SinkReport[] {
    return this.context.events.reports();
  }

  /** Waits until the sinks' queues are empty (or `ms` passed); their reports then. */
  settleEvents(ms?: number): Promise<SinkReport[]> {
    return this.context.events.settle(ms);
  }

  /**
   * Lets the sinks' queues drain (up to `delivery.drainMs`; what is left is counted unsent), exports
   * the spans left (up to 3 s), and closes the store when the executor opened it.
   */
  async close(): Promise<void> {
    await Promise.all([this.context.events.close(), this.context.tracing.shutdown(3000)]);
    if (this.ownsStore) await this.context.store.close();
  }
}

/** The caller's traceparent in a payload not yet validated (`correlation` of a call, `audit` of an operation). */
function callerTraceparent(payload: unknown, holder: "correlation" | "audit"): string {
  const value = (payload as Record<string, { traceparent?: unknown } | undefined> | null)?.[holder]
    ?.traceparent;
  return typeof value === "string" ? value : "";
}
