// Which host paths a bubblewrap command sees, and how: the rules (default deny list, a profile's
// denyRead/allowRead/allowWrite, the workspace, the protected state) resolved into bwrap mount options.
import { realpathSync, statSync } from "node:fs";
import { isAbsolute, join, resolve, sep } from "node:path";
import { isWithin } from "./confine-cwd.js";
import { type Checked, fail } from "./unavailable.js";

/** The profile's path rules, as written in the obligations (absolute, "~/…" or workspace-relative). */
export interface PathRules {
  denyRead?: readonly string[] | undefined;
  allowRead?: readonly string[] | undefined;
  allowWrite?: readonly string[] | undefined;
}

export interface FilesystemRules extends PathRules {
  /** Real path of the workspace. */
  workspace: string;
  /** The workspace is bound writable, or read-only. */
  workspaceAccess: "write" | "read-only";
  /** Hidden by default (the credential stores); absolute. */
  defaultDenied: readonly string[];
  /** Hidden whatever any rule says (the state directory, approver keys); absolute. */
  protectedPaths: readonly string[];
  /** What "~" means. */
  home: string;
}

type Kind = "allowRead" | "deny" | "write" | "read" | "scratch";

interface Rule {
  path: string;
  kind: Kind;
}

/** Every rule about one path, folded: the visibility rule that wins there, and whether any write rule names it. */
interface PathState extends Rule {
  writable: boolean;
  isDirectory: boolean;
}

export interface Mount {
  path: string;
  /** hide: an empty read-only directory or file; bind: the host path, read-only or writable. */
  action: "hide" | "bind-ro" | "bind-rw";
  isDirectory: boolean;
}

export interface FilesystemPlan {
  /** In the order bwrap must apply them (parents before children; protected paths last). */
  mounts: Mount[];
  /** Real paths of the protected paths that exist, hidden last. */
  protectedPaths: string[];
}

// At the same path: an explicit allowRead beats a deny, a deny beats a write; nothing replaces the
// sandbox's own /tmp.
const RANK: Record<Kind, number> = { scratch: 4, allowRead: 3, deny: 2, write: 1, read: 1 };

/**
 * The sandbox's /tmp is a fresh tmpfs (ISOLATION_ARGS): the host's /tmp is not there, so a rule
 * beneath it starts from hidden. It is never mounted here, and nothing replaces it.
 */
const SCRATCH: Rule = { path: "/tmp", kind: "scratch" };

/**
 * Resolves the rules into mounts. Visibility of a path follows the deepest rule about it or an
 * ancestor (allowRead, a write rule and the workspace make visible, a deny hides); a visible path is
 * writable when a write rule covers it. Protected paths are hidden after everything else, so nothing
 * can expose them. Paths that do not exist are skipped: there is nothing to hide or bind.
 */
export function filesystemPlan(rules: FilesystemRules): Checked<FilesystemPlan> {
  const expand = (path: string) => expandPath(path, rules.home, rules.workspace);
  const written: Rule[] = [
    { path: rules.workspace, kind: rules.workspaceAccess === "write" ? "write" : "read" },
    ...rules.defaultDenied.map((path) => ({ path, kind: "deny" as const })),
    ...(rules.denyRead ?? []).map((path) => ({ path: expand(path), kind: "deny" as const })),
    ...(rules.allowRead ?? []).map((path) => ({ path: expand(path), kind: "allowRead" as const })),
    ...(rules.allowWrite ?? []).map((path) => ({ path: expand(path), kind: "write" as const })),
  ];
  const byPath = new Map<string, PathState>();
  for (const path of new Set([SCRATCH.path, existingReal(SCRATCH.path)?.real ?? SCRATCH.path]))
    byPath.set(path, { path, kind: "scratch", writable: false, isDirectory: true });
  for (const rule of written) {
    const found = existingReal(rule.path);
    if (!found) continue;
    const seen = byPath.get(found.real);
    const writable = rule.kind === "write" || seen?.writable === true;
    const kind = seen && RANK[seen.kind] >= RANK[rule.kind] ? seen.kind : rule.kind;
    byPath.set(found.real, { path: found.real, kind, writable, isDirectory: found.isDirectory });
  }
  const ordered = [...byPath.values()].sort((a, b) => depth(a.path) - depth(b.path));
  const mounts: Mount[] = [];
  for (const state of ordered) {
    if (state.kind === "scratch") continue;
    const own = stateAt(ordered, state.path, true);
    if (own !== stateAt(ordered, state.path, false))
      mounts.push({ path: state.path, action: own, isDirectory: state.isDirectory });
  }

  const protectedPaths: string[] = [];
  const protectedMounts: Mount[] = [];
  for (const path of rules.protectedPaths) {
    const found = existingReal(path);
    if (!found || protectedPaths.includes(found.real)) continue;
    if (isWithin(found.real, rules.workspace))
      return fail(
        "spec_invalid",
        `the protected path ${found.real} contains the workspace ${rules.workspace}: hiding it would hide the workspace; keep the state directory outside the workspace and its parents`,
      );
    protectedPaths.push(found.real);
    // Already out of sight (under /tmp, or in a hidden directory) unless a bind brings part of it back.
    const exposed = mounts.some((m) => m.action !== "hide" && isWithin(found.real, m.path));
    if (exposed || stateAt(ordered, found.real, true) !== "hide")
      protectedMounts.push({ path: found.real, action: "hide", isDirectory: found.isDirectory });
  }
  // A mount inside a protected path is covered by it (and could not be remounted read-only once
  // covered): the outermost protected path is the one mount there.
  const covered = (mount: Mount, by: readonly Mount[]) =>
    by.some((other) => other !== mount && isWithin(other.path, mount.path));
  const outermost = protectedMounts.filter((mount) => !covered(mount, protectedMounts));
  return {
    ok: true,
    value: { mounts: [...mounts.filter((m) => !covered(m, outermost)), ...outermost], protectedPaths },
  };
}

/**
 * What a path looks like under the rules: the deepest visibility rule at or above it (strictly
 * above when `includeSelf` is false) decides hidden or visible; a visible path is writable when a
 * write rule is at or above it. The host root itself is visible and read-only.
 */
function stateAt(states: readonly PathState[], path: string, includeSelf: boolean): Mount["action"] {
  let visibility: PathState | null = null;
  let writable = false;
  for (const state of states) {
    if (!isWithin(state.path, path) || (!includeSelf && state.path === path)) continue;
    writable ||= state.writable;
    // Ancestors come first, so a later state is deeper.
    visibility = state;
  }
  if (visibility?.kind === "deny" || visibility?.kind === "scratch") return "hide";
  return writable ? "bind-rw" : "bind-ro";
}

/** "~" and "~/…" under `home`, a relative path under the workspace, an absolute one as it is. */
export function expandPath(path: string, home: string, workspace: string): string {
  if (path === "~") return home;
  if (path.startsWith("~/")) return join(home, path.slice(2));
  return isAbsolute(path) ? resolve(path) : resolve(workspace, path);
}

function existingReal(path: string): { real: string; isDirectory: boolean } | null {
  try {
    const real = realpathSync(path);
    return { real, isDirectory: statSync(real).isDirectory() };
  } catch {
    return null;
  }
}

const depth = (path: string) => (path === sep ? 0 : path.split(sep).length - 1);

/**
 * bwrap options for the plan. A hidden directory is an empty tmpfs, a hidden file an empty
 * read-only file (`emptyFile`); hidden directories are remounted read-only once whatever is bound
 * beneath them is in place, so nothing can be created in them.
 */
export function mountArgs(plan: FilesystemPlan, emptyFile: string): string[] {
  const args: string[] = [];
  const hiddenDirectories: string[] = [];
  for (const mount of plan.mounts) {
    if (mount.action === "bind-rw") args.push("--bind", mount.path, mount.path);
    else if (mount.action === "bind-ro") args.push("--ro-bind", mount.path, mount.path);
    else if (mount.isDirectory) {
      args.push("--tmpfs", mount.path);
      hiddenDirectories.push(mount.path);
    } else args.push("--ro-bind", emptyFile, mount.path);
  }
  for (const path of hiddenDirectories) args.push("--remount-ro", path);
  return args;
}
