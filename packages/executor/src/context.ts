// What every pipeline step shares: the store, the audit log, the policy, the clock and the sinks.
import { mkdir, open, rm } from "node:fs/promises";
import { join } from "node:path";
import type { Analyzer } from "@workspace-ops/analysis";
import type { OperationLifecycleEvent } from "@workspace-ops/contracts";
import type { PolicyRuntime } from "@workspace-ops/policy";
import type { AuditLog, NewAuditRecord } from "./audit/index.js";
import { type EventFacts, type EventSink, lifecycleEvent } from "./events.js";
import { assertTransition, type State } from "./state-machine.js";
import type { NewRecord, Store, StoredRecord } from "./store/index.js";

export type Mode = "governed" | "observe" | "disabled";

export interface ExecutorContext {
  workspaceRoot: string;
  stateDir: string;
  mode: Mode;
  store: Store;
  audit: AuditLog;
  /** Loaded on first use; a bundle that cannot load is an `unavailable` outcome, not a crash. */
  policy: () => Promise<
    { ok: true; runtime: PolicyRuntime } | { ok: false; error: import("@workspace-ops/policy").PolicyError }
  >;
  /** The command analyzer (loads the shell parser on first use); a failed load is `unavailable` too. */
  analyzer: () => Promise<
    { ok: true; analyzer: Analyzer } | { ok: false; error: { code: string; message: string } }
  >;
  now: () => Date;
  sinks: EventSink[];
  sandbox: { backend: "process" | "bubblewrap" | "auto"; required: boolean };
  approvalTtlSeconds: number;
  /** Live output of running commands (the CLI streams it; JSON mode does not). */
  onOutput?: (stream: "stdout" | "stderr", chunk: Buffer) => void;
}

/** The state a stream is in: the target of its last transition. */
export function currentState(records: readonly StoredRecord[]): State | null {
  let state: State | null = null;
  for (const r of records) {
    if (r.type === "request") state = "pending";
    else if (r.type === "transition") state = (r.data as { to: State }).to;
  }
  return state;
}

/**
 * The records one step of the pipeline makes durable together: everything for the call's stream in
 * one store append, everything for the audit log in one audit append (store first, as before), then
 * the lifecycle events to the sinks — only once they are durable. Records keep the order they were
 * added in; transitions are checked against the state machine when added, before anything is written.
 */
export class Phase {
  #records: NewRecord[] = [];
  #audited: NewAuditRecord[] = [];
  #indexed: { stream: string; type: string; data: unknown }[] = [];
  #events: OperationLifecycleEvent[] = [];
  /** Set for the phase that creates the stream: its first append must be the stream's seq 1. */
  #expectSeq: number | undefined;

  constructor(
    private readonly ctx: ExecutorContext,
    readonly stream: string,
    options: { createsStream?: boolean } = {},
  ) {
    if (options.createsStream) this.#expectSeq = 1;
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

  /** A record for another stream (the approvals index), appended right after this stream's records. */
  index(stream: string, type: string, data: unknown): this {
    this.#indexed.push({ stream, type, data });
    return this;
  }

  transition(from: State, to: State, why?: object): this {
    assertTransition(from, to);
    return this.record("transition", { from, to, ...why });
  }

  event(facts: Omit<EventFacts, "time">): OperationLifecycleEvent {
    const event = lifecycleEvent({ ...facts, time: this.ctx.now().toISOString() });
    this.record("event", event);
    this.#events.push(event);
    return event;
  }

  /** Makes what was added durable, then tells the sinks; the phase can then be reused for the next step. */
  async commit(): Promise<void> {
    const records = this.#records;
    const audited = this.#audited;
    const indexed = this.#indexed;
    const events = this.#events;
    this.#records = [];
    this.#audited = [];
    this.#indexed = [];
    this.#events = [];
    const { store, audit, sinks } = this.ctx;
    if (records.length > 0) {
      const expectSeq = this.#expectSeq;
      await store.appendMany(this.stream, records, expectSeq === undefined ? {} : { expectSeq });
      this.#expectSeq = undefined;
    }
    for (const { stream, type, data } of indexed) await store.append(stream, type, data);
    if (audited.length > 0) await audit.appendMany(audited);
    for (const event of events) for (const sink of sinks) await sink(event);
  }
}

/**
 * Claims the right to run an approved call: exactly one process wins (O_EXCL), so a waiting exec and a
 * `wsops resume` cannot both run it.
 */
export async function claim(ctx: ExecutorContext, id: string): Promise<boolean> {
  const dir = join(ctx.stateDir, "claims");
  await mkdir(dir, { recursive: true });
  try {
    const handle = await open(join(dir, id), "wx");
    await handle.writeFile(String(process.pid));
    await handle.close();
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
}

export const releaseClaim = (ctx: ExecutorContext, id: string) =>
  rm(join(ctx.stateDir, "claims", id), { force: true });

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
