// version-traceid-parentid-flags, lowercase hex (W3C Trace Context, level 1).
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** The 32-hex trace id of a W3C traceparent, or null when the header is invalid. */
export function traceIdOf(traceparent: string): string | null {
  const match = TRACEPARENT.exec(traceparent);
  if (!match) return null;
  const [, version, traceId, parentId] = match;
  // "ff" is a forbidden version; all-zero ids are invalid by the spec.
  if (version === "ff" || /^0+$/.test(traceId ?? "") || /^0+$/.test(parentId ?? "")) return null;
  return traceId ?? null;
}
