// The timeline's API: sessions, the calls of a session (filtered, a page at a time), one call's whole
// record. Every entry is read from the call's own stream (see timeline.ts).
import type { StreamInfo } from "@workspace-ops/store";
import { Hono } from "hono";
import { requireApprover } from "../auth/guard.js";
import type { Deps } from "../deps.js";
import { ApiError } from "../problem.js";
import { intParam } from "../request-body.js";
import type { ServerEnv } from "../server-env.js";
import { timelineEntry } from "../timeline.js";

const encodeCursor = (a: string, b: string) => Buffer.from(JSON.stringify([a, b])).toString("base64url");

function decodeCursor(text: string | undefined): [string, string] | undefined {
  if (text === undefined) return undefined;
  try {
    const value = JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
    if (Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === "string"))
      return value as [string, string];
  } catch {}
  throw new ApiError(400, "request_invalid", "?before= is not a cursor this server gave", {
    pointer: "/query/before",
  });
}

const word = (c: { req: { query: (n: string) => string | undefined } }, name: string, pattern: RegExp) => {
  const value = c.req.query(name);
  if (value !== undefined && !pattern.test(value))
    throw new ApiError(400, "request_invalid", `?${name}= is not valid`, { pointer: `/query/${name}` });
  return value;
};

export function executionRoutes(deps: Deps): Hono<ServerEnv> {
  const store = deps.executor.context.store;
  const app = new Hono<ServerEnv>();
  for (const path of ["/api/v1/sessions", "/api/v1/executions", "/api/v1/executions/*"])
    app.use(path, requireApprover(deps.access));

  app.get("/api/v1/sessions", async (c) => {
    const limit = intParam(c, "limit", 50, 1, 1000);
    const before = decodeCursor(c.req.query("before"));
    const items = await store.listSessions({
      limit,
      ...(before ? { before: { updatedAt: before[0], sessionId: before[1] } } : {}),
    });
    const last = items.at(-1);
    return c.json({
      items,
      ...(last && items.length === limit ? { next: encodeCursor(last.updatedAt, last.sessionId) } : {}),
    });
  });

  app.get("/api/v1/executions", async (c) => {
    const limit = intParam(c, "limit", 100, 1, 1000);
    const before = decodeCursor(c.req.query("before"));
    const id = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
    const session = word(c, "session", id);
    const state = word(c, "state", /^[a-z_]{1,32}$/);
    const actor = word(c, "actor", /^(user|agent|service):[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/);
    const trace = word(c, "trace", /^[0-9a-f]{32}$/);
    const kind = word(c, "kind", /^(tool_execution|operation)$/) as StreamInfo["kind"] | undefined;
    const streams = await store.listStreams({
      kind: kind ?? "tool_execution",
      limit,
      ...(session ? { sessionId: session } : {}),
      ...(state ? { state } : {}),
      ...(actor ? { actor } : {}),
      ...(before ? { before: { createdAt: before[0], stream: before[1] } } : {}),
    });
    const entries = await Promise.all(
      streams.map(async (info) => timelineEntry(info, await store.read(info.stream))),
    );
    const last = streams.at(-1);
    return c.json({
      // A trace filter applies to the page read (the store indexes sessions, states and actors, not traces).
      items: trace ? entries.filter((e) => e.traceId === trace) : entries,
      ...(last && streams.length === limit ? { next: encodeCursor(last.createdAt, last.stream) } : {}),
    });
  });

  app.get("/api/v1/executions/:id", async (c) => {
    const given = c.req.param("id");
    const stream = (await store.stream(given)) ? given : ((await store.approval(given))?.stream ?? given);
    const info = await store.stream(stream);
    if (!info || info.kind === "reserved")
      throw new ApiError(404, "not_found", `no call or operation ${given}`);
    const records = await store.read(stream);
    return c.json({ execution: timelineEntry(info, records), stream: info, records });
  });

  return app;
}
