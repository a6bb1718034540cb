// What every pipeline step shares: the store, the audit log, the policy, the clock and the sinks.
import { mkdir, open, rm } from "node:fs/promises";
import { join } from "node:path";
import type { PolicyRuntime } from "@workspace-ops/policy";
import type { AuditLog } from "./audit/index.js";
import { type EventFacts, type EventSink, lifecycleEvent } from "./events.js";
import { assertTransition, type State } from "./state-machine.js";
import type { Store, StoredRecord } from "./store/index.js";

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

export async function transition(ctx: ExecutorContext, stream: string, from: State, to: State, why?: object) {
  assertTransition(from, to);
  const data = { from, to, ...why };
  await ctx.store.append(stream, "transition", data);
  await ctx.audit.append("transition", stream, data);
}

export async function emit(ctx: ExecutorContext, stream: string, facts: Omit<EventFacts, "time">) {
  const event = lifecycleEvent({ ...facts, time: ctx.now().toISOString() });
  await ctx.store.append(stream, "event", event);
  await ctx.audit.append("event", stream, event);
  for (const sink of ctx.sinks) await sink(event);
  return event;
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
