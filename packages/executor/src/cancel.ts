// Cancellation across processes: `wsops cancel` appends a cancel request; the process running the
// call sees it within 200 ms and ends the whole process group. A runner that died is cancelled
// directly, so nothing stays "running" forever.
import { setTimeout as sleep } from "node:timers/promises";
import { currentState, type ExecutorContext, Phase } from "./context.js";
import { type ExecutorError, executorError } from "./errors.js";
import { terminalStates } from "./state-machine.js";

/** How often the running process looks for a cancel request. */
const CANCEL_POLL_MS = 200;

/**
 * Aborts `controller` once a cancel request appears in the stream; call the returned stop() after
 * the run. The first look is after one poll interval, not at once: a command that ends within it
 * never reads the stream, and no read competes with its start or holds the stream's lock when its
 * result is appended. stop() ends the wait at once, and a read in flight is then ignored.
 */
export function watchForCancel(
  ctx: ExecutorContext,
  stream: string,
  controller: AbortController,
): () => void {
  const stopping = new AbortController();
  void (async () => {
    while (!stopping.signal.aborted && !controller.signal.aborted) {
      try {
        await sleep(CANCEL_POLL_MS, undefined, { signal: stopping.signal });
      } catch {
        return; // stopped
      }
      try {
        const records = await ctx.store.read(stream);
        if (!stopping.signal.aborted && records.some((r) => r.type === "cancel_requested")) {
          controller.abort();
        }
      } catch {
        // A failed look (a lock held too long, say) must not crash the run: look again next time.
      }
    }
  })();
  return () => stopping.abort();
}

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
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
  const records = await ctx.store.read(id);
  const state = currentState(records);
  if (state === null) return { ok: false, error: executorError("not_found", `nothing with id ${id}`) };
  if (terminalStates.has(state))
    return { ok: false, error: executorError("not_running", `${id} already ended: ${state}`) };
  const phase = new Phase(ctx, id).record("cancel_requested", { reason, by: process.pid }, { reason });
  const traceparent = (
    records.findLast((r) => r.type === "event")?.data as { traceparent?: string } | undefined
  )?.traceparent;
  const runner = (
    records.findLast((r) => r.type === "transition" && (r.data as { to: string }).to === "running")?.data as
      | { pid?: number }
      | undefined
  )?.pid;
  if (state === "running" && runner !== undefined && isAlive(runner)) {
    await phase.commit();
    return { ok: true, state: "cancelling" };
  }
  // Nobody is running it (waiting for approval, approved, or its runner died): cancel it here, in
  // the same append as the request.
  phase.transition(state, "cancelled", { reason });
  if (traceparent)
    phase.event({ kind: "cancelled", subject: id, state: "cancelled", traceparent, message: reason });
  await phase.commit();
  return { ok: true, state: "cancelled" };
}
