// Errors as RFC 9457 problem documents: a code (the `type` URI ends with it), a sentence for a person,
// and the JSON pointer of what was wrong when there is one. Never a stack trace.
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";

export const problemContentType = "application/problem+json";

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  pointer?: string;
  [extension: string]: unknown;
}

const titles: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  421: "Misdirected Request",
  422: "Unprocessable Content",
  429: "Too Many Requests",
  500: "Internal Server Error",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

/** A failure a handler reports: becomes a problem document with this status. */
export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export function problemOf(status: number, code: string, detail: string, extensions: object = {}): Problem {
  return {
    type: `https://workspace-ops.dev/problems/${code}`,
    title: titles[status] ?? "Error",
    status,
    detail,
    code,
    ...extensions,
  };
}

export function problemResponse(
  c: Context,
  status: ContentfulStatusCode,
  code: string,
  detail: string,
  extensions: object = {},
): Response {
  return c.body(JSON.stringify(problemOf(status, code, detail, extensions)), status, {
    "content-type": problemContentType,
    "cache-control": "no-store",
  });
}
