/**
 * The command's whole environment: the allowlisted names that have a value in `baseEnv`, then the
 * trace context (which wins over an allowlisted name of the same spelling). Nothing else leaks.
 */
export function scrubbedEnvironment(
  allowlist: readonly string[],
  baseEnv: Record<string, string | undefined>,
  traceparent: string,
  traceId: string,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of allowlist) {
    // Own properties only: process.env-like objects must not leak inherited names.
    if (!Object.hasOwn(baseEnv, name)) continue;
    const value = baseEnv[name];
    if (value !== undefined) env[name] = value;
  }
  env.TRACE_ID = traceId;
  env.traceparent = traceparent;
  return env;
}

/** A name the OS can carry: non-empty, no "=" and no NUL. */
export const isValidEnvName = (name: string): boolean => name.length > 0 && !/[=\0]/.test(name);
