import { probeBubblewrap } from "./bubblewrap-probe.js";
import type { Backend, RunSpec, UnavailableCode } from "./types.js";

export type BackendChoice =
  | { ok: true; backend: "process" }
  | { ok: true; backend: "bubblewrap"; bwrapPath: string }
  | { ok: false; code: UnavailableCode; message: string; backend: Backend | null };

/**
 * "auto" falls back to the process backend only when no sandbox is required; an explicit
 * "bubblewrap" or `requireSandbox` fails closed when bubblewrap cannot run here.
 */
export function selectBackend(
  spec: Pick<RunSpec, "backend" | "requireSandbox" | "bwrapPath">,
): BackendChoice {
  const required = spec.requireSandbox === true;
  if (spec.backend === "process") {
    if (required)
      return {
        ok: false,
        code: "sandbox_unavailable",
        message: 'requireSandbox is set but backend is "process", which does not sandbox',
        backend: "process",
      };
    return { ok: true, backend: "process" };
  }
  const probe = probeBubblewrap(spec.bwrapPath);
  if (probe.ok) return { ok: true, backend: "bubblewrap", bwrapPath: probe.path };
  if (spec.backend === "auto" && !required) return { ok: true, backend: "process" };
  return {
    ok: false,
    code: "sandbox_unavailable",
    message: probe.message,
    backend: spec.backend === "bubblewrap" ? "bubblewrap" : null,
  };
}
