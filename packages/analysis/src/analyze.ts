// A tool call in, a CommandAnalysis out. An argv is executed without a shell, so its words are literal;
// only a shell given a script (bash -lc "…") has that script parsed. Wrappers, paths and git's global
// options are looked through; every simple command becomes a part.
import { createRequire } from "node:module";
import type { ToolExecutionRequest } from "@workspace-ops/contracts";
import { grammarVersion, loadShellParser, type ShellParser } from "./parser.js";
import { walkTree } from "./script.js";
import {
  type AnalysisUnknown,
  type Assignment,
  type CommandAnalysis,
  type CommandPart,
  type CommandRedirect,
  type Operator,
  unknownOf,
  type Word,
  type Wrapper,
} from "./types.js";
import { staticWord } from "./words.js";
import { gitGlobal, scanWrapper, shellSpec, shells, wrappers } from "./wrappers.js";

const ownVersion = (createRequire(import.meta.url)("../package.json") as { version: string }).version;
export const analyzerName = `@workspace-ops/analysis ${ownVersion}; tree-sitter-bash ${grammarVersion}`;

export interface AnalysisLimits {
  /** Characters of one script; longer ones are unknown (too_large). Default 16384. */
  maxScriptChars: number;
  /** Shells inside shells (bash -c "sh -c '…'"). Default 4. */
  maxShellDepth: number;
  /** Parts of one call; more make it unknown (too_many_parts). Default 256. */
  maxParts: number;
  /** Nesting of the syntax tree. Default 128. */
  maxSyntaxDepth: number;
  /**
   * Milliseconds one parse may take; a slower one is unknown (timeout). Default 1000: a backstop for a
   * pathological input only — the size and depth bounds keep a normal parse far below it (about 50 µs
   * for 200 characters), so the verdict does not depend on how loaded the machine is.
   */
  parseTimeoutMs: number;
}

export const defaultLimits: AnalysisLimits = {
  maxScriptChars: 16384,
  maxShellDepth: 4,
  maxParts: 256,
  maxSyntaxDepth: 128,
  parseTimeoutMs: 1000,
};

export interface Analyzer {
  /** A shell tool call's argv, executed without a shell. */
  analyzeArgv(argv: readonly string[]): CommandAnalysis;
  /** A script run by /bin/sh -c (an execution step with shell: true). */
  analyzeScript(script: string): CommandAnalysis;
  /** A request's tool: shell argv, or an MCP tool (nothing to analyse). */
  analyzeTool(tool: ToolExecutionRequest["tool"]): CommandAnalysis;
  /** An execution step: its argv, or with shell: true its script (argv[0], run by /bin/sh -c). */
  analyzeStep(step: { argv: readonly string[]; shell?: boolean | undefined }): CommandAnalysis;
  /** Loads the shell parser, if this analyzer was loaded without it (see ShellParserNeeded). */
  loadParser(): Promise<void>;
}

/**
 * Thrown by an analyzer loaded with `parser: "when-needed"` when what it analyses has a script to parse
 * and the parser is not loaded yet: load it (`loadParser`) and analyse again.
 */
export class ShellParserNeeded extends Error {
  override name = "ShellParserNeeded";
  constructor() {
    super("the shell parser is needed and not loaded yet");
  }
}

/**
 * Returns an analyzer; analysing is synchronous. The shell parser (tree-sitter, once per process) is
 * loaded now, or with `parser: "when-needed"` only by `loadParser`: most argv have no script in them,
 * and loading the parser is most of a cold analysis. The analyses are the same either way.
 */
export async function loadAnalyzer(
  limits: Partial<AnalysisLimits> = {},
  options: { parser?: "now" | "when-needed" } = {},
): Promise<Analyzer> {
  let loaded = options.parser === "when-needed" ? undefined : await loadShellParser();
  const parser: ShellParser = {
    parse(script, deadlineMs) {
      if (!loaded) throw new ShellParserNeeded();
      return loaded.parse(script, deadlineMs);
    },
  };
  const bounds = { ...defaultLimits, ...limits };
  const analyzeArgv = (argv: readonly string[]) => {
    const b = new Builder(parser, bounds);
    b.command(argv.map(staticWord), rootContext);
    return b.result({ source: "argv", argv: [...argv] });
  };
  const analyzeScript = (script: string) => {
    const b = new Builder(parser, bounds);
    b.script(script, rootContext, (u) => b.unknown.push(u));
    return b.result({ source: "script", script: script.slice(0, bounds.maxScriptChars) });
  };
  return {
    loadParser: async () => {
      loaded ??= await loadShellParser();
    },
    analyzeArgv,
    analyzeScript,
    analyzeStep: (step) => (step.shell === true ? analyzeScript(step.argv[0] ?? "") : analyzeArgv(step.argv)),
    analyzeTool: (tool) =>
      tool.kind === "shell" && tool.argv
        ? analyzeArgv(tool.argv)
        : new Builder(parser, bounds).result({ source: "mcp" }),
  };
}

/** What a command inherits from the shell or wrappers around it. */
interface Context {
  wrappers: Wrapper[];
  assignments: Assignment[];
  redirects: CommandRedirect[];
  via: string[];
  dynamicTail: boolean;
  depth: number;
}

const rootContext: Context = {
  wrappers: [],
  assignments: [],
  redirects: [],
  via: [],
  dynamicTail: false,
  depth: 0,
};

const baseName = (program: string) => program.slice(program.lastIndexOf("/") + 1);

class Builder {
  readonly parts: CommandPart[] = [];
  readonly operators: Operator[] = [];
  readonly unknown: AnalysisUnknown[] = [];
  #truncated = false;

  constructor(
    private readonly parser: ShellParser,
    private readonly limits: AnalysisLimits,
  ) {}

  result(source: Pick<CommandAnalysis, "source"> & Partial<Pick<CommandAnalysis, "argv" | "script">>) {
    return {
      kind: "CommandAnalysis",
      apiVersion: "workspace-ops.dev/v1",
      analyzer: analyzerName,
      ...source,
      parts: this.parts,
      operators: this.operators.slice(0, 512),
      unknown: this.unknown.slice(0, 64),
    } as CommandAnalysis;
  }

  /** Parses a script and adds its parts; `onUnknown` takes what belongs to the script as a whole. */
  script(script: string, ctx: Context, onUnknown: (u: AnalysisUnknown) => void) {
    if (script.length > this.limits.maxScriptChars) {
      onUnknown(
        unknownOf(
          "too_large",
          `a script of ${script.length} characters (the limit is ${this.limits.maxScriptChars})`,
        ),
      );
      return;
    }
    const tree = this.parser.parse(script, this.limits.parseTimeoutMs);
    if (!tree) {
      onUnknown(unknownOf("timeout", `parsing took longer than ${this.limits.parseTimeoutMs} ms`));
      return;
    }
    try {
      if (tree.rootNode.hasError) {
        onUnknown(unknownOf("parse_error", firstError(tree.rootNode) ?? script));
        return;
      }
      const walk = walkTree(tree.rootNode, this.limits.maxSyntaxDepth);
      for (const u of walk.unknown) onUnknown(u);
      for (const item of walk.items) {
        if ("operator" in item) this.operators.push(item.operator);
        else {
          const { words, assignments, redirects, unknown } = item.command;
          this.command(
            words,
            {
              ...ctx,
              assignments: [...ctx.assignments, ...assignments.map(({ name, word }) => assigned(name, word))],
              redirects: [...ctx.redirects, ...redirects],
            },
            unknown,
          );
        }
      }
    } finally {
      tree.delete();
    }
  }

  /** One simple command: looks through wrappers and shells, then adds the part it runs. */
  command(words: Word[], ctx: Context, unknownIn: AnalysisUnknown[] = []) {
    const unknown = [...unknownIn];
    const wrappersSeen = [...ctx.wrappers];
    const assignments = [...ctx.assignments];
    let dynamicTail = ctx.dynamicTail;
    let replace: string | undefined;
    let i = 0;
    const emit = (part: Omit<CommandPart, "index">) =>
      this.add({
        ...part,
        ...(wrappersSeen.length ? { wrappers: wrappersSeen } : {}),
        ...(assignments.length ? { assignments } : {}),
        ...(ctx.redirects.length ? { redirects: ctx.redirects } : {}),
        ...(ctx.via.length ? { via: ctx.via } : {}),
        ...(dynamicTail ? { dynamicTail: true } : {}),
        ...(unknown.length || part.unknown?.length ? { unknown: [...unknown, ...(part.unknown ?? [])] } : {}),
      });
    const plain = (from: number, extra: Partial<CommandPart> = {}) => {
      const word = words[from] as Word;
      const program = baseName(word.value);
      emit({ ...programPart(program, word.value, words.slice(from + 1), replace), ...extra });
    };

    for (;;) {
      const word = words[i];
      if (!word) {
        emit({ argv: [] });
        return;
      }
      if (word.dynamic || word.unknown.length) {
        emit({
          argv: words.slice(i).map((w) => w.value),
          unknown: [unknownOf("dynamic_program", word.value)],
        });
        return;
      }
      const program = baseName(word.value);
      const spec = wrappers[program];
      if (spec && (!spec.subcommands || spec.subcommands.includes(words[i + 1]?.value ?? ""))) {
        const start = spec.subcommands ? i + 1 : i;
        const scan = scanWrapper(spec, words, start, (k) => {
          const [name, ...value] = (words[k] as Word).value.split("=");
          assignments.push({ name: name as string, value: value.join("=") });
        });
        const own = { program, argv: words.slice(i, scan.end).map((w) => w.value) };
        if (scan.kind === "command") {
          wrappersSeen.push(own);
          if (spec.feedsArgs) dynamicTail = true;
          if (scan.replace !== undefined) replace = scan.replace;
          i = scan.end;
          continue;
        }
        if (scan.kind === "no_command" && spec.defaultCommand) {
          wrappersSeen.push(own);
          dynamicTail = true;
          emit({ program: spec.defaultCommand, argv: [spec.defaultCommand] });
          return;
        }
        const code =
          scan.kind === "shell" ? "shell_stdin" : scan.kind === "unparsed" ? "wrapper_unparsed" : undefined;
        plain(i, code ? { unknown: [unknownOf(code, words.map((w) => w.value).join(" "))] } : {});
        return;
      }
      if (shells.has(program))
        return this.shell(words, i, ctx, { emit, plain, wrappersSeen, assignments, dynamicTail, replace });
      if (program === "git") {
        const { globalOptions, end } = gitGlobalOptions(words, i + 1);
        emit({
          ...programPart(program, word.value, words.slice(end), replace),
          ...(globalOptions.length ? { globalOptions } : {}),
        });
        return;
      }
      if (program === "eval")
        unknown.push(
          unknownOf(
            "eval",
            words
              .slice(i)
              .map((w) => w.value)
              .join(" "),
          ),
        );
      plain(i);
      return;
    }
  }

  /** bash|sh|zsh|dash|ksh [options] -c SCRIPT: the script's own parts; a file operand: the shell itself. */
  private shell(
    words: Word[],
    i: number,
    ctx: Context,
    at: {
      emit: (part: Omit<CommandPart, "index">) => void;
      plain: (from: number, extra?: Partial<CommandPart>) => void;
      wrappersSeen: Wrapper[];
      assignments: Assignment[];
      dynamicTail: boolean;
      replace: string | undefined;
    },
  ) {
    const program = baseName((words[i] as Word).value);
    const label = [program];
    let script = false;
    let stdin = false;
    let j = i + 1;
    const unknown = (code: AnalysisUnknown["code"]) =>
      at.plain(i, {
        unknown: [
          unknownOf(
            code,
            words
              .slice(i)
              .map((w) => w.value)
              .join(" "),
          ),
        ],
      });
    while (j < words.length) {
      const w = words[j] as Word;
      if (w.dynamic) return unknown("dynamic_script");
      const v = w.value;
      if (v === "--" || v === "-") {
        j++;
        break;
      }
      if (v.startsWith("--")) {
        if (shellSpec.longValue.has(v)) j += 2;
        else if (shellSpec.longFlag.has(v)) j++;
        else return unknown("wrapper_unparsed");
        label.push(v);
        continue;
      }
      if (!(v.startsWith("-") || v.startsWith("+")) || v.length < 2) break;
      let takesValue = false;
      for (const c of v.slice(1)) {
        if (c === "c") script = true;
        else if (c === "s" || c === "i") stdin = true;
        else if (c === "o" || c === "O") takesValue = true;
        else if (!/[A-Za-z]/.test(c)) return unknown("wrapper_unparsed");
      }
      label.push(v);
      if (takesValue) label.push(words[j + 1]?.value ?? "");
      j += takesValue ? 2 : 1;
    }
    if (script && !stdin) {
      const body = words[j];
      if (!body) return unknown("shell_stdin");
      if (
        body.dynamic ||
        body.unknown.length ||
        (at.replace !== undefined && body.value.includes(at.replace))
      )
        return unknown("dynamic_script");
      const inner: Context = {
        wrappers: at.wrappersSeen,
        assignments: at.assignments,
        redirects: ctx.redirects,
        via: [...ctx.via, label.join(" ")],
        dynamicTail: at.dynamicTail,
        depth: ctx.depth + 1,
      };
      if (inner.depth > this.limits.maxShellDepth) return unknown("too_deep");
      this.script(body.value, inner, (u) => at.plain(i, { unknown: [u] }));
      return;
    }
    if (stdin || j >= words.length) return unknown("shell_stdin");
    at.plain(i); // a script file: the policy classifies the shell running it
  }

  private add(part: Omit<CommandPart, "index">) {
    if (this.parts.length >= this.limits.maxParts) {
      if (!this.#truncated)
        this.unknown.push(unknownOf("too_many_parts", `more than ${this.limits.maxParts} commands`));
      this.#truncated = true;
      return;
    }
    this.parts.push({ index: this.parts.length, ...part } as CommandPart);
  }
}

function assigned(name: string, word: Word): Assignment {
  return word.dynamic ? { name } : { name, value: word.value };
}

/** program, path and normalized argv of a part; dynamicArgs from its words (and xargs' -I string). */
function programPart(program: string, written: string, args: Word[], replace: string | undefined) {
  const dynamicArgs = args.flatMap((w, k) =>
    w.dynamic || (replace !== undefined && replace !== "" && w.value.includes(replace)) ? [k + 1] : [],
  );
  return {
    program,
    ...(written !== program ? { path: written } : {}),
    argv: [program, ...args.map((w) => w.value)],
    ...(dynamicArgs.length ? { dynamicArgs } : {}),
  };
}

function gitGlobalOptions(words: Word[], from: number) {
  const globalOptions: string[] = [];
  let j = from;
  while (j < words.length) {
    const w = words[j] as Word;
    if (w.dynamic) break;
    const v = w.value;
    const name = v.includes("=") ? v.slice(0, v.indexOf("=")) : v;
    if (gitGlobal.value.has(v) && j + 1 < words.length) {
      globalOptions.push(v, (words[j + 1] as Word).value);
      j += 2;
    } else if (v.includes("=") && (gitGlobal.value.has(name) || gitGlobal.attachedOnly.has(name))) {
      globalOptions.push(v);
      j++;
    } else if (gitGlobal.flag.has(v)) {
      globalOptions.push(v);
      j++;
    } else break;
  }
  return { globalOptions, end: j };
}

function firstError(root: import("web-tree-sitter").Node): string | undefined {
  const bad = root.descendantsOfType("ERROR")[0];
  if (bad) return bad.text;
  // A MISSING node has no ERROR ancestor; show the statement that lacks it.
  const cursor = root.walk();
  try {
    for (;;) {
      const node = cursor.currentNode;
      if (node.isMissing) return `missing ${node.type} at character ${node.startIndex}`;
      if (node.hasError && cursor.gotoFirstChild()) continue;
      while (!cursor.gotoNextSibling()) if (!cursor.gotoParent()) return undefined;
    }
  } finally {
    cursor.delete();
  }
}
