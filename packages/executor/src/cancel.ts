// Cancellation across processes and machines: `wsops cancel` commits a cancel request; the process
// running the call is woken by the store (SQLite: within its poll interval; PostgreSQL: NOTIFY) and
// ends the whole process group. A runner that died on this host is cancelled directly, so nothing
// stays "running" forever; a runner on another host is only asked.
import { hostname } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { ChangeFeed, isStateError } from "@workspace-ops/store";
import { currentState, type ExecutorContext, Phase } from "./context.js";
import { type ExecutorError, executorError } from "./errors.js";
import { terminalStates } from "./state-machine.js";

/** A command that ends sooner than this is never looked at: no read competes with its start. */
const FIRST_LOOK_MS = 50;

export interface CancelWatch {
  /** Starts looking: call once the call is committed as running (its records up to `afterSeq`). */
  start(controller: AbortController): void;
  /** Stops looking; a look in flight is then ignored. */
  stop(): void;
}

/**
 * Watches the call's stream for a cancel request. Create it before the commit that marks the call
 * running, so that every change from then on is buffered. The first look comes after FIRST_LOOK_MS
 * (whatever happened before it); after it, every change the store reports is looked at, and a look
 * that fails is retried at the next change.
 */
export function watchForCancel(ctx: ExecutorContext, stream: string): CancelWatch {
  const stopping = new AbortController();
  const feed = new ChangeFeed(ctx.store);
  return {
    start(controller) {
      void (async () => {
        try {
          await sleep(FIRST_LOOK_MS, undefined, { signal: stopping.signal });
        } catch {
          return; // stopped before the first look
        }
        let seen = 0;
        for (let look = true; !stopping.signal.aborted && !controller.signal.aborted; ) {
          if (look) {
            try {
              const records = await ctx.store.read(stream, { afterSeq: seen });
              if (stopping.signal.aborted) break;
              if (records.some((r) => r.type === "cancel_requested")) controller.abort();
              seen = records.at(-1)?.seq ?? seen;
            } catch {
              // A failed look (the database busy or away for a moment) must not crash the run.
            }
          }
          look = await feed.next(60_000, stopping.signal);
        }
      })();
    },
    stop() {
      stopping.abort();
      feed.close();
    },
  };
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
