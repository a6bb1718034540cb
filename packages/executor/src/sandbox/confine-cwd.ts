import { realpathSync, statSync } from "node:fs";
import { isAbsolute, relative, resolve, sep } from "node:path";
import { type Checked, fail } from "./unavailable.js";

export interface ConfinedCwd {
  /** The workspace root with every symlink resolved. */
  root: string;
  /** The working directory with every symlink resolved; `root` or under it. */
  cwd: string;
}

/** True when `target` is `base` or lies under it (both absolute and normalised). */
export function isWithin(base: string, target: string): boolean {
  const rel = relative(base, target);
  return rel === "" || (rel !== ".." && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

/**
 * Resolves `cwd` against the workspace and refuses anything that leaves it: an absolute path
 * outside, ".." that climbs out, or a symlink whose target is outside. The command is started in the
 * resolved path, so a later `..` in the original string cannot matter.
 */
export function confineCwd(workspaceRoot: string, cwd: string): Checked<ConfinedCwd> {
  if (!isAbsolute(workspaceRoot))
    return fail("spec_invalid", `workspaceRoot ${JSON.stringify(workspaceRoot)} is not absolute`);
  if (cwd.includes("\0")) return fail("cwd_outside_workspace", "cwd contains a NUL byte");
  const lexicalRoot = resolve(workspaceRoot);
  const root = realpathOf(lexicalRoot);
  if (!root.ok) return fail("spawn_failed", `workspace root ${lexicalRoot}: ${root.message}`);

  // Lexical check first: ".." or an absolute path outside is refused even if it does not exist.
  const lexicalCwd = resolve(lexicalRoot, cwd === "" ? "." : cwd);
  if (!isWithin(lexicalRoot, lexicalCwd) && !isWithin(root.value, lexicalCwd))
    return fail(
      "cwd_outside_workspace",
      `cwd ${JSON.stringify(cwd)} is outside the workspace ${lexicalRoot}`,
    );

  const real = realpathOf(lexicalCwd);
  if (!real.ok) return fail("spawn_failed", `cwd ${JSON.stringify(cwd)}: ${real.message}`);
  if (!isWithin(root.value, real.value))
    return fail(
      "cwd_outside_workspace",
      `cwd ${JSON.stringify(cwd)} resolves to ${real.value}, outside the workspace ${root.value}`,
    );
  if (!statSync(real.value, { throwIfNoEntry: false })?.isDirectory())
    return fail("spawn_failed", `cwd ${JSON.stringify(cwd)} is not a directory`);
  return { ok: true, value: { root: root.value, cwd: real.value } };
}

function realpathOf(path: string): Checked<string> {
  try {
    return { ok: true, value: realpathSync(path) };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return fail(
      "spawn_failed",
      code === "ENOENT" ? "does not exist" : `cannot be resolved (${code ?? String(error)})`,
    );
  }
}
