// What every pipeline step shares: the store, the policy, the clock and the sinks.
import type { Readable } from "node:stream";
import type { Analyzer } from "@workspace-ops/analysis";
import type { ApprovalRequest, OperationLifecycleEvent, Principal } from "@workspace-ops/contracts";
import type { PolicyError, PolicyRuntime } from "@workspace-ops/policy";
import type { Redactor } from "@workspace-ops/redact";
import type {
  ApprovalWrite,
  Batch,
  Committed,
  Durability,
  NewAuditRecord,
  NewRecord,
  Store,
  StoredRecord,
  StreamAppend,
} from "@workspace-ops/store";
import { type EventFacts, lifecycleEvent } from "./events.js";
import type { McpCaller } from "./mcp.js";
import type { EventDelivery } from "./sinks/delivery.js";
import { assertTransition, type State } from "./state-machine.js";
import type { Machine } from "./target.js";
import type { Tracing } from "./tracing/tracing.js";

export type Mode = "governed" | "observe" | "disabled";

export interface ExecutorContext {
  workspaceRoot: string;
  stateDir: string;
  mode: Mode;
  /** Behind the write boundary: every commit is redacted (and signs the audit head) before it is stored. */
  store: Store;
  durability: Durability;
  /** The write boundary's redactor, for what leaves without being stored (a parked call's result). */
  redactor: Redactor;
  /** Loaded on first use; a bundle that cannot load is an `unavailable` outcome, not a crash. */
  policy: () => Promise<{ ok: true; runtime: PolicyRuntime } | { ok: false; error: PolicyError }>;
  /** The command analyzer (loads the shell parser on first use); a failed load is `unavailable` too. */
  analyzer: () => Promise<
    { ok: true; analyzer: Analyzer } | { ok: false; error: { code: string; message: string } }
  >;
  now: () => Date;
  /** Lifecycle events to the sinks, queued: publishing never waits for a sink. */
  events: EventDelivery;
  /** Spans (a no-op unless tracing is on). */
  tracing: Tracing;
  sandbox: { backend: "process" | "bubblewrap" | "auto"; required: boolean };
  approvalTtlSeconds: number;
  /** Live output of running commands (the CLI streams it; JSON mode does not). */
  onOutput?: (stream: "stdout" | "stderr", chunk: Buffer) => void;
  /** What a command reads on its standard input (none: it reads end of file). */
  stdin?: Readable;
  /** The workspace, the home, the executor's state and the hidden paths (computed once). */
  machine: () => Promise<Machine>;
  /** Runs an allowed MCP call on its server; without one, MCP calls end `unavailable`. */
  mcp?: McpCaller;
  /**
   * The arguments of MCP calls received by this process, as the client sent them: the request and
   * the records hold them redacted; a call that runs here after an approval sends the originals.
   */
  mcpArguments: Map<string, Record<string, unknown>>;
}

/** A principal as the store keeps it: "type:id". */
export const principalKey = (principal: Principal): string => `${principal.type}:${principal.id}`;

/** The state a stream is in: the target of its last transition. */
export function currentState(records: readonly StoredRecord[]): State | null {
  let state: State | null = null;
  for (const r of records) {
    if (r.type === "request") state = "pending";
    else if (r.type === "transition") state = (r.data as { to: State }).to;
  }
  return state;
}

/** What a phase that creates its stream says about it (kept in the stream's row, for listing). */
export type StreamCreation = NonNullable<StreamAppend["create"]>;

/**
 * The records one step of the pipeline makes durable together — the call's records, its state, its
 * approval, records of reserved streams, and the audit record of each — in one store commit (one
 * transaction), then the lifecycle events to the sinks' queues, only once they are durable. Records
 * keep the order they were added in; transitions are checked against the state machine when added,
 * before anything is written.
 */
export class Phase {
  #records: NewRecord[] = [];
  #audited: NewAuditRecord[] = [];
  #others: StreamAppend[] = [];
  #approvals: ApprovalWrite[] = [];
  #state: State | undefined;
  /** The "from" of the phase's first transition: the state the stream must still be in when it commits. */
  #expectState: State | undefined;
  #approvalRequestId: string | undefined;
  /** Set for the phase that creates the stream: its first commit must be the stream's seq 1. */
  #creation: StreamCreation | undefined;

  constructor(
    private readonly ctx: ExecutorContext,
    readonly stream: string,
    options: { creates?: StreamCreation } = {},
  ) {
    this.#creation = options.creates;
  }

  /** A record for the stream and the audit log; the audit log gets `audited` (default: the same data). */
  record(type: string, data: unknown, audited: unknown = data): this {
    this.#records.push({ type, data });
    this.#audited.push({ type, subject: this.stream, data: audited });
    return this;
  }

  /** A record for the stream only (step results, exports: the audit log gets the outcome). */
  storeOnly(type: string, data: unknown): this {
    this.#records.push({ type, data });
    return this;
  }

  /** A record for the audit log only (a refused resolution changes no stream). */
  auditOnly(type: string, data: unknown): this {
    this.#audited.push({ type, subject: this.stream, data });
    return this;
  }

  /** A record for a reserved stream (governance), audited under that stream, in the same commit. */
  reserved(stream: string, type: string, data: unknown, state?: string): this {
    this.#others.push({
      stream,
      records: [{ type, data }],
      create: { kind: "reserved" },
      ...(state !== undefined ? { state } : {}),
    });
    this.#audited.push({ type, subject: stream, data });
    return this;
  }

  /**
   * A state change. The phase's first transition is a compare-and-set: the commit fails with
   * `conflict` when another process moved the stream out of `from` first (a resume racing a cancel).
   */
  transition(from: State, to: State, why?: object): this {
    assertTransition(from, to);
    if (this.#state === undefined && this.#creation === undefined) this.#expectState = from;
    this.#state = to;
    return this.record("transition", { from, to, ...why });
  }

  /** The call's approval request: a record, an approvals row (pending) and the stream's current approval. */
  approvalRequested(approval: ApprovalRequest): this {
    this.#approvalRequestId = approval.approvalRequestId;
    this.#approvals.push({
      op: "request",
      approvalRequestId: approval.approvalRequestId,
      stream: this.stream,
      requestedBy: principalKey(approval.requestedBy),
      expiresAt: approval.expiresAt,
    });
    return this.record("approval_request", approval);
  }

  /** Its resolution: a record, and the approvals row leaves pending — once (a second resolver gets `conflict`). */
  approvalResolved(
    resolution: {
      approvalRequestId: string;
      resolution: "approved" | "denied" | "expired";
      resolvedBy?: Principal;
    },
    record: unknown = resolution,
  ): this {
    this.#approvals.push({
      op: "resolve",
      approvalRequestId: resolution.approvalRequestId,
      state: resolution.resolution,
      resolvedBy: resolution.resolvedBy ? principalKey(resolution.resolvedBy) : null,
    });
    return this.record("approval_resolution", record);
  }

  /**
   * A transition of another call in the same commit, a compare-and-set on its state like the
   * phase's own first transition (a call that uses another call's approval moves that one too).
   */
  otherTransition(stream: string, from: State, to: State, why: object, records: NewRecord[] = []): this {
    assertTransition(from, to);
    const all = [...records, { type: "transition", data: { from, to, ...why } }];
    this.#others.push({ stream, records: all, expectState: from, state: to });
    for (const r of all) this.#audited.push({ type: r.type, subject: stream, data: r.data });
    return this;
  }

  event(facts: Omit<EventFacts, "time">): OperationLifecycleEvent {
    // With tracing on, the event names the span it was emitted in (same trace as the caller's).
    const traceparent = this.ctx.tracing.current() ?? facts.traceparent;
    const event = lifecycleEvent({ ...facts, traceparent, time: this.ctx.now().toISOString() });
    this.record("event", event);
    return event;
  }

  /**
   * Makes what was added durable in one commit, then hands its events to the sinks (without waiting
   * for them) and returns what was written; the phase can then be reused. The sinks get the event
   * records as the store committed them: exactly what was stored, redacted by the write boundary.
   */
  async commit(): Promise<Committed> {
    const committed = await this.ctx.store.commit(this.#take());
    this.ctx.events.publish(eventsIn(committed));
    return committed;
  }

  /** The data of the records of `type` this phase's stream got in `committed`, as stored. */
  recorded(committed: Committed, type: string): unknown[] {
    const own = this.#ownIndex === null ? [] : (committed.appends[this.#ownIndex] ?? []);
    return own.filter((record) => record.type === type).map((record) => record.data);
  }

  /** Where the stream's own append is in the last batch taken (null: it had none). */
  #ownIndex: number | null = null;

  #take(): Batch {
    const own: StreamAppend[] = [];
    // A stream is pending from its first record until its first transition says otherwise.
    const state = this.#state ?? (this.#creation ? "pending" : undefined);
    if (this.#records.length > 0) {
      own.push({
        stream: this.stream,
        records: this.#records,
        ...(this.#creation ? { expectSeq: 1, create: this.#creation } : {}),
        ...(this.#expectState !== undefined ? { expectState: this.#expectState } : {}),
        ...(state !== undefined ? { state } : {}),
        ...(this.#approvalRequestId !== undefined ? { approvalRequestId: this.#approvalRequestId } : {}),
      });
      this.#creation = undefined;
    }
    this.#ownIndex = own.length > 0 ? 0 : null;
    const batch: Batch = {
      appends: [...own, ...this.#others],
      approvals: this.#approvals,
      audit: this.#audited,
    };
    this.#records = [];
    this.#audited = [];
    this.#others = [];
    this.#approvals = [];
    this.#state = undefined;
    this.#expectState = undefined;
    this.#approvalRequestId = undefined;
    return batch;
  }
}

/** The lifecycle events of a commit, in order, as the store wrote them (redacted). */
const eventsIn = (committed: Committed): OperationLifecycleEvent[] =>
  committed.appends.flatMap((records) =>
    records.filter((r) => r.type === "event").map((r) => r.data as OperationLifecycleEvent),
  );

/** What the first record of every stream holds: the request as received, and who sent it. */
export interface StoredRequest {
  mode: Mode;
  request?: import("@workspace-ops/contracts").ToolExecutionRequest;
  operation?: import("@workspace-ops/contracts").WorkspaceOperationContract;
  actor?: import("@workspace-ops/contracts").Principal;
}

export function storedRequest(records: readonly StoredRecord[]): StoredRequest {
  const first = records.find((r) => r.type === "request");
  if (!first) throw new Error(`stream has no request record (${records.length} records)`);
  return first.data as StoredRequest;
}
