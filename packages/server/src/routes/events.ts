// GET /api/v1/events: the audit log as Server-Sent Events, in seq order — the store's total-order
// change feed. Each event's id is its audit seq: a client that reconnects with Last-Event-ID (or
// ?after=SEQ) misses nothing. Without either it starts at the head (what happens from now on).
// Audit data was redacted at the write boundary before it was stored.
import { ChangeFeed } from "@workspace-ops/store";
import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import { requireApprover } from "../auth/guard.js";
import type { Deps } from "../deps.js";
import { ApiError } from "../problem.js";
import type { ServerEnv } from "../server-env.js";

const PAGE = 500;
const KEEPALIVE_MS = 15_000;

function startSeq(header: string | undefined, query: string | undefined): number | undefined {
  const given = header ?? query;
  if (given === undefined) return undefined;
  if (!/^\d{1,15}$/.test(given))
    throw new ApiError(400, "request_invalid", "Last-Event-ID (or ?after=) must be an audit seq", {
      pointer: header === undefined ? "/query/after" : "/headers/last-event-id",
    });
  return Number(given);
}

export function eventRoutes(deps: Deps): Hono<ServerEnv> {
  const store = deps.executor.context.store;
  const app = new Hono<ServerEnv>();
  app.get("/api/v1/events", requireApprover(deps.access), async (c) => {
    const given = startSeq(c.req.header("last-event-id"), c.req.query("after"));
    const { session } = c.get("credential");
    let after = given ?? (await store.auditHead()).seq;
    c.header("x-accel-buffering", "no");
    return streamSSE(
      c,
      async (stream) => {
        // Subscribed before the first read: a commit in between wakes the first wait at once.
        const feed = new ChangeFeed(store);
        const ended = new AbortController();
        const end = () => ended.abort();
        stream.onAbort(end);
        deps.closing.addEventListener("abort", end, { once: true });
        try {
          await stream.writeSSE({ event: "ready", data: JSON.stringify({ after }), retry: 2000 });
          while (!ended.signal.aborted && deps.access.sessions.live(session)) {
            const records = await store.readAudit({ afterSeq: after, limit: PAGE });
            for (const { seq, at, type, subject, data } of records) {
              await stream.writeSSE({
                id: String(seq),
                event: type,
                data: JSON.stringify({ seq, at, type, subject, data }),
              });
              after = seq;
            }
            if (records.length === PAGE) continue;
            const changed = await feed.next(KEEPALIVE_MS, ended.signal);
            if (!changed && !ended.signal.aborted) await stream.write(": keep-alive\n\n");
          }
        } finally {
          feed.close();
          deps.closing.removeEventListener("abort", end);
        }
      },
      async (error) => {
        // A store closing under a stream (the server stopping) ends it; anything else is told.
        if (!deps.closing.aborted) deps.log(`wsops serve: events stream ended: ${error.message}`);
      },
    );
  });
  return app;
}
