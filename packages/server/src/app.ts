// The HTTP app: the checks every request passes (its Host, body size, time), the routes, and how a
// failure answers (a problem document, never a stack trace).
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import { secureHeaders } from "hono/secure-headers";
import { timeout } from "hono/timeout";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { hostCheck } from "./auth/guard.js";
import type { Deps } from "./deps.js";
import { openApiDocument } from "./openapi.js";
import { ApiError, problemResponse } from "./problem.js";
import { approvalRoutes } from "./routes/approvals.js";
import { authRoutes } from "./routes/auth.js";
import { decideRoutes } from "./routes/decide.js";
import { eventRoutes } from "./routes/events.js";
import { executionRoutes } from "./routes/executions.js";
import type { ServerEnv } from "./server-env.js";
import { staticRoutes } from "./static-files.js";

/** Request bodies: a tool call may carry a long script; anything else is small. */
export const limits = { decideBytes: 1024 * 1024, bodyBytes: 64 * 1024, handlerMs: 30_000 };

export function createApp(deps: Deps, webDir: URL): Hono<ServerEnv> {
  const app = new Hono<ServerEnv>();
  app.use("*", hostCheck(deps.access));
  app.use(
    "*",
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", "data:"],
        connectSrc: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
      },
      // A login link's ticket is in its path: never sent on as a referrer.
      referrerPolicy: "no-referrer",
    }),
  );
  const tooLarge = (max: number) =>
    bodyLimit({
      maxSize: max,
      onError: (c) => problemResponse(c, 413, "body_too_large", `the body is larger than ${max} bytes`),
    });
  app.use("/api/v1/decide", tooLarge(limits.decideBytes));
  app.use("/api/v1/*", async (c, next) =>
    c.req.path === "/api/v1/decide" ? next() : tooLarge(limits.bodyBytes)(c, next),
  );
  // Every handler but the event stream answers within the limit.
  app.use("/api/v1/*", async (c, next) =>
    c.req.path === "/api/v1/events"
      ? next()
      : timeout(
          limits.handlerMs,
          () => new HTTPException(504, { message: `no answer within ${limits.handlerMs} ms` }),
        )(c, next),
  );

  app.get("/api/v1/health", async (c) => {
    const store = deps.executor.context.store;
    try {
      const head = await store.auditHead();
      return c.json({ status: "ok", version: deps.version, store: store.backend, auditSeq: head.seq });
    } catch (error) {
      return problemResponse(
        c,
        503,
        "store_unavailable",
        `the store does not answer: ${(error as Error).message}`,
      );
    }
  });
  const document = openApiDocument(deps.version);
  app.get("/openapi.json", (c) => c.json(document));
  app.route("/", decideRoutes(deps));
  app.route("/", authRoutes(deps));
  app.route("/", approvalRoutes(deps));
  app.route("/", executionRoutes(deps));
  app.route("/", eventRoutes(deps));
  app.route("/", staticRoutes(webDir));

  app.notFound((c) => problemResponse(c, 404, "not_found", `no ${c.req.method} ${c.req.path} here`));
  app.onError((error, c) => {
    if (error instanceof ApiError)
      return problemResponse(c, error.status, error.code, error.message, error.extensions);
    if (error instanceof HTTPException) {
      const status = error.status as ContentfulStatusCode;
      return problemResponse(c, status, status === 504 ? "timeout" : "http_error", error.message);
    }
    deps.log(`wsops serve: ${c.req.method} ${c.req.path} failed: ${(error as Error).stack ?? String(error)}`);
    return problemResponse(c, 500, "internal_error", "the server failed to answer; its log says why");
  });
  return app;
}
