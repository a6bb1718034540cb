import { accessSync, constants, statSync } from "node:fs";
import { resolve } from "node:path";
import { type Checked, fail } from "./unavailable.js";

/**
 * Finds the executable argv[0] names, the way execvp would with the command's own PATH, so a
 * missing command is a clear `spawn_failed` before anything starts — under bubblewrap too, where
 * the failure would otherwise be bwrap's exit status 1. A bare name needs PATH in the environment:
 * without it libc would fall back to a built-in search path the caller never allowed.
 */
export function resolveCommand(argv0: string, env: Record<string, string>, cwd: string): Checked<string> {
  if (argv0.includes("/")) {
    const path = resolve(cwd, argv0);
    return isExecutableFile(path)
      ? { ok: true, value: path }
      : fail("spawn_failed", `${argv0}: ${whyNot(path)}`);
  }
  const searchPath = env.PATH;
  if (searchPath === undefined)
    return fail(
      "spawn_failed",
      `${JSON.stringify(argv0)} is a bare command name but PATH is not in envAllowlist: allowlist PATH or give an absolute argv[0]`,
    );
  for (const dir of searchPath.split(":")) {
    // An empty PATH entry means the working directory, as in execvp.
    const candidate = resolve(cwd, dir === "" ? "." : dir, argv0);
    if (isExecutableFile(candidate)) return { ok: true, value: candidate };
  }
  return fail(
    "spawn_failed",
    `${JSON.stringify(argv0)} not found on PATH ${JSON.stringify(searchPath)} (ENOENT)`,
  );
}

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function whyNot(path: string): string {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) return "no such file (ENOENT)";
  if (!stat.isFile()) return "not a regular file";
  return "not executable (EACCES)";
}
