// The web app's calls to its server: JSON in and out, the CSRF token on every change, problem
// documents turned into errors a person can read.
// The shapes are the server's own (type-only imports: nothing of the server is bundled into the page).
import type { ApprovalListing } from "@workspace-ops/executor";
import type { SessionInfo } from "@workspace-ops/store";
import type { TimelineEntry } from "../timeline.js";

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

export type { SessionInfo, TimelineEntry };
export type Principal = { type: string; id: string };
export type ApprovalItem = ApprovalListing & { call: TimelineEntry };
export interface Session {
  principal: Principal;
  approverKey: string;
  expiresAt: string;
  csrfToken: string;
}
