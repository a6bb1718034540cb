// The paths a shell command names, for the policy's hidden-path rules: a Bash call that an agent
// runtime runs itself (a Claude Code hook) has no sandbox to hide `~/.ssh`, so `cat ~/.ssh/id_ed25519`
// must be caught by what the command says. From the command analysis: every argument that is not a
// flag (and the value of a `--flag=value`), every redirection target; `~` and `$HOME` expanded as the
// shell would; a glob stands for its literal directory; relative words resolved against the working
// directory and every directory the command changes into (`cd`, `pushd`), since the order they run
// in is not always known. Words built from other variables or substitutions are left out: the
// analysis flags them, and the policy judges those by themselves.
import { isAbsolute, resolve } from "node:path";
import type { CommandAnalysis } from "@workspace-ops/contracts";

export interface ShellPathOptions {
  /** The absolute working directory the command starts in. */
  cwd: string;
  home: string;
}

const DIRECTORY_CHANGERS = new Set(["cd", "pushd"]);

/** Absolute candidate paths (normalized, not yet resolved through symlinks), each once. */
export function shellPaths(analysis: CommandAnalysis, options: ShellPathOptions): string[] {
  const words: string[] = [];
  const bases = [options.cwd];
  for (const part of analysis.parts) {
    const dynamic = new Set(part.dynamicArgs ?? []);
    part.argv.forEach((word, index) => {
      if (index === 0) return;
      const candidate = pathWord(word, dynamic.has(index), options.home);
      if (candidate === null) return;
      words.push(candidate);
      if (DIRECTORY_CHANGERS.has(part.program ?? "")) bases.push(...placed(candidate, bases));
    });
    // `cd` alone goes home.
    if (DIRECTORY_CHANGERS.has(part.program ?? "") && part.argv.length === 1) bases.push(options.home);
    for (const { target, kind } of part.redirects ?? []) {
      // A target not known statically is absent (the policy asks for it); a duplicate names a descriptor.
      if (target === undefined || kind === "duplicate") continue;
      const candidate = pathWord(target, EXPANSION.test(target), options.home);
      if (candidate !== null) words.push(candidate);
    }
  }
  const paths = new Set<string>();
  for (const word of words) for (const path of placed(word, bases)) paths.add(path);
  return [...paths];
}

function placed(word: string, bases: readonly string[]): string[] {
  return isAbsolute(word) ? [resolve(word)] : bases.map((base) => resolve(base, word));
}

/** The path a word may name, or null when it names none that can be known statically. */
function pathWord(word: string, dynamic: boolean, home: string): string | null {
  let text = word;
  if (text.startsWith("-")) {
    const eq = text.indexOf("=");
    if (eq < 0) return null;
    text = text.slice(eq + 1);
  }
  if (text === "" || text.includes("://")) return null;
  text = expandHome(text, home);
  if (!dynamic) return text;
  // A word the shell expands stands for the directory its literal part names ("~/.ss*/id*" → the
  // home): only that much is known. One that starts with an expansion and goes on as a path could
  // be anywhere ("$D/id_rsa" → "/"); one that is only an expansion ("$PATH") is not followed.
  const special = text.search(EXPANSION);
  if (special < 0) return text;
  const slash = text.lastIndexOf("/", special);
  if (slash > 0) return text.slice(0, slash);
  if (slash === 0) return "/";
  const variable = text[special] === "$" || text[special] === "`";
  if (special === 0 && variable) return text.includes("/") ? "/" : null;
  return ".";
}

const EXPANSION = /[*?[{$`]/;

/** `~`, `~/…`, `$HOME`, `${HOME}`, and `~user` (as /root or /home/user: the usual homes). */
function expandHome(text: string, home: string): string {
  const match = /^(~[a-z_][a-z0-9_-]*|~|\$HOME|\$\{HOME\})(?=\/|$)/.exec(text);
  if (!match) return text;
  const name = match[1] as string;
  const dir =
    name === "~" || name.startsWith("$") ? home : name === "~root" ? "/root" : `/home/${name.slice(1)}`;
  return dir + text.slice(name.length);
}
