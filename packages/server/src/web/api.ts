// The web app's calls to its server: JSON in and out, the CSRF token on every change, problem
// documents turned into errors a person can read.

export interface Problem {
  status: number;
  code: string;
  detail: string;
  reasons?: { code: string; message: string; policy: string }[];
}

export class ApiProblem extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail);
  }
}

let csrfToken = "";
export const setCsrfToken = (token: string) => {
  csrfToken = token;
};

async function call<T>(method: "GET" | "POST", path: string, body?: unknown): Promise<T> {
  const response = await fetch(path, {
    method,
    credentials: "same-origin",
    headers: {
      accept: "application/json",
      ...(body !== undefined ? { "content-type": "application/json", "x-csrf-token": csrfToken } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  const json = text ? JSON.parse(text) : null;
  if (!response.ok)
    throw new ApiProblem(
      json ?? { status: response.status, code: "http_error", detail: response.statusText },
    );
  return json as T;
}

export const get = <T>(path: string) => call<T>("GET", path);
export const post = <T>(path: string, body: unknown) => call<T>("POST", path, body);

export interface Principal {
  type: string;
  id: string;
}
export interface Reason {
  code: string;
  message: string;
  policy: string;
}
export interface Session {
  principal: Principal;
  approverKey: string;
  expiresAt: string;
  csrfToken: string;
}
export interface TimelineEntry {
  id: string;
  kind: string;
  state: string | null;
  sessionId: string | null;
  actor: string | null;
  createdAt: string;
  updatedAt: string;
  command: string;
  cwd?: string;
  workspaceId?: string;
  traceId?: string;
  runtime?: string;
  rule?: string;
  classes?: string[];
  decision?: {
    decision: string;
    decisionId: string;
    reasons: Reason[];
    classification?: {
      class: string;
      rule: string;
      parts: { index: number; program?: string; class: string }[];
    };
  };
  approvalRequest?: {
    approvalRequestId: string;
    requestedAt: string;
    expiresAt: string;
    requestedBy: Principal;
  };
  resolution?: {
    resolution: string;
    resolvedBy?: Principal;
    resolvedAt: string;
    comment?: string;
    delegation?: unknown;
  };
  resolvedThrough?: { through: string; remoteAddress?: string; userAgent?: string };
  result?: {
    outcome: string;
    exitCode?: number;
    durations: { totalMs: number; runMs?: number };
    output?: {
      stdout: { preview: string; truncated: boolean };
      stderr: { preview: string; truncated: boolean };
    };
    approval?: { resolution: string; resolvedBy: Principal; signed: boolean };
    reasons?: Reason[];
  };
}
export interface ApprovalItem {
  approvalRequestId: string;
  subjectId: string;
  state: "pending" | "approved" | "denied" | "expired";
  requestedBy: string;
  requestedAt: string;
  expiresAt: string;
  resolvedAt?: string;
  resolvedBy?: string;
  command: string;
  cwd: string;
  reasons: Reason[];
  decidedFor?: string;
  call: TimelineEntry;
}
export interface SessionInfo {
  sessionId: string;
  streams: number;
  createdAt: string;
  updatedAt: string;
}
