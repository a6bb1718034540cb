// The OpenAPI 3.1 document the server serves at /openapi.json: every operation, its security, its
// request body and every response it gives, with the contracts' published JSON Schemas and the API's
// own envelopes as components, each under its $id (references are by $id).
import { contracts, schemas } from "@workspace-ops/contracts";
import { apiBase, withIds } from "./api-schemas.js";

type Security = "session" | "approverToken" | "runtimeToken" | "none";

export interface Operation {
  method: "get" | "post";
  path: string;
  operationId: string;
  summary: string;
  security: Security[];
  /** The request body: an API schema name, or a contract. */
  body?: { api: string } | { contract: keyof typeof contracts };
  /** Success responses: status → API schema name (JSON), "sse", "html", "redirect" or "empty". */
  ok: Record<string, string>;
  /** Problem statuses this operation answers with (besides 421 and 500, which any may). */
  problems: number[];
  parameters?: { name: string; in: "query" | "path" | "header"; description: string; pattern?: string }[];
}

const approver: Security[] = ["session", "approverToken"];
const q = (name: string, description: string, pattern?: string) => ({
  name,
  in: "query" as const,
  description,
  ...(pattern ? { pattern } : {}),
});
const id = { name: "id", in: "path" as const, description: "The id." };

export const operations: Operation[] = [
  {
    method: "get",
    path: "/api/v1/health",
    operationId: "health",
    summary: "The server is up and its store answers.",
    security: ["none"],
    ok: { "200": "Health" },
    problems: [503],
  },
  {
    method: "get",
    path: "/openapi.json",
    operationId: "openapi",
    summary: "This document.",
    security: ["none"],
    ok: { "200": "json" },
    problems: [],
  },
  {
    method: "post",
    path: "/api/v1/decide",
    operationId: "decide",
    summary:
      "Decide a ToolExecutionRequest (or record a ToolOutcome) exactly as wsops decide does; nothing runs here.",
    security: ["runtimeToken"],
    body: { contract: "ToolExecutionRequest" },
    ok: { "200": "DecideReply|OutcomeReply" },
    problems: [400, 401, 404, 409, 413, 415],
    parameters: [
      {
        name: "x-wsops-runtime",
        in: "header",
        description: "Who runs the calls it is allowed (recorded; default http-client).",
      },
    ],
  },
  {
    method: "post",
    path: "/api/v1/auth/challenge",
    operationId: "challenge",
    summary: "A delegation to a fresh session key, for the approver to sign (wsops login).",
    security: ["none"],
    body: { api: "ChallengeRequest" },
    ok: { "200": "Challenge" },
    problems: [400, 413, 415],
  },
  {
    method: "post",
    path: "/api/v1/auth/login",
    operationId: "login",
    summary: "Sign in with the signed delegation: a one-time browser link and a token.",
    security: ["none"],
    body: { api: "LoginRequest" },
    ok: { "200": "Login" },
    problems: [400, 401, 403, 413, 415],
  },
  {
    method: "get",
    path: "/login/{ticket}",
    operationId: "openLoginLink",
    summary:
      "The one-time link: sets the session cookie (HttpOnly, SameSite=Strict) and redirects to the inbox.",
    security: ["none"],
    ok: { "303": "redirect" },
    problems: [401],
    parameters: [{ name: "ticket", in: "path", description: "The link's one-time ticket." }],
  },
  {
    method: "get",
    path: "/api/v1/session",
    operationId: "session",
    summary: "Who is signed in, and the CSRF token.",
    security: approver,
    ok: { "200": "Session" },
    problems: [401],
  },
  {
    method: "post",
    path: "/api/v1/session/logout",
    operationId: "logout",
    summary: "Sign out.",
    security: approver,
    ok: { "204": "empty" },
    problems: [401, 403],
  },
  {
    method: "get",
    path: "/api/v1/approvals",
    operationId: "listApprovals",
    summary: "Approval requests, newest first, with the calls they wait on.",
    security: approver,
    ok: { "200": "ApprovalPage" },
    problems: [400, 401],
    parameters: [
      q("state", "pending, approved, denied or expired", "^(pending|approved|denied|expired)$"),
      q("limit", "At most this many (1 to 1000, default 100).", "^[0-9]+$"),
    ],
  },
  {
    method: "get",
    path: "/api/v1/approvals/{id}",
    operationId: "getApproval",
    summary: "One approval request and its call.",
    security: approver,
    ok: { "200": "ApprovalItem" },
    problems: [401, 404],
    parameters: [id],
  },
  {
    method: "post",
    path: "/api/v1/approvals/{id}/resolution",
    operationId: "resolveApproval",
    summary:
      "Approve or deny as the signed-in approver: signed with the session key, with their delegation; audited with where it came from.",
    security: approver,
    body: { api: "ResolveRequest" },
    ok: { "200": "Resolved" },
    problems: [400, 401, 403, 404, 409, 413, 415],
    parameters: [id],
  },
  {
    method: "get",
    path: "/api/v1/sessions",
    operationId: "listSessions",
    summary: "Agent sessions, most recently updated first.",
    security: approver,
    ok: { "200": "SessionPage" },
    problems: [400, 401],
    parameters: [
      q("limit", "At most this many (1 to 1000, default 50).", "^[0-9]+$"),
      q("before", "The next page's cursor."),
    ],
  },
  {
    method: "get",
    path: "/api/v1/executions",
    operationId: "listExecutions",
    summary: "Calls, newest first, filtered by session, state (outcome), actor or trace.",
    security: approver,
    ok: { "200": "ExecutionPage" },
    problems: [400, 401],
    parameters: [
      q("session", "Only this session's."),
      q("state", "Only those in this state (succeeded, failed, denied, …)."),
      q("actor", "Only this actor's (TYPE:ID)."),
      q("trace", "Only this trace's (32 hex), within the page read."),
      q("kind", "tool_execution (default) or operation."),
      q("limit", "At most this many (1 to 1000, default 100).", "^[0-9]+$"),
      q("before", "The next page's cursor."),
    ],
  },
  {
    method: "get",
    path: "/api/v1/executions/{id}",
    operationId: "getExecution",
    summary: "One call's whole record (by its id or its approval's).",
    security: approver,
    ok: { "200": "ExecutionRecord" },
    problems: [401, 404],
    parameters: [id],
  },
  {
    method: "get",
    path: "/api/v1/events",
    operationId: "events",
    summary:
      "The audit log as Server-Sent Events (id: audit seq; data: an AuditEvent); resumes after Last-Event-ID.",
    security: approver,
    ok: { "200": "sse" },
    problems: [400, 401],
    parameters: [
      { name: "last-event-id", in: "header", description: "Resume after this audit seq." },
      q("after", "Resume after this audit seq.", "^[0-9]+$"),
    ],
  },
  {
    method: "get",
    path: "/",
    operationId: "webApp",
    summary: "The web app: the approval inbox and the timeline.",
    security: ["none"],
    ok: { "200": "html" },
    problems: [],
  },
];

const securitySchemes = {
  session: {
    type: "apiKey",
    in: "cookie",
    name: "wsops_session",
    description:
      "Set by the one-time login link; a POST with it also needs X-CSRF-Token and a same-origin Origin.",
  },
  approverToken: {
    type: "http",
    scheme: "bearer",
    description: "An approver's token from wsops login (POST /api/v1/auth/login).",
  },
  runtimeToken: {
    type: "http",
    scheme: "bearer",
    description: "The runtime token wsops serve wrote to its state directory.",
  },
};

const problem = { "application/problem+json": { schema: { $ref: `${apiBase}Problem` } } };
const schemaOf = (name: string) =>
  name.includes("|")
    ? { anyOf: name.split("|").map((n) => ({ $ref: `${apiBase}${n}` })) }
    : { $ref: `${apiBase}${name}` };

function responsesOf(op: Operation) {
  const responses: Record<string, unknown> = {};
  for (const [status, what] of Object.entries(op.ok)) {
    if (what === "sse")
      responses[status] = {
        description: "An event stream.",
        content: { "text/event-stream": { schema: { type: "string" } } },
      };
    else if (what === "html")
      responses[status] = {
        description: "The web app.",
        content: { "text/html": { schema: { type: "string" } } },
      };
    else if (what === "redirect")
      responses[status] = {
        description: "To the inbox, with the session cookie set.",
        headers: { "set-cookie": { schema: { type: "string" } } },
      };
    else if (what === "empty") responses[status] = { description: "Done." };
    else if (what === "json")
      responses[status] = {
        description: "OK.",
        content: { "application/json": { schema: { type: "object" } } },
      };
    else
      responses[status] = { description: "OK.", content: { "application/json": { schema: schemaOf(what) } } };
  }
  for (const status of [...op.problems, 421, 500])
    responses[String(status)] = { description: "A problem document (RFC 9457).", content: problem };
  return responses;
}

export function openApiDocument(version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of operations) {
    const body = op.body
      ? {
          required: true,
          content: {
            "application/json": {
              schema:
                "api" in op.body
                  ? { $ref: `${apiBase}${op.body.api}` }
                  : { $ref: contracts[op.body.contract].id },
            },
          },
        }
      : undefined;
    const pathParams = [...op.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
    const parameters = (op.parameters ?? []).map((p) => ({
      name: p.name,
      in: p.in,
      description: p.description,
      required: p.in === "path",
      schema: { type: "string", ...(p.pattern ? { pattern: p.pattern } : {}) },
    }));
    for (const name of pathParams)
      if (!parameters.some((p) => p.name === name))
        parameters.push({
          name: name as string,
          in: "path",
          description: "The id.",
          required: true,
          schema: { type: "string" },
        });
    paths[op.path] ??= {};
    (paths[op.path] as Record<string, unknown>)[op.method] = {
      operationId: op.operationId,
      summary: op.summary,
      security: op.security.includes("none") ? [] : op.security.map((s) => ({ [s]: [] })),
      ...(parameters.length ? { parameters } : {}),
      ...(body ? { requestBody: body } : {}),
      responses: responsesOf(op),
    };
  }
  const components: Record<string, unknown> = {};
  for (const [schemaId, schema] of Object.entries(schemas))
    components[(schema as { title: string }).title ?? schemaId] = schema;
  for (const schema of withIds()) components[schema.title as string] = schema;
  return {
    openapi: "3.1.0",
    jsonSchemaDialect: "https://json-schema.org/draft/2020-12/schema",
    info: {
      title: "workspace-ops server (wsops serve)",
      version,
      description:
        "Decide tool calls, list and resolve approvals, read sessions and calls, follow the audit log. Errors are RFC 9457 problem documents. See docs/serve.md.",
    },
    paths,
    components: { schemas: components, securitySchemes },
  };
}
