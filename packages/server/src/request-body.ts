import type { Context } from "hono";
import { ApiError } from "./problem.js";

/** The request's JSON body; a 415 or 400 problem when it is not JSON. */
export async function jsonBody(c: Context): Promise<unknown> {
  const type = c.req.header("content-type") ?? "";
  if (!/^application\/json\s*(;|$)/i.test(type))
    throw new ApiError(415, "unsupported_media_type", "send the body as application/json");
  const text = await c.req.text();
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ApiError(400, "request_invalid", `the body is not JSON: ${(error as Error).message}`, {
      pointer: "",
    });
  }
}

/** The origin a request was sent to (its Host was checked against the server's own). */
export const originOf = (c: Context, secure: boolean): string =>
  `${secure ? "https" : "http"}://${c.req.header("host") ?? ""}`;

/** An integer query parameter within bounds, or a 400 problem naming it. */
export function intParam(c: Context, name: string, fallback: number, min: number, max: number): number {
  const raw = c.req.query(name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max)
    throw new ApiError(400, "request_invalid", `?${name}= must be an integer from ${min} to ${max}`, {
      pointer: `/query/${name}`,
    });
  return value;
}
