// The API's own JSON Schemas (2020-12): the envelopes around the contracts — pages, the timeline entry,
// sign-in. Contract payloads are never copied here: these refer to the contracts' published schemas by
// their $id, and the OpenAPI document carries both.
import { contracts } from "@workspace-ops/contracts";

export const apiBase = "https://workspace-ops.dev/api/v1/";
const C = (name: keyof typeof contracts) => ({ $ref: contracts[name].id });
const common = (def: string) => ({
  $ref: `https://workspace-ops.dev/contracts/common/v1/common.schema.json#/$defs/${def}`,
});
const reason = { $ref: `${contracts.ToolExecutionDecision.id}#/$defs/Reason` };
const delegation = { $ref: `${contracts.ApprovalResolution.id}#/$defs/Delegation` };
const ref = (name: string) => ({ $ref: `${apiBase}${name}` });
const text = (description: string, extra: object = {}) => ({ type: "string", description, ...extra });
const time = (description: string) => ({ type: "string", format: "date-time", description });
const nullable = (description: string) => ({ type: ["string", "null"], description });

const object = (
  description: string,
  properties: Record<string, object>,
  required: string[],
): Record<string, unknown> => ({
  type: "object",
  description,
  additionalProperties: false,
  required,
  properties,
});

const page = (description: string, item: string) =>
  object(
    description,
    {
      items: { type: "array", description: "This page, in the order the endpoint names.", items: ref(item) },
      next: text("Pass as ?before= for the next page; absent on the last page."),
    },
    ["items"],
  );

const unsignedDelegation = object(
  "The delegation to sign with the approver's key: every field of ApprovalResolution.delegation but its signature.",
  {
    principal: common("Principal"),
    delegate: common("PublicKey"),
    audience: text("This server's origin."),
    nonce: text("The challenge: used once."),
    issuedAt: time("From when the session key may sign."),
    expiresAt: time("Until when: the session's end."),
  },
  ["principal", "delegate", "audience", "nonce", "issuedAt", "expiresAt"],
);

const timelineEntry = object(
  "One call as the timeline shows it, from its own records (joined by the ids they carry).",
  {
    id: text("The toolExecutionId (or operationId) and the id of its stream."),
    kind: {
      type: "string",
      enum: ["tool_execution", "operation"],
      description: "A tool call or an operation.",
    },
    state: nullable(
      "Its state now (pending, awaiting_approval, approved, running, succeeded, failed, denied, …).",
    ),
    sessionId: nullable("The agent session."),
    actor: nullable("Who asked, TYPE:ID."),
    createdAt: time("When it was received."),
    updatedAt: time("Its last record."),
    command: text("What ran (or would have), in one line."),
    cwd: text("Its working directory inside the workspace."),
    workspaceId: text("The workspace the request names."),
    traceId: text("The W3C trace id of its traceparent."),
    runtime: text("The agent runtime that runs the call itself (a hook, decide), if one asked."),
    rule: text("The rule that decided (the classification's rule, else the first reason's code)."),
    classes: {
      type: "array",
      items: { type: "string" },
      description: "The risk class of each part of its analysis.",
    },
    decision: C("ToolExecutionDecision"),
    approvalRequest: C("ApprovalRequest"),
    resolution: C("ApprovalResolution"),
    resolvedThrough: object(
      "Where the resolution came from when it was made through a server.",
      {
        approvalRequestId: common("Identifier"),
        through: text("The server (wsops serve and its origin)."),
        remoteAddress: text("The address the resolution came from."),
        userAgent: text("The browser or client that sent it."),
      },
      ["through"],
    ),
    result: C("ToolExecutionResult"),
  },
  ["id", "kind", "state", "sessionId", "actor", "createdAt", "updatedAt", "command"],
);

const approvalItem = object(
  "An approval request with what it is for (wsops approvals), and the call it waits on.",
  {
    approvalRequestId: common("Identifier"),
    subjectId: text("The call (or operation) it is for."),
    state: {
      type: "string",
      enum: ["pending", "approved", "denied", "expired"],
      description: "Its state (pending past its expiry shows expired).",
    },
    requestedBy: text("Who asked, TYPE:ID."),
    requestedAt: time("When it was asked for."),
    expiresAt: time("Until when it may be resolved."),
    resolvedAt: time("When it was resolved."),
    resolvedBy: text("Who resolved it, TYPE:ID."),
    command: text("What would run, in one line."),
    cwd: text("Its working directory."),
    reasons: { type: "array", items: reason, description: "Why it needs approval." },
    decidedFor: text("The agent runtime that asked (it runs the call itself, retried once approved)."),
    usedBy: text("The later call (the same call, retried) that used the approval."),
    commands: object(
      "The CLI commands that resolve it.",
      { approve: text("Approves it."), deny: text("Denies it."), resume: text("Runs what it approved.") },
      ["approve", "deny"],
    ),
    call: ref("TimelineEntry"),
  },
  [
    "approvalRequestId",
    "subjectId",
    "state",
    "requestedBy",
    "requestedAt",
    "expiresAt",
    "command",
    "cwd",
    "reasons",
    "commands",
    "call",
  ],
);

const streamInfo = object(
  "The stream of a call as the store indexes it.",
  {
    stream: text("Its id."),
    kind: { type: "string", enum: ["tool_execution", "operation", "reserved"], description: "What it is." },
    sessionId: nullable("The agent session."),
    actor: nullable("Who asked, TYPE:ID."),
    executionId: nullable("The executionId of a LocalAgentExecution operation."),
    state: nullable("Its state now."),
    approvalRequestId: nullable("Its last approval request."),
    lastSeq: { type: "integer", minimum: 0, description: "The seq of its last record." },
    createdAt: time("When it was created."),
    updatedAt: time("Its last commit."),
  },
  [
    "stream",
    "kind",
    "sessionId",
    "actor",
    "executionId",
    "state",
    "approvalRequestId",
    "lastSeq",
    "createdAt",
    "updatedAt",
  ],
);

const storedRecord = object(
  "One record of a stream (redacted at the write boundary).",
  {
    seq: { type: "integer", minimum: 1, description: "1, 2, 3… per stream." },
    at: time("The commit that wrote it."),
    type: text(
      "request, analysis, decision, approval_request, approval_resolution, approval_channel, transition, result, …",
    ),
    data: {
      description: "The record: a contract payload for request, decision, approval and result records.",
    },
  },
  ["seq", "at", "type", "data"],
);

const decideReply = object(
  "The answer of wsops decide (docs/integrations.md).",
  {
    toolExecutionId: text("The call decided."),
    mode: { type: "string", enum: ["governed", "observe", "disabled"], description: "The server's mode." },
    verdict: {
      type: "string",
      enum: ["allow", "deny", "ask", "approval_required"],
      description: "What the runtime is to do.",
    },
    enforced: { type: "boolean", description: "True in governed mode." },
    decision: C("ToolExecutionDecision"),
    reasons: { type: "array", items: reason, description: "Why." },
    failure: reason,
    approval: object(
      "The approval the call waits for, or used.",
      {
        approvalRequestId: common("Identifier"),
        expiresAt: time("Until when."),
        state: { type: "string", enum: ["pending", "approved", "used"], description: "Where it stands." },
        toolExecutionId: text("The call it was asked for."),
        approve: text("The CLI command that approves it."),
      },
      ["approvalRequestId", "expiresAt", "state", "toolExecutionId", "approve"],
    ),
    replayed: { type: "boolean", description: "The same request id was decided before: its answer." },
  },
  ["toolExecutionId", "mode", "verdict", "enforced", "reasons"],
);

/** Every schema of the API's own, by name; each has its $id under apiBase. */
export const apiSchemas: Record<string, Record<string, unknown>> = {
  Problem: {
    type: "object",
    description: "An RFC 9457 problem document.",
    required: ["type", "title", "status", "detail", "code"],
    properties: {
      type: text("A URI naming the problem; it ends with the code."),
      title: text("The HTTP status's name."),
      status: { type: "integer", description: "The HTTP status." },
      detail: text("What went wrong, for a person."),
      code: text("The problem's code."),
      pointer: text("The JSON pointer of what was wrong, when there is one."),
    },
  },
  Health: object(
    "The server is up and its store answers.",
    {
      status: { type: "string", const: "ok", description: "Always ok (a failing store is a 503 problem)." },
      version: text("The server package's version."),
      store: { type: "string", enum: ["sqlite", "postgres"], description: "The store's backend." },
      auditSeq: {
        type: "integer",
        minimum: 0,
        description: "The audit log's last seq (the SSE stream's Last-Event-ID).",
      },
    },
    ["status", "version", "store", "auditSeq"],
  ),
  ChallengeRequest: object("Who signs in.", { principal: common("Principal") }, ["principal"]),
  Challenge: object(
    "What to sign with the approver's key, and until when.",
    { delegation: unsignedDelegation, answerBy: time("The signed delegation must come back before this.") },
    ["delegation", "answerBy"],
  ),
  LoginRequest: object("The challenge's delegation, signed with the approver's key.", { delegation }, [
    "delegation",
  ]),
  Login: object(
    "Signed in: a one-time link for a browser and a token for headless use, both until expiresAt.",
    {
      principal: common("Principal"),
      expiresAt: time("When the session ends."),
      loginUrl: text("Open once in a browser: it sets the session cookie."),
      token: text("Send as Authorization: Bearer TOKEN (no CSRF token needed)."),
    },
    ["principal", "expiresAt", "loginUrl", "token"],
  ),
  Session: object(
    "Who is signed in, and the CSRF token the web app sends with every change.",
    {
      principal: common("Principal"),
      approverKey: common("PublicKey"),
      sessionKey: common("PublicKey"),
      expiresAt: time("When the session ends."),
      csrfToken: text("Send in X-CSRF-Token with every POST made with the cookie."),
    },
    ["principal", "approverKey", "sessionKey", "expiresAt", "csrfToken"],
  ),
  ResolveRequest: object(
    "Approve or deny, with an optional comment.",
    {
      resolution: { type: "string", enum: ["approved", "denied"], description: "The answer." },
      comment: { ...common("Text"), description: "A note for the record (not signed)." },
    },
    ["resolution"],
  ),
  Resolved: object(
    "The resolution as recorded: signed by the session key, with the approver's delegation.",
    {
      resolution: C("ApprovalResolution"),
      toolExecutionId: text("The call it resolved."),
      signed: { type: "boolean", description: "Signed by a key the profile lists (by delegation)." },
      result: C("ToolExecutionResult"),
    },
    ["resolution", "toolExecutionId", "signed"],
  ),
  ApprovalItem: approvalItem,
  ApprovalPage: page("Approval requests, newest first.", "ApprovalItem"),
  TimelineEntry: timelineEntry,
  ExecutionPage: page("Calls, newest first (the timeline shows them oldest first).", "TimelineEntry"),
  SessionInfo: object(
    "An agent session.",
    {
      sessionId: text("Its id."),
      streams: { type: "integer", minimum: 0, description: "How many calls and operations it has." },
      createdAt: time("Its first call."),
      updatedAt: time("Its last change."),
    },
    ["sessionId", "streams", "createdAt", "updatedAt"],
  ),
  SessionPage: page("Sessions, most recently updated first.", "SessionInfo"),
  StreamInfo: streamInfo,
  StoredRecord: storedRecord,
  ExecutionRecord: object(
    "One call's whole record: its stream and every record of it.",
    {
      execution: ref("TimelineEntry"),
      stream: ref("StreamInfo"),
      records: { type: "array", items: ref("StoredRecord"), description: "In seq order." },
    },
    ["execution", "stream", "records"],
  ),
  DecideReply: decideReply,
  OutcomeReply: object(
    "The answer to a ToolOutcome report.",
    {
      toolExecutionId: text("The call."),
      recorded: { type: "boolean", description: "A result was recorded." },
      state: text("Its state now."),
    },
    ["toolExecutionId", "recorded", "state"],
  ),
  AuditEvent: object(
    "One audit record, as an SSE event's data (redacted at the write boundary).",
    {
      seq: { type: "integer", minimum: 1, description: "Its audit seq: the event's id." },
      at: time("Its commit."),
      type: text("What happened: the event's name."),
      subject: text("The stream (or persona) it is about."),
      data: { description: "The audit record's data." },
    },
    ["seq", "at", "type", "subject", "data"],
  ),
};

export const withIds = (): Record<string, unknown>[] =>
  Object.entries(apiSchemas).map(([name, schema]) => ({
    $schema: "https://json-schema.org/draft/2020-12/schema",
    $id: `${apiBase}${name}`,
    title: name,
    ...schema,
  }));
