// Cancellation across processes and machines: `wsops cancel` commits a cancel request; the process
// running the call is woken by the store (SQLite: within its poll interval; PostgreSQL: NOTIFY) and
// ends the whole process group. A runner that died on this host is cancelled directly, so nothing
// stays "running" forever; a runner on another host is only asked.
import { hostname } from "node:os";
import { ChangeFeed, isStateError } from "@workspace-ops/store";
import { currentState, type ExecutorContext, Phase } from "./context.js";
import { type ExecutorError, executorError } from "./errors.js";
import { terminalStates } from "./state-machine.js";

/**
 * Aborts `controller` once a cancel request appears in the stream after `afterSeq`; call the returned
 * stop() after the run. It looks once at once (a request may have come before it watched), then at
 * every change the store reports; a look that fails is retried at the next change.
 */
export function watchForCancel(
  ctx: ExecutorContext,
  stream: string,
  controller: AbortController,
  afterSeq = 0,
): () => void {
  const stopping = new AbortController();
  const feed = new ChangeFeed(ctx.store);
  void (async () => {
    let seen = afterSeq;
    for (let changed = true; !stopping.signal.aborted && !controller.signal.aborted; ) {
      if (changed) {
        try {
          const records = await ctx.store.read(stream, { afterSeq: seen });
          if (stopping.signal.aborted) break;
          if (records.some((r) => r.type === "cancel_requested")) controller.abort();
          seen = records.at(-1)?.seq ?? seen;
        } catch {
          // A failed look (the database busy or away for a moment) must not crash the run.
        }
      }
      changed = await feed.next(60_000, stopping.signal);
    }
    feed.close();
  })();
  return () => stopping.abort();
}

/** Whether a runner is alive: known only for a process of this host. */
const runnerAlive = (runner: { pid?: number; host?: string }): boolean => {
  if (runner.pid === undefined) return false;
  if (runner.host !== undefined && runner.host !== hostname()) return true; // another machine: ask it
  try {
    process.kill(runner.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
};

export async function requestCancel(
  ctx: ExecutorContext,
  id: string,
  reason: string,
): Promise<{ ok: true; state: string } | { ok: false; error: ExecutorError }> {
  for (let attempt = 0; ; attempt++) {
    const records = await ctx.store.read(id);
    const state = currentState(records);
    if (state === null) return { ok: false, error: executorError("not_found", `nothing with id ${id}`) };
    if (terminalStates.has(state))
      return { ok: false, error: executorError("not_running", `${id} already ended: ${state}`) };
    const phase = new Phase(ctx, id).record("cancel_requested", { reason, by: process.pid }, { reason });
    const traceparent = (
      records.findLast((r) => r.type === "event")?.data as { traceparent?: string } | undefined
    )?.traceparent;
    const runner = records.findLast(
      (r) => r.type === "transition" && (r.data as { to: string }).to === "running",
    )?.data as { pid?: number; host?: string } | undefined;
    if (state === "running" && runner !== undefined && runnerAlive(runner)) {
      await phase.commit();
      return { ok: true, state: "cancelling" };
    }
    // Nobody is running it (waiting for approval, approved, or its runner died): cancel it here, in
    // the same commit as the request — unless it moved on meanwhile, then look again.
    phase.transition(state, "cancelled", { reason });
    if (traceparent)
      phase.event({ kind: "cancelled", subject: id, state: "cancelled", traceparent, message: reason });
    try {
      await phase.commit();
      return { ok: true, state: "cancelled" };
    } catch (error) {
      if (!isStateError(error, "conflict") || attempt >= 2) throw error;
    }
  }
}
