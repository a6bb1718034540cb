import { isValidEnvName } from "./environment.js";
import { traceIdOf } from "./traceparent.js";
import type { RunSpec } from "./types.js";
import { type Checked, fail } from "./unavailable.js";

export interface ValidSpec {
  /** What to spawn: the argv as given, or /bin/sh -c <script>. */
  command: string[];
  traceId: string;
  killGraceMs: number;
}

const DEFAULT_KILL_GRACE_MS = 2000;

/** Checks everything that needs no filesystem access; nothing runs when it fails. */
export function validateSpec(spec: RunSpec): Checked<ValidSpec> {
  const command = commandOf(spec);
  if (!command.ok) return command;
  const traceId = traceIdOf(spec.traceparent);
  if (traceId === null)
    return fail(
      "spec_invalid",
      `traceparent ${JSON.stringify(spec.traceparent)} is not a valid W3C traceparent`,
    );
  if (!(Number.isFinite(spec.timeoutSeconds) && spec.timeoutSeconds > 0))
    return fail("spec_invalid", `timeoutSeconds must be a positive number, got ${spec.timeoutSeconds}`);
  const killGraceMs = spec.killGraceMs ?? DEFAULT_KILL_GRACE_MS;
  if (!(Number.isFinite(killGraceMs) && killGraceMs >= 0))
    return fail("spec_invalid", `killGraceMs must be a non-negative number, got ${killGraceMs}`);
  if (!(Number.isSafeInteger(spec.maxOutputBytes) && spec.maxOutputBytes >= 0))
    return fail("spec_invalid", `maxOutputBytes must be a non-negative integer, got ${spec.maxOutputBytes}`);
  const badName = spec.envAllowlist.find((name) => !isValidEnvName(name));
  if (badName !== undefined)
    return fail("spec_invalid", `envAllowlist has an invalid name ${JSON.stringify(badName)}`);
  return { ok: true, value: { command: command.value, traceId, killGraceMs } };
}

function commandOf(spec: RunSpec): Checked<string[]> {
  const { argv } = spec;
  if (argv.length === 0 || argv[0] === "") return fail("argv_invalid", "argv is empty");
  if (argv.some((arg) => arg.includes("\0"))) return fail("argv_invalid", "argv contains a NUL byte");
  if (!spec.shell) return { ok: true, value: [...argv] };
  // One script, so there is no ambiguity about which words the shell sees.
  if (argv.length !== 1)
    return fail("argv_invalid", `shell: true needs argv ["<script>"], got ${argv.length} elements`);
  return { ok: true, value: ["/bin/sh", "-c", argv[0] ?? ""] };
}
