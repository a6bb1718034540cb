import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { ISOLATION_ARGS } from "./bubblewrap-args.js";

// Fixed locations rather than a PATH search: a writable PATH entry must not be able to stand in for the sandbox.
const CANDIDATES = ["/usr/bin/bwrap", "/usr/local/bin/bwrap"] as const;
const PROBE_TIMEOUT_MS = 15_000;

export type BubblewrapProbe = { ok: true; path: string } | { ok: false; message: string };

const cache = new Map<string, BubblewrapProbe>();

/** The bwrap executable to use: the given path, or the first installed candidate. */
export function locateBubblewrap(bwrapPath?: string): string | null {
  if (bwrapPath !== undefined) return bwrapPath;
  return CANDIDATES.find((path) => existsSync(path)) ?? null;
}

/**
 * Whether bubblewrap can build the sandbox here. It can be installed yet fail, e.g. in a container
 * without user namespaces or mount rights, so a sandbox is actually built once (cached per path).
 */
export function probeBubblewrap(bwrapPath?: string): BubblewrapProbe {
  const path = locateBubblewrap(bwrapPath);
  if (path === null)
    return { ok: false, message: `bubblewrap is not installed (looked for ${CANDIDATES.join(", ")})` };
  let probe = cache.get(path);
  if (!probe) {
    probe = runProbe(path);
    cache.set(path, probe);
  }
  return probe;
}

/** True when bubblewrap is installed and can create the sandbox in this environment (cached). */
export function bubblewrapAvailable(bwrapPath?: string): boolean {
  return probeBubblewrap(bwrapPath).ok;
}

function runProbe(path: string): BubblewrapProbe {
  if (!existsSync(path)) return { ok: false, message: `bubblewrap is not installed at ${path}` };
  const probe = spawnSync(path, [...ISOLATION_ARGS, "--", "true"], {
    env: { PATH: "/usr/bin:/bin" },
    stdio: ["ignore", "ignore", "pipe"],
    timeout: PROBE_TIMEOUT_MS,
    encoding: "utf8",
  });
  if (probe.status === 0) return { ok: true, path };
  const why = probe.error
    ? probe.error.message
    : (probe.stderr ?? "").trim() || `exit ${probe.status ?? probe.signal}`;
  return { ok: false, message: `bubblewrap at ${path} cannot create a sandbox here: ${why}` };
}
