// The one lookup order of the external tools wsops runs (OPA, the validators of the cross-language
// check): a configured path, else an environment variable, else the pinned build in .tools/ of this or
// a parent folder, else PATH.
import { accessSync, constants, statSync } from "node:fs";
import { delimiter, dirname, join, resolve } from "node:path";

export interface ToolLookup {
  /** A path from a configuration file or a flag, relative to `from`; wins when set. */
  configured?: string | undefined;
  /** An environment variable naming the executable; when set it must be one. */
  envVar: string;
  /** The path under .tools/ (e.g. "bin/opa"). */
  tools: string;
  /** The name on PATH (e.g. "opa"). */
  onPath: string;
  /** Where .tools/ is looked for, walking up. Default: the working directory. */
  from?: string;
}

export interface FoundTool {
  path: string;
  /** How it was found: "configured", the variable's name, ".tools" or "PATH". */
  source: string;
}

export const isExecutable = (path: string): boolean => {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/** The tool, or null when there is none (or the configured path or the variable names no executable). */
export function findTool(lookup: ToolLookup): FoundTool | null {
  const from = resolve(lookup.from ?? process.cwd());
  if (lookup.configured) {
    const path = resolve(from, lookup.configured);
    return isExecutable(path) ? { path, source: "configured" } : null;
  }
  const fromEnv = process.env[lookup.envVar];
  if (fromEnv)
    return isExecutable(resolve(fromEnv)) ? { path: resolve(fromEnv), source: lookup.envVar } : null;
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, ".tools", lookup.tools);
    if (isExecutable(candidate)) return { path: candidate, source: ".tools" };
    if (dirname(dir) === dir) break;
  }
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    const candidate = dir ? join(dir, lookup.onPath) : "";
    if (candidate && isExecutable(candidate)) return { path: candidate, source: "PATH" };
  }
  return null;
}
