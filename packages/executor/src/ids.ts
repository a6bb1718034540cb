import { randomBytes, randomUUID } from "node:crypto";

/** Stream names the executor keeps for itself; request ids may not take them. */
export const reservedStreams = {
  governance: "wsops.governance",
  mode: "wsops.mode",
} as const;

export const isReserved = (id: string): boolean => id.startsWith("wsops.");

export const newId = (prefix: string): string => `${prefix}-${randomUUID()}`;

/** The trace id inside a W3C traceparent ("00-<trace>-<span>-<flags>"). */
export const traceIdOf = (traceparent: string): string => traceparent.split("-")[1] ?? "";

/** A new traceparent for a request that brings none. */
export function newTraceparent(): string {
  return `00-${randomBytes(16).toString("hex")}-${randomBytes(8).toString("hex")}-01`;
}
