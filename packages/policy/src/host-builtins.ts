// Builtins the compiled policies call back into the host for. packages/policy/capabilities.json declares
// exactly these beside the SDK's own (tools/policy/capabilities.mjs); a test keeps the lists equal.

const rfc3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-](\d{2}):(\d{2}))$/;

/**
 * time.parse_rfc3339_ns, as OPA's Go evaluator has it: nanoseconds since the epoch, undefined for a
 * string that is not RFC 3339. The result is a JavaScript number, so it is exact to within 256 ns
 * for present-day times (2^53 ns is about 104 days); decisions compare times far coarser than that.
 */
export function parseRfc3339Ns(value: unknown): number | undefined {
  if (typeof value !== "string") return undefined;
  const m = rfc3339.exec(value);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  // Date.parse rolls 2026-02-30 over into March; Go's parser refuses it, and so do we.
  const check = new Date(Date.UTC(year, month - 1, day));
  if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return undefined;
  if (hour > 23 || minute > 59 || second > 59 || Number(m[9] ?? 0) > 23 || Number(m[10] ?? 0) > 59)
    return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) return undefined;
  const fraction = (m[7] ?? "").padEnd(9, "0");
  // Date.parse keeps milliseconds; add the sub-millisecond digits back.
  return Math.floor(ms / 1000) * 1e9 + Number(fraction);
}

export const hostBuiltinNames = ["time.now_ns", "time.parse_rfc3339_ns"] as const;

type HostBuiltin = (value?: unknown) => number | undefined;

export function hostBuiltins(
  now: () => number = Date.now,
): Record<(typeof hostBuiltinNames)[number], HostBuiltin> {
  return {
    "time.now_ns": () => now() * 1e6,
    "time.parse_rfc3339_ns": parseRfc3339Ns,
  };
}
