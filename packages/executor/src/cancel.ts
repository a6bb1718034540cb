// Cancellation across processes: `wsops cancel` appends a cancel request; the process running the
// call sees it within 200 ms and ends the whole process group. A runner that died is cancelled
// directly, so nothing stays "running" forever.
import { setTimeout as sleep } from "node:timers/promises";
import { currentState, type ExecutorContext, emit, transition } from "./context.js";
import { type ExecutorError, executorError } from "./errors.js";
import { terminalStates } from "./state-machine.js";

/** Aborts `controller` once a cancel request appears in the stream; call the returned stop() after the run. */
export function watchForCancel(
  ctx: ExecutorContext,
  stream: string,
  controller: AbortController,
): () => void {
  let stopped = false;
  void (async () => {
    while (!stopped && !controller.signal.aborted) {
      const records = await ctx.store.read(stream);
      if (records.some((r) => r.type === "cancel_requested")) controller.abort();
      else await sleep(200);
    }
  })();
  return () => {
    stopped = true;
  };
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
  await ctx.store.append(id, "cancel_requested", { reason, by: process.pid });
  await ctx.audit.append("cancel_requested", id, { reason });
  const traceparent = (
    records.findLast((r) => r.type === "event")?.data as { traceparent?: string } | undefined
  )?.traceparent;
  const runner = (
    records.findLast((r) => r.type === "transition" && (r.data as { to: string }).to === "running")?.data as
      | { pid?: number }
      | undefined
  )?.pid;
  if (state === "running" && runner !== undefined && isAlive(runner))
    return { ok: true, state: "cancelling" };
  // Nobody is running it (waiting for approval, approved, or its runner died): cancel it here.
  await transition(ctx, id, state, "cancelled", { reason });
  if (traceparent)
    await emit(ctx, id, { kind: "cancelled", subject: id, state: "cancelled", traceparent, message: reason });
  return { ok: true, state: "cancelled" };
}
