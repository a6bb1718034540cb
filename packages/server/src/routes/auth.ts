// Signing in: a challenge (a delegation to a fresh session key), the delegation signed with the
// approver's key, a one-time link that sets the session cookie, and who is signed in.
import type { Principal } from "@workspace-ops/contracts";
import type { SigningDelegation } from "@workspace-ops/executor";
import { Hono } from "hono";
import { deleteCookie, setCookie } from "hono/cookie";
import { requireApprover, SESSION_COOKIE } from "../auth/guard.js";
import type { Deps } from "../deps.js";
import { problemResponse } from "../problem.js";
import { jsonBody, originOf } from "../request-body.js";
import type { ServerEnv } from "../server-env.js";
import { checkBody } from "../validation.js";

export function authRoutes(deps: Deps): Hono<ServerEnv> {
  const { access, executor } = deps;
  const app = new Hono<ServerEnv>();

  app.post("/api/v1/auth/challenge", async (c) => {
    const { principal } = checkBody<{ principal: Principal }>("ChallengeRequest", await jsonBody(c));
    return c.json(access.sessions.challenge(principal, originOf(c, access.secure)));
  });

  app.post("/api/v1/auth/login", async (c) => {
    const { delegation } = checkBody<{ delegation: SigningDelegation }>("LoginRequest", await jsonBody(c));
    const listed = await executor.approverKeys(delegation.principal);
    const { session, ticket, token } = access.sessions.login(delegation, listed);
    return c.json({
      principal: session.principal,
      expiresAt: new Date(session.expiresAt).toISOString(),
      loginUrl: `${delegation.audience}/login/${ticket}`,
      token,
    });
  });

  // The one-time link: sets the cookie and leaves for the inbox (the link is used up).
  app.get("/login/:ticket", (c) => {
    const redeemed = access.sessions.redeem(c.req.param("ticket"));
    if (!redeemed)
      return problemResponse(
        c,
        401,
        "login_link_used",
        "this login link was used or expired: run wsops login again",
      );
    setCookie(c, SESSION_COOKIE, redeemed.cookie, {
      httpOnly: true,
      sameSite: "Strict",
      secure: access.secure,
      path: "/",
      maxAge: Math.max(1, Math.floor((redeemed.session.expiresAt - Date.now()) / 1000)),
    });
    c.header("cache-control", "no-store");
    return c.redirect("/", 303);
  });

  app.get("/api/v1/session", requireApprover(access), (c) => {
    const { session } = c.get("credential");
    c.header("cache-control", "no-store");
    return c.json({
      principal: session.principal,
      approverKey: session.approverKey,
      sessionKey: session.sessionKey.publicKey,
      expiresAt: new Date(session.expiresAt).toISOString(),
      csrfToken: session.csrfToken,
    });
  });

  app.post("/api/v1/session/logout", requireApprover(access), (c) => {
    access.sessions.end(c.get("credential").session);
    deleteCookie(c, SESSION_COOKIE, { path: "/", secure: access.secure });
    return c.body(null, 204);
  });

  return app;
}
