// Where a workspace's state (store, audit log, approvals, claims) lives: never inside the workspace by
// default, so a command that may write the workspace finds nothing of it there.
import { createHash } from "node:crypto";
import { realpathSync } from "node:fs";
import { chmod, mkdir } from "node:fs/promises";
import { homedir } from "node:os";
import { basename, join, resolve } from "node:path";

type Env = Record<string, string | undefined>;

/** A workspace id from the folder name, made into a valid Identifier. */
export function workspaceIdOf(root: string): string {
  const id = basename(root)
    .replace(/[^A-Za-z0-9._:-]/g, "-")
    .replace(/^[^A-Za-z0-9]+/, "");
  return (id || "workspace").slice(0, 128);
}

/** `$XDG_STATE_HOME`, else `$HOME/.local/state` (an empty or relative value is ignored, as XDG says). */
export function stateHome(env: Env = process.env): string {
  const xdg = env.XDG_STATE_HOME;
  if (xdg?.startsWith("/")) return xdg;
  return join(homeOf(env), ".local", "state");
}

/** Every workspace's state directory lies under this one. */
export const stateRoot = (env: Env = process.env): string => join(stateHome(env), "wsops");

/**
 * `$WSOPS_STATE_DIR`, else `<state home>/wsops/<workspace id>-<12 hex of sha256(real path)>`: one
 * directory per workspace, outside it, stable across runs and distinct for two folders of one name.
 */
export function defaultStateDir(workspaceRoot: string, env: Env = process.env): string {
  if (env.WSOPS_STATE_DIR) return resolve(env.WSOPS_STATE_DIR);
  const root = realOrResolved(workspaceRoot);
  const digest = createHash("sha256").update(root).digest("hex").slice(0, 12);
  return join(stateRoot(env), `${workspaceIdOf(root)}-${digest}`);
}

/** Creates the state directory (and missing parents) readable by its owner only. */
export async function ensureStateDir(stateDir: string): Promise<void> {
  const created = await mkdir(stateDir, { recursive: true, mode: 0o700 });
  // mkdir's mode is filtered by the umask; a directory we just made is narrowed explicitly.
  if (created !== undefined) await chmod(stateDir, 0o700);
}

function homeOf(env: Env): string {
  return env.HOME?.startsWith("/") ? env.HOME : homedir();
}

function realOrResolved(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}
