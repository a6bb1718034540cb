// The HTTP API of wsops serve, against a real server process on loopback, with the SQLite store and
// with PostgreSQL: sign-in by key, decide, approvals (resolved through the server, verified as the
// CLI verifies), executions and sessions, the event stream, the limits, and every response checked
// against the OpenAPI document the server serves.
import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toolCall } from "../../packages/executor/dist/testing/payloads.js";
import { freshDatabase, postgresAvailable } from "../../packages/store-postgres/dist/testing/test-server.js";
import {
  checkAgainstOpenApi,
  createKey,
  login,
  type Machine,
  machine,
  parkedCall,
  Recorder,
  type Serving,
  serve,
  useProfile,
  wsops,
} from "./support.js";

const json = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: "POST",
  headers: { "content-type": "application/json", ...headers },
  body: JSON.stringify(body),
});

/** A ToolExecutionRequest an agent runtime sends to decide, in its own session. */
function toolRequest(argv: string[]) {
  const request = toolCall(argv);
  return { ...request, context: { ...request.context, sessionId: "session-decide" } };
}

/** Reads a Server-Sent Events stream until `until` holds for an event (or the time is up). */
async function readEvents(
  url: string,
  headers: Record<string, string>,
  until: (event: { id?: string; event?: string; data: string }) => boolean,
  ms = 10_000,
) {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), ms);
  const response = await fetch(url, { headers, signal: abort.signal });
  const events: { id?: string; event?: string; data: string }[] = [];
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let end = buffer.indexOf("\n\n");
      while (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        end = buffer.indexOf("\n\n");
        const event: { id?: string; event?: string; data: string } = { data: "" };
        for (const line of block.split("\n")) {
          const [field, ...rest] = line.split(": ");
          const value = rest.join(": ");
          if (field === "id") event.id = value;
          else if (field === "event") event.event = value;
          else if (field === "data") event.data += value;
        }
        if (block.startsWith(":")) continue;
        events.push(event);
        if (until(event))
          return { status: response.status, type: response.headers.get("content-type"), events };
      }
    }
  } catch (error) {
    if (!abort.signal.aborted) throw error;
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
  return { status: response.status, type: response.headers.get("content-type"), events };
}

const backends: { name: string; available: boolean }[] = [
  { name: "SQLite", available: true },
  {
    name: "PostgreSQL",
    available: postgresAvailable("wsops serve API on PostgreSQL (test/serve/api.test.ts)"),
  },
];

describe.each(backends.filter((b) => b.available))("wsops serve API with $name", ({ name }) => {
  const http = new Recorder();
  let at: Machine;
  let server: Serving;
  let drop: (() => Promise<void>) | undefined;
  let token: string;
  const bearer = () => ({ authorization: `Bearer ${token}` });

  beforeAll(async () => {
    let store: string | undefined;
    if (name === "PostgreSQL") {
      const database = await freshDatabase();
      store = database.url;
      drop = database.drop;
    }
    at = machine(store);
    const alice = createKey(at, "user:alice");
    useProfile(at, [{ principal: "user:alice", publicKey: alice }]);
    server = await serve(at);
    token = login(at, server.url).token;
  }, 60_000);

  afterAll(async () => {
    expect(await server?.stop()).toBe(0);
    await drop?.();
  });

  it("answers health and serves its OpenAPI document; an unknown path or a foreign Host is a problem", async () => {
    const health = await http.fetch(`${server.url}/api/v1/health`);
    expect(health).toMatchObject({
      status: 200,
      body: { status: "ok", version: "0.1.0", store: name === "SQLite" ? "sqlite" : "postgres" },
    });
    const document = await http.fetch(`${server.url}/openapi.json`);
    expect(document.body).toMatchObject({
      openapi: "3.1.0",
      info: { title: "workspace-ops server (wsops serve)" },
    });
    const missing = await http.fetch(`${server.url}/api/v1/nothing`);
    expect([
      missing.status,
      missing.headers.get("content-type"),
      (missing.body as { code: string }).code,
    ]).toEqual([404, "application/problem+json", "not_found"]);
    // A page on another name that resolves here (DNS rebinding) is not answered.
    const foreign = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const { port } = new URL(server.url);
      request(
        { host: "127.0.0.1", port, path: "/api/v1/health", headers: { host: "evil.example" } },
        (res) => {
          let body = "";
          res.on("data", (chunk) => {
            body += chunk;
          });
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        },
      )
        .on("error", reject)
        .end();
    });
    expect([foreign.status, (JSON.parse(foreign.body) as { code: string }).code]).toEqual([
      421,
      "host_not_allowed",
    ]);
  });

  it("refuses the API without a sign-in; refuses a key no profile lists and a delegation not signed by it", async () => {
    const refused = await http.fetch(`${server.url}/api/v1/approvals`);
    expect(refused).toMatchObject({ status: 401, body: { code: "not_signed_in", status: 401 } });
    expect(refused.headers.get("www-authenticate")).toBe('Bearer realm="wsops"');
    expect(JSON.stringify(refused.body)).not.toMatch(/at .*\.js/);
    // bob has a key, but no profile lists him.
    const bobsMachine = {
      ...at,
      env: { ...at.env, XDG_CONFIG_HOME: join(at.workspace, "..", "bob-config") },
    };
    createKey(bobsMachine, "user:bob");
    const bob = wsops(bobsMachine, ["login", server.url, "--principal", "user:bob"]);
    expect([bob.code, bob.stderr.trim()]).toEqual([
      1,
      expect.stringMatching(
        /^wsops login: approver_not_listed: user:bob with key ed25519:\S+ is not an approver/,
      ),
    ]);
    // A delegation for alice signed with some other key.
    const challenge = await http.fetch(
      `${server.url}/api/v1/auth/challenge`,
      json({ principal: { type: "user", id: "alice" } }),
    );
    const delegation = (challenge.body as { delegation: Record<string, unknown> }).delegation;
    const forged = await http.fetch(
      `${server.url}/api/v1/auth/login`,
      json({
        delegation: {
          ...delegation,
          signature: { algorithm: "ed25519", publicKey: delegation.delegate, value: `${"A".repeat(86)}==` },
        },
      }),
    );
    expect(forged).toMatchObject({ status: 401, body: { code: "signature_invalid" } });
    const invalid = await http.fetch(
      `${server.url}/api/v1/auth/challenge`,
      json({ principal: { type: "robot" } }),
    );
    expect(invalid).toMatchObject({ status: 400, body: { code: "request_invalid", pointer: "/principal" } });
  });

  it("decides as wsops decide does, with the runtime token only; the approval resolved here lets the same call through", async () => {
    const request = toolRequest(["rm", "notes.txt"]);
    const anonymous = await http.fetch(`${server.url}/api/v1/decide`, json(request));
    expect(anonymous).toMatchObject({ status: 401, body: { code: "runtime_token_required" } });
    const asApprover = await http.fetch(`${server.url}/api/v1/decide`, json(request, bearer()));
    expect(asApprover.status).toBe(401);
    const runtime = { authorization: `Bearer ${server.runtimeToken}`, "x-wsops-runtime": "api-test" };
    const decided = await http.fetch(`${server.url}/api/v1/decide`, json(request, runtime));
    expect(decided).toMatchObject({
      status: 200,
      body: {
        toolExecutionId: request.toolExecutionId,
        verdict: "approval_required",
        enforced: true,
        mode: "governed",
        decision: { decision: "approval_required", classification: { rule: "destructive_needs_approval" } },
        approval: { state: "pending", toolExecutionId: request.toolExecutionId },
      },
    });
    const approval = (decided.body as { approval: { approvalRequestId: string } }).approval.approvalRequestId;
    const again = await http.fetch(`${server.url}/api/v1/decide`, json(request, runtime));
    expect(again.body).toMatchObject({ replayed: true, verdict: "approval_required" });
    const bad = await http.fetch(
      `${server.url}/api/v1/decide`,
      json({ ...request, toolExecutionId: 7 }, runtime),
    );
    expect(bad).toMatchObject({
      status: 400,
      body: { code: "request_invalid", verdict: "deny", errors: [{ pointer: "/toolExecutionId" }] },
    });

    const resolved = await http.fetch(
      `${server.url}/api/v1/approvals/${approval}/resolution`,
      json({ resolution: "approved", comment: "throwaway file" }, bearer()),
    );
    expect(resolved).toMatchObject({
      status: 200,
      body: {
        toolExecutionId: request.toolExecutionId,
        signed: true,
        resolution: {
          resolution: "approved",
          resolvedBy: { type: "user", id: "alice" },
          comment: "throwaway file",
          delegation: { principal: { type: "user", id: "alice" }, audience: server.url },
        },
      },
    });
    const twice = await http.fetch(
      `${server.url}/api/v1/approvals/${approval}/resolution`,
      json({ resolution: "denied" }, bearer()),
    );
    expect(twice).toMatchObject({ status: 409, body: { code: "approval_not_pending" } });
    // The runtime retries the same call: it goes through once, on the approval resolved over HTTP.
    const retried = await http.fetch(
      `${server.url}/api/v1/decide`,
      json({ ...request, toolExecutionId: `texec-${randomUUID()}` }, runtime),
    );
    expect(retried.body).toMatchObject({
      verdict: "allow",
      approval: { approvalRequestId: approval, state: "used" },
    });
  });

  it("resolves a parked exec so that wsops resume verifies and runs it; the record says who, when and from where", async () => {
    const parked = parkedCall(at);
    const item = await http.fetch(`${server.url}/api/v1/approvals/${parked.approvalRequestId}`, {
      headers: bearer(),
    });
    expect(item.body).toMatchObject({
      approvalRequestId: parked.approvalRequestId,
      state: "pending",
      command: "rm notes.txt",
      requestedBy: "agent:coder",
      call: {
        id: parked.toolExecutionId,
        sessionId: "session-serve",
        rule: "destructive_needs_approval",
        classes: ["destructive"],
        traceId: parked.traceId,
      },
    });
    const resolved = await http.fetch(
      `${server.url}/api/v1/approvals/${parked.approvalRequestId}/resolution`,
      json({ resolution: "approved" }, { ...bearer(), "user-agent": "api-test/1.0" }),
    );
    expect(resolved.status).toBe(200);
    const resumed = wsops(at, ["resume", parked.toolExecutionId, "--json", ...at.storeFlags]);
    expect(resumed.code).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({
      outcome: "succeeded",
      approval: { resolution: "approved", resolvedBy: { type: "user", id: "alice" }, signed: true },
    });
    expect(existsSync(join(at.workspace, "notes.txt"))).toBe(false);
    const record = await http.fetch(`${server.url}/api/v1/executions/${parked.toolExecutionId}`, {
      headers: bearer(),
    });
    const records = (record.body as { records: { type: string; data: Record<string, unknown> }[] }).records;
    expect(records.find((r) => r.type === "approval_channel")?.data).toEqual({
      approvalRequestId: parked.approvalRequestId,
      through: `wsops serve ${server.url}`,
      remoteAddress: "127.0.0.1",
      userAgent: "api-test/1.0",
    });
    expect(record.body).toMatchObject({
      execution: {
        id: parked.toolExecutionId,
        state: "succeeded",
        result: { outcome: "succeeded", exitCode: 0 },
        resolvedThrough: { remoteAddress: "127.0.0.1" },
      },
      stream: { stream: parked.toolExecutionId, state: "succeeded" },
    });
    expect(wsops(at, ["audit", "verify", ...at.storeFlags]).code).toBe(0);
  });

  it("refuses an approver's approval of their own request (the policy), and records the refusal", async () => {
    const own = parkedCall(at, "user:alice", "session-own");
    const refused = await http.fetch(
      `${server.url}/api/v1/approvals/${own.approvalRequestId}/resolution`,
      json({ resolution: "approved" }, bearer()),
    );
    expect(refused).toMatchObject({
      status: 403,
      body: { code: "approval_refused", reasons: [{ code: "self_approval" }] },
    });
    const status = JSON.parse(wsops(at, ["status", own.toolExecutionId, "--json", ...at.storeFlags]).stdout);
    expect(status.state).toBe("awaiting_approval");
  });

  it("signs a browser in once with the link (HttpOnly, SameSite=Strict); a change with the cookie needs its Origin and CSRF token", async () => {
    const { loginUrl } = login(at, server.url);
    const opened = await http.fetch(loginUrl);
    expect(opened.status).toBe(303);
    expect(opened.headers.get("location")).toBe("/");
    const cookie = opened.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(
      /^wsops_session=[A-Za-z0-9_-]{43}; Max-Age=\d+; Path=\/; HttpOnly; SameSite=Strict$/,
    );
    const reused = await http.fetch(loginUrl);
    expect(reused).toMatchObject({ status: 401, body: { code: "login_link_used" } });
    const jar = { cookie: cookie.split(";")[0] as string };
    const session = await http.fetch(`${server.url}/api/v1/session`, { headers: jar });
    const { csrfToken } = session.body as { csrfToken: string };
    expect(session.body).toMatchObject({ principal: { type: "user", id: "alice" } });
    const parked = parkedCall(at, "agent:coder", "session-csrf");
    const path = `${server.url}/api/v1/approvals/${parked.approvalRequestId}/resolution`;
    const attempts = [
      await http.fetch(path, json({ resolution: "approved" }, { ...jar, origin: server.url })),
      await http.fetch(path, json({ resolution: "approved" }, { ...jar, "x-csrf-token": csrfToken })),
      await http.fetch(
        path,
        json(
          { resolution: "approved" },
          { ...jar, "x-csrf-token": csrfToken, origin: "http://evil.example" },
        ),
      ),
    ].map((r) => [r.status, (r.body as { code: string }).code]);
    expect(attempts).toEqual([
      [403, "csrf_failed"],
      [403, "origin_refused"],
      [403, "origin_refused"],
    ]);
    const denied = await http.fetch(
      path,
      json(
        { resolution: "denied", comment: "not now" },
        { ...jar, "x-csrf-token": csrfToken, origin: server.url },
      ),
    );
    expect(denied).toMatchObject({
      status: 200,
      body: { resolution: { resolution: "denied" }, result: { outcome: "denied" } },
    });
    const logout = await http.fetch(`${server.url}/api/v1/session/logout`, {
      method: "POST",
      headers: { ...jar, "x-csrf-token": csrfToken, origin: server.url },
    });
    expect(logout.status).toBe(204);
    expect((await http.fetch(`${server.url}/api/v1/session`, { headers: jar })).status).toBe(401);
  });

  it("lists sessions and a session's calls by state and actor, a page at a time; bad filters are problems", async () => {
    const sessions = await http.fetch(`${server.url}/api/v1/sessions`, { headers: bearer() });
    const ids = (sessions.body as { items: { sessionId: string }[] }).items.map((s) => s.sessionId);
    expect(ids).toEqual(
      expect.arrayContaining(["session-serve", "session-own", "session-csrf", "session-decide"]),
    );
    const denied = await http.fetch(`${server.url}/api/v1/executions?session=session-csrf&state=denied`, {
      headers: bearer(),
    });
    expect(denied.body).toMatchObject({
      items: [
        {
          sessionId: "session-csrf",
          state: "denied",
          resolution: { resolution: "denied", comment: "not now" },
        },
      ],
    });
    const first = await http.fetch(`${server.url}/api/v1/executions?actor=agent:coder&limit=1`, {
      headers: bearer(),
    });
    const page = first.body as { items: { id: string }[]; next: string };
    expect(page.items).toHaveLength(1);
    const second = await http.fetch(
      `${server.url}/api/v1/executions?actor=agent:coder&limit=1&before=${page.next}`,
      {
        headers: bearer(),
      },
    );
    expect((second.body as { items: { id: string }[] }).items[0]?.id).not.toBe(page.items[0]?.id);
    const bad = await http.fetch(`${server.url}/api/v1/executions?limit=5000`, { headers: bearer() });
    expect(bad).toMatchObject({ status: 400, body: { code: "request_invalid", pointer: "/query/limit" } });
    const none = await http.fetch(`${server.url}/api/v1/executions/texec-nope`, { headers: bearer() });
    expect(none).toMatchObject({ status: 404, body: { code: "not_found" } });
  });

  it("streams the audit log as Server-Sent Events from a Last-Event-ID, each event's id its audit seq", async () => {
    const all = await readEvents(
      `${server.url}/api/v1/events?after=0`,
      bearer(),
      (e) => e.event === "approval_request",
    );
    expect(all.status).toBe(200);
    expect(all.type).toMatch(/^text\/event-stream/);
    const requested = all.events.find((e) => e.event === "approval_request");
    const data = JSON.parse(requested?.data ?? "{}") as { seq: number; type: string };
    expect(String(data.seq)).toBe(requested?.id);
    // Resuming after it: the next event is the one after it, nothing before.
    const resumed = await readEvents(
      `${server.url}/api/v1/events`,
      { ...bearer(), "last-event-id": String(data.seq) },
      (e) => e.id !== undefined,
    );
    expect(resumed.events.find((e) => e.id !== undefined)?.id).toBe(String(data.seq + 1));
    const live = readEvents(`${server.url}/api/v1/events`, bearer(), (e) => e.event === "approval_request");
    await new Promise((r) => setTimeout(r, 300));
    const parked = parkedCall(at, "agent:coder", "session-live");
    const heard = (await live).events.find((e) => e.event === "approval_request");
    expect(JSON.parse(heard?.data ?? "{}")).toMatchObject({ subject: parked.toolExecutionId });
    const unauthenticated = await http.fetch(`${server.url}/api/v1/events`);
    expect(unauthenticated.status).toBe(401);
  });

  it("limits body sizes and media types, with problems and no stack traces", async () => {
    const big = await http.fetch(
      `${server.url}/api/v1/auth/challenge`,
      json({ principal: { type: "user", id: "alice" }, pad: "x".repeat(70 * 1024) }),
    );
    expect(big).toMatchObject({ status: 413, body: { code: "body_too_large" } });
    const text = await http.fetch(`${server.url}/api/v1/auth/challenge`, {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: "hello",
    });
    expect(text).toMatchObject({ status: 415, body: { code: "unsupported_media_type" } });
    const broken = await http.fetch(`${server.url}/api/v1/auth/challenge`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{",
    });
    expect(broken).toMatchObject({ status: 400, body: { code: "request_invalid" } });
  });

  it("gave only responses its OpenAPI document describes", async () => {
    const document = (await (await fetch(`${server.url}/openapi.json`)).json()) as Record<string, unknown>;
    expect(http.exchanges.length).toBeGreaterThan(30);
    expect(checkAgainstOpenApi(document, http.exchanges)).toEqual([]);
    expect(server.stderr()).toBe("");
  });
});
