// The paths a shell command names, for the policy's hidden-path rules: a Bash call that an agent
// runtime runs itself (a Claude Code hook) has no sandbox to hide `~/.ssh`, so `cat ~/.ssh/id_ed25519`
// must be caught by what the command says. From the command analysis: every argument that is not a
// flag (and the value of a `--flag=value`), every redirection target; `~` and `$HOME` expanded as the
// shell would; a glob stands for its literal directory; relative words resolved against the working
// directory and every directory the command changes into (`cd`, `pushd`), since the order they run
// in is not always known. A word that starts with another variable and goes on as a path could be
// anywhere and names `/`; one that is only an expansion (`$PATH`) or a substitution is left out: the
// analysis flags those, and the policy judges them by themselves.
import { isAbsolute, resolve } from "node:path";
import type { CommandAnalysis } from "@workspace-ops/contracts";

export interface ShellPathOptions {
  /** The absolute working directory the command starts in. */
  cwd: string;
  home: string;
}

const DIRECTORY_CHANGERS = new Set(["cd", "pushd"]);
/**
 * Every cd multiplies the directories a relative word may be in; past this many the command could be
 * anywhere: "/" stands for the rest (a chain of cds must not make the decision's work explode).
 */
const MAX_BASES = 32;
/** Past this many paths the rest are not looked at one by one: "/" stands for them (it holds them all). */
const MAX_PATHS = 512;

/** Absolute candidate paths (normalized, not yet resolved through symlinks), each once. */
export function shellPaths(analysis: CommandAnalysis, options: ShellPathOptions): string[] {
  const words: string[] = [];
  const bases = new Set([options.cwd]);
  const addBase = (dir: string) => {
    if (bases.size < MAX_BASES) bases.add(dir);
    else bases.add("/");
  };
  for (const part of analysis.parts) {
    const dynamic = new Set(part.dynamicArgs ?? []);
    part.argv.forEach((word, index) => {
      if (index === 0) return;
      const candidate = pathWord(word, dynamic.has(index), options.home);
      if (candidate === null) return;
      words.push(candidate);
      if (DIRECTORY_CHANGERS.has(part.program ?? ""))
        for (const dir of placed(candidate, [...bases])) addBase(dir);
    });
    // `cd` alone goes home.
    if (DIRECTORY_CHANGERS.has(part.program ?? "") && part.argv.length === 1) addBase(options.home);
    for (const { target, kind } of part.redirects ?? []) {
      // A target not known statically is absent (the policy asks for it); a duplicate names a descriptor.
      if (target === undefined || kind === "duplicate") continue;
      const candidate = pathWord(target, EXPANSION.test(target), options.home);
      if (candidate !== null) words.push(candidate);
    }
  }
  const paths = new Set<string>();
  const dirs = [...bases];
  for (const word of words)
    for (const path of placed(word, dirs)) {
      if (paths.size >= MAX_PATHS) return [...paths, "/"];
      paths.add(path);
    }
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
