// Who may call what. Every request must name this server (its Host is one of its own origins: a DNS
// rebinding page cannot talk to it). The API is for approvers signed in with a cookie (the web app) or
// their token (headless), except decide, which takes the runtime token; a state change made with the
// cookie must also come from one of the server's origins and carry the session's CSRF token.
import type { MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import { problemResponse } from "../problem.js";
import type { ServerEnv } from "../server-env.js";
import { type Credential, type Sessions, sameSecret } from "./sessions.js";

export const SESSION_COOKIE = "wsops_session";
export const CSRF_HEADER = "x-csrf-token";

export interface Access {
  /** The origins this server answers as (scheme://host:port), filled once it listens. */
  origins: Set<string>;
  secure: boolean;
  sessions: Sessions;
  /** The bearer token agent runtimes send to decide. */
  runtimeToken: string;
}

const unsafe = (method: string) => !["GET", "HEAD", "OPTIONS"].includes(method);

export function hostCheck(access: Access): MiddlewareHandler<ServerEnv> {
  return async (c, next) => {
    const origin = `${access.secure ? "https" : "http"}://${c.req.header("host") ?? ""}`;
    if (!access.origins.has(origin))
      return problemResponse(c, 421, "host_not_allowed", `this server does not answer as ${origin}`);
    await next();
  };
}

function bearerOf(header: string | undefined): string | null {
  const match = /^Bearer ([A-Za-z0-9_-]{16,256})$/.exec(header ?? "");
  return match?.[1] ?? null;
}

/** The approver behind the request, if any: a token, else the session cookie. */
export function credentialOf(
  access: Access,
  authorization: string | undefined,
  cookie: string | undefined,
): Credential | null {
  const token = bearerOf(authorization);
  if (token) {
    const session = access.sessions.byToken(token);
    return session ? { kind: "token", session } : null;
  }
  if (cookie) {
    const session = access.sessions.byCookie(cookie);
    return session ? { kind: "cookie", session } : null;
  }
  return null;
}

export function requireApprover(access: Access): MiddlewareHandler<ServerEnv> {
  return async (c, next) => {
    const credential = credentialOf(access, c.req.header("authorization"), getCookie(c, SESSION_COOKIE));
    if (!credential) {
      c.header("www-authenticate", 'Bearer realm="wsops"');
      return problemResponse(
        c,
        401,
        "not_signed_in",
        "sign in first: wsops login URL --principal TYPE:ID (an approver's key), then open the link it prints or send its token",
      );
    }
    if (credential.kind === "cookie" && unsafe(c.req.method)) {
      const origin = c.req.header("origin");
      if (!origin || !access.origins.has(origin))
        return problemResponse(
          c,
          403,
          "origin_refused",
          `a change with the session cookie must come from this server's page, not from ${origin ?? "an unnamed origin"}`,
        );
      if (!sameSecret(c.req.header(CSRF_HEADER) ?? "", credential.session.csrfToken))
        return problemResponse(
          c,
          403,
          "csrf_failed",
          "the request carries no valid X-CSRF-Token for this session",
        );
    }
    c.set("credential", credential);
    await next();
  };
}

export function requireRuntime(access: Access): MiddlewareHandler<ServerEnv> {
  return async (c, next) => {
    const token = bearerOf(c.req.header("authorization"));
    if (!token || !sameSecret(token, access.runtimeToken)) {
      c.header("www-authenticate", 'Bearer realm="wsops-runtime"');
      return problemResponse(
        c,
        401,
        "runtime_token_required",
        "decide needs the runtime token (Authorization: Bearer …) that wsops serve wrote",
      );
    }
    await next();
  };
}
