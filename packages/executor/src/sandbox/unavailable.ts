import type { Backend, UnavailableCode, UnavailableRun } from "./types.js";

export const unavailable = (
  code: UnavailableCode,
  message: string,
  backend: Backend | null,
): UnavailableRun => ({
  outcome: "unavailable",
  reason: { code, message },
  backend,
});

/** A step that either yields a value or says why nothing can run. */
export type Checked<T> = { ok: true; value: T } | { ok: false; code: UnavailableCode; message: string };

export const fail = (code: UnavailableCode, message: string): Checked<never> => ({
  ok: false,
  code,
  message,
});
