// POST /api/v1/decide: `wsops decide` over HTTP — the same protocol module answers (a
// ToolExecutionRequest, or a ToolOutcome report, in; the answer out), for runtimes holding the
// runtime token.
import { answerLine } from "@workspace-ops/adapters/decide";
import { Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { requireRuntime } from "../auth/guard.js";
import type { Deps } from "../deps.js";
import { ApiError } from "../problem.js";
import type { ServerEnv } from "../server-env.js";

const statusOf: Record<string, ContentfulStatusCode> = {
  request_invalid: 400,
  duplicate_request: 409,
  id_reserved: 409,
  not_found: 404,
};

export function decideRoutes(deps: Deps): Hono<ServerEnv> {
  const app = new Hono<ServerEnv>();
  app.post("/api/v1/decide", requireRuntime(deps.access), async (c) => {
    const type = c.req.header("content-type") ?? "";
    if (!/^application\/json\s*(;|$)/i.test(type))
      throw new ApiError(415, "unsupported_media_type", "send the body as application/json");
    const runtime = c.req.header("x-wsops-runtime") ?? "http-client";
    if (!/^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/.test(runtime))
      throw new ApiError(400, "request_invalid", "X-Wsops-Runtime must be a name", {
        pointer: "/headers/x-wsops-runtime",
      });
    const { reply } = await answerLine(await c.req.text(), {
      executor: deps.executor,
      runtime,
      mode: deps.executor.context.mode,
      approveFlags: deps.approveFlags,
    });
    const error = reply.error as { code: string; message: string; pointer?: string } | undefined;
    if (error) {
      const { error: _error, ...rest } = reply;
      throw new ApiError(statusOf[error.code] ?? 409, error.code, error.message, {
        ...(error.pointer !== undefined ? { pointer: error.pointer } : {}),
        ...rest,
      });
    }
    return c.json(reply);
  });
  return app;
}
