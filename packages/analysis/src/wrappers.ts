// Wrappers the analysis looks through: the options each one takes (syntax only — what a wrapper
// means for risk is the policy's data), so that the command it runs can be found.

/** value: the option takes an argument; flag: it does not; optional: an attached argument only. */
type OptionKind = "value" | "flag" | "optional";
/** What an option means for finding the wrapped command. */
type Special = "no_command" | "shell" | "unparsed";

export interface WrapperSpec {
  short: Record<string, OptionKind>;
  long: Record<string, OptionKind>;
  /** Options after which there is no wrapped command (sudo -l), or only a shell (sudo -s). */
  special?: Record<string, Special>;
  /** NAME=VALUE words before the command are assignments (env). */
  assignments?: boolean;
  /** Positional words before the command (timeout's DURATION). */
  leading?: number;
  /** Any digit is a flag (nice -10). */
  digits?: boolean;
  /** The wrapper must be followed by this word to be a wrapper (pnpm dlx). */
  subcommands?: readonly string[];
  /** Arguments unknown until run time are appended to the command (xargs). */
  feedsArgs?: boolean;
  /** Run with no command, the wrapper runs this one (xargs runs echo). */
  defaultCommand?: string;
}

const flags = (letters: string): Record<string, OptionKind> =>
  Object.fromEntries([...letters].map((c) => [c, "flag" as const]));
const longs = (kind: OptionKind, names: string): Record<string, OptionKind> =>
  Object.fromEntries(names.split(" ").map((n) => [`--${n}`, kind]));

const sudo: WrapperSpec = {
  short: {
    ...flags("AbEHnPSBNlvkKVsie"),
    u: "value",
    g: "value",
    h: "value",
    p: "value",
    C: "value",
    D: "value",
    r: "value",
    t: "value",
    T: "value",
    U: "value",
    R: "value",
  },
  long: {
    ...longs(
      "flag",
      "askpass background preserve-env set-home non-interactive preserve-groups stdin bell no-update",
    ),
    ...longs("value", "user group host prompt close-from chdir role type command-timeout other-user chroot"),
    "--login": "flag",
    "--shell": "flag",
    "--list": "flag",
    "--validate": "flag",
    "--reset-timestamp": "flag",
    "--remove-timestamp": "flag",
    "--version": "flag",
    "--help": "flag",
    "--edit": "flag",
  },
  special: {
    l: "no_command",
    v: "no_command",
    k: "no_command",
    K: "no_command",
    V: "no_command",
    "--list": "no_command",
    "--validate": "no_command",
    "--reset-timestamp": "no_command",
    "--remove-timestamp": "no_command",
    "--version": "no_command",
    "--help": "no_command",
    s: "shell",
    i: "shell",
    "--shell": "shell",
    "--login": "shell",
    e: "unparsed",
    "--edit": "unparsed",
  },
};

export const wrappers: Record<string, WrapperSpec> = {
  sudo,
  doas: {
    short: { ...flags("nsL"), u: "value", C: "value" },
    long: {},
    special: { s: "shell", L: "no_command", C: "no_command" },
  },
  env: {
    short: { ...flags("i0v"), u: "value", C: "value", S: "value", P: "value" },
    long: {
      ...longs("flag", "ignore-environment null debug"),
      ...longs("value", "unset chdir split-string"),
      ...longs("optional", "default-signal ignore-signal block-signal list-signal-handling"),
    },
    special: { S: "unparsed", "--split-string": "unparsed", P: "unparsed" },
    assignments: true,
  },
  nice: { short: { n: "value" }, long: { "--adjustment": "value" }, digits: true },
  nohup: { short: {}, long: {} },
  timeout: {
    short: { s: "value", k: "value", v: "flag" },
    long: {
      "--signal": "value",
      "--kill-after": "value",
      "--foreground": "flag",
      "--preserve-status": "flag",
      "--verbose": "flag",
    },
    leading: 1,
  },
  time: {
    short: { ...flags("pav"), f: "value", o: "value", q: "flag" },
    long: {
      "--format": "value",
      "--output": "value",
      "--append": "flag",
      "--verbose": "flag",
      "--portability": "flag",
      "--quiet": "flag",
    },
  },
  command: {
    short: { p: "flag", v: "flag", V: "flag" },
    long: {},
    special: { v: "no_command", V: "no_command" },
  },
  builtin: { short: {}, long: {} },
  exec: { short: { c: "flag", l: "flag", a: "value" }, long: {} },
  stdbuf: {
    short: { i: "value", o: "value", e: "value" },
    long: { "--input": "value", "--output": "value", "--error": "value" },
  },
  ionice: {
    short: { c: "value", n: "value", p: "value", P: "value", u: "value", t: "flag" },
    long: {
      "--class": "value",
      "--classdata": "value",
      "--pid": "value",
      "--pgid": "value",
      "--uid": "value",
      "--ignore": "flag",
    },
    special: {
      p: "no_command",
      P: "no_command",
      u: "no_command",
      "--pid": "no_command",
      "--pgid": "no_command",
      "--uid": "no_command",
    },
  },
  xargs: {
    short: {
      ...flags("0prtx"),
      a: "value",
      d: "value",
      E: "value",
      I: "value",
      L: "value",
      n: "value",
      P: "value",
      s: "value",
      e: "optional",
      i: "optional",
      l: "optional",
    },
    long: {
      ...longs("flag", "null interactive no-run-if-empty verbose exit open-tty show-limits"),
      ...longs("value", "arg-file delimiter max-lines max-args max-procs max-chars process-slot-var"),
      ...longs("optional", "eof replace"),
    },
    feedsArgs: true,
    defaultCommand: "echo",
  },
  npx: {
    short: { y: "flag", q: "flag", p: "value", c: "value" },
    long: {
      ...longs("flag", "yes no no-install ignore-existing quiet"),
      ...longs("value", "package call shell"),
    },
    special: { c: "unparsed", "--call": "unparsed" },
  },
  pnpm: { short: {}, long: {}, subcommands: ["dlx", "exec"] },
  yarn: { short: {}, long: {}, subcommands: ["dlx", "exec"] },
  bunx: { short: {}, long: { "--bun": "flag" } },
  uvx: {
    short: { q: "flag", v: "flag" },
    long: {
      ...longs("value", "from with python with-requirements"),
      ...longs("flag", "isolated offline quiet verbose"),
    },
  },
  pipx: {
    short: {},
    long: { ...longs("value", "spec python pip-args"), "--no-cache": "flag" },
    subcommands: ["run"],
  },
};

/** Shells whose -c script (or script file) the analysis follows. */
export const shells = new Set(["bash", "sh", "zsh", "dash", "ksh", "mksh", "ash"]);

export const shellSpec = {
  /** Long options that take a value. */
  longValue: new Set(["--rcfile", "--init-file"]),
  longFlag: new Set([
    "--login",
    "--noprofile",
    "--norc",
    "--posix",
    "--restricted",
    "--verbose",
    "--noediting",
    "--debugger",
    "--pretty-print",
  ]),
} as const;

/** git's global options before the subcommand: value-taking ones and flags (git(1)). */
export const gitGlobal = {
  value: new Set([
    "-C",
    "-c",
    "--git-dir",
    "--work-tree",
    "--namespace",
    "--config-env",
    "--super-prefix",
    "--attr-source",
  ]),
  flag: new Set([
    "-p",
    "--paginate",
    "-P",
    "--no-pager",
    "--bare",
    "--no-replace-objects",
    "--no-lazy-fetch",
    "--no-optional-locks",
    "--no-advice",
    "--literal-pathspecs",
    "--glob-pathspecs",
    "--noglob-pathspecs",
    "--icase-pathspecs",
  ]),
  /** --exec-path=DIR changes where git finds its subcommands; bare --exec-path only prints it. */
  attachedOnly: new Set(["--exec-path"]),
} as const;

export type WrapperScan =
  | { kind: "command"; end: number; replace?: string }
  | { kind: "no_command"; end: number }
  | { kind: "shell" | "unparsed"; end: number };

/**
 * Reads a wrapper's options from words[start + 1]; `end` is the index of the wrapped command.
 * A word that is not known statically where an option may stand makes the wrapper unparsed.
 */
export function scanWrapper(
  spec: WrapperSpec,
  words: readonly { value: string; dynamic: boolean }[],
  start: number,
  onAssignment: (index: number) => void,
): WrapperScan {
  let i = start + 1;
  let replace: string | undefined;
  let special: Special | undefined;
  const mark = (s: Special | undefined) => {
    if (s && special !== "unparsed") special = s === "no_command" && special === "shell" ? special : s;
  };
  while (i < words.length) {
    const word = words[i] as { value: string; dynamic: boolean };
    const w = word.value;
    if (word.dynamic) return { kind: "unparsed", end: i };
    if (w === "--") {
      i++;
      break;
    }
    if (spec.assignments && /^[A-Za-z_][A-Za-z0-9_]*=/.test(w)) {
      onAssignment(i);
      i++;
      continue;
    }
    if (spec.assignments && w === "-") {
      i++;
      continue;
    }
    if (!w.startsWith("-") || w === "-") break;
    if (w.startsWith("--")) {
      const eq = w.indexOf("=");
      const name = eq > 0 ? w.slice(0, eq) : w;
      const kind = spec.long[name];
      if (!kind) return { kind: "unparsed", end: i };
      mark(spec.special?.[name]);
      if (name === "--replace") replace = eq > 0 ? w.slice(eq + 1) : "{}";
      i += kind === "value" && eq < 0 ? 2 : 1;
      continue;
    }
    let consumed = 1;
    for (let j = 1; j < w.length; j++) {
      const c = w[j] as string;
      const kind = spec.digits && c >= "0" && c <= "9" ? "flag" : spec.short[c];
      if (!kind) return { kind: "unparsed", end: i };
      mark(spec.special?.[c]);
      if (kind === "flag") continue;
      const attached = w.slice(j + 1);
      if (kind === "value" && attached === "") consumed = 2;
      if (c === "I") replace = attached || (words[i + 1]?.value ?? "");
      if (c === "i") replace = attached || "{}";
      break;
    }
    i += consumed;
  }
  if (special === "unparsed" || special === "shell") return { kind: special, end: i };
  if (special === "no_command") return { kind: "no_command", end: i };
  i += spec.leading ?? 0;
  if (i >= words.length) return { kind: "no_command", end: words.length };
  return replace === undefined ? { kind: "command", end: i } : { kind: "command", end: i, replace };
}
