// What the policy needs besides the request to decide file, web and shell tools: the machine (the
// workspace, the home, the executor's state, the paths bubblewrap hides — the same list, so a Read
// decides what a `cat` under bubblewrap could see — and whether the command will run in a sandbox
// that hides them) and the target resolved (file paths and the paths a shell command names through
// symlinks, a URL parsed by the WHATWG parser).
import { lstatSync, readlinkSync, realpathSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import type { CommandAnalysis, ToolExecutionRequest } from "@workspace-ops/contracts";
import { approverKeysDirs, defaultDeniedPaths, homesOf } from "./sandbox/default-deny.js";
import { shellPaths } from "./shell-paths.js";
import { stateRoot } from "./state-dir.js";

type Env = Record<string, string | undefined>;

export interface Machine {
  workspaceRoot: string;
  home: string;
  protectedPaths: string[];
  hiddenPaths: string[];
}

/**
 * Whether what the policy allows runs where bubblewrap hides the hidden paths: "none" when the
 * agent runtime runs the call itself (a hook, `wsops decide`) or the process backend runs it.
 */
export type Isolation = "bubblewrap" | "none";

export interface Target {
  paths?: { path: string; real: string }[];
  url?: { scheme: string; host: string; port: number };
}

export async function machineOf(
  workspaceRoot: string,
  stateDir: string,
  env: Env = process.env,
): Promise<Machine> {
  return {
    workspaceRoot: resolved(workspaceRoot),
    home: homesOf(env)[0] ?? "/",
    protectedPaths: [stateDir, resolved(stateDir), stateRoot(env), ...approverKeysDirs(env)],
    hiddenPaths: defaultDeniedPaths(env),
  };
}

/**
 * The target of a file or web tool, or of a shell command (the paths it names, from its analysis);
 * undefined for MCP tools (or a URL that does not parse).
 */
export async function targetOf(
  request: ToolExecutionRequest,
  analysis: CommandAnalysis | undefined,
  machine: () => Promise<Machine>,
): Promise<Target | undefined> {
  const { tool } = request;
  if (tool.kind === "file" && tool.paths) return { paths: resolvedAll(tool.paths) };
  if (tool.kind === "shell" && analysis) {
    const { workspaceRoot, home } = await machine();
    const cwd = join(workspaceRoot, request.context.cwd);
    const paths = shellPaths(analysis, { cwd, home });
    // Most commands name no path (`ls`, `git status`): no target, and nothing to resolve.
    return paths.length ? { paths: resolvedAll(paths) } : undefined;
  }
  if (tool.kind === "web" && tool.access === "fetch" && tool.url) {
    const url = parseUrl(tool.url);
    return url ? { url } : {};
  }
  return undefined;
}

const resolvedAll = (paths: readonly string[]) => paths.map((path) => ({ path, real: resolved(path) }));

const defaultPorts: Record<string, number> = { http: 80, https: 443 };

function parseUrl(text: string): Target["url"] | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  const scheme = url.protocol.replace(/:$/, "");
  // The WHATWG parser lowercases the host and drops a default port; IPv6 keeps its brackets off.
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const port = url.port ? Number(url.port) : (defaultPorts[scheme] ?? 0);
  return { scheme, host, port };
}

/**
 * The real path of `path`: resolved through every symlink, also one that points at nothing yet (a
 * Write through a dangling link creates its target), with the part that does not exist appended.
 * A loop (or links nested deeper than 40) is given back unresolved. Synchronous: a few local
 * metadata calls cost microseconds here, and a trip through the thread pool each ten times that.
 */
export function resolved(path: string, depth = 0): string {
  if (depth > 40) return path;
  // lstat first: a name that does not exist is common (a file to create, a word that names nothing),
  // and answering it without an exception is several times cheaper.
  const stat = lstatOf(path);
  if (stat?.isSymbolicLink()) {
    const real = realOf(path);
    if (real !== null) return real;
    // Dangling: follow the link by hand to where a write would create its target.
    const link = linkOf(path);
    if (link !== null) return resolved(resolve(dirname(path), link), depth + 1);
  } else if (stat) {
    const real = realOf(path);
    if (real !== null) return real;
  }
  const parent = dirname(path);
  if (parent === path) return path;
  return join(resolved(parent, depth), basename(path));
}

const lstatOf = (path: string) => {
  try {
    return lstatSync(path, { throwIfNoEntry: false });
  } catch {
    return undefined; // ENOTDIR, EACCES on the way: treated as not there
  }
};

const realOf = (path: string): string | null => {
  try {
    return realpathSync.native(path);
  } catch {
    return null;
  }
};

const linkOf = (path: string): string | null => {
  try {
    return readlinkSync(path);
  } catch {
    return null;
  }
};
