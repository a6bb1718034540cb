// The analyzer on its own: whole results for each construct, the bounds, and the contract.
import { validate } from "@workspace-ops/contracts";
import { beforeAll, describe, expect, it } from "vitest";
import { type Analyzer, analyzerName, loadAnalyzer, ShellParserNeeded } from "./index.js";

let analyzer: Analyzer;
beforeAll(async () => {
  analyzer = await loadAnalyzer();
});

const shell = (script: string) => analyzer.analyzeArgv(["bash", "-lc", script]);
const parts = (script: string) => shell(script).parts;
const head = { kind: "CommandAnalysis", apiVersion: "workspace-ops.dev/v1", analyzer: analyzerName };

describe("an analyzer loaded with the parser when needed", () => {
  it("analyses an argv without a script as the eager one does, and asks for the parser for a script", async () => {
    const lazy = await loadAnalyzer({}, { parser: "when-needed" });
    const argv = ["sudo", "env", "LANG=C", "git", "-C", "/repo", "push", "--force"];
    expect(lazy.analyzeArgv(argv)).toEqual(analyzer.analyzeArgv(argv));
    expect(lazy.analyzeTool({ kind: "mcp", name: "read_file", server: "fs", sanitizedArgs: {} })).toEqual(
      analyzer.analyzeTool({ kind: "mcp", name: "read_file", server: "fs", sanitizedArgs: {} }),
    );
    const script = ["bash", "-lc", "git status --short && ls | wc -l"];
    expect(() => lazy.analyzeArgv(script)).toThrow(ShellParserNeeded);
    expect(() => lazy.analyzeStep({ argv: ["ls -l"], shell: true })).toThrow(ShellParserNeeded);
    await lazy.loadParser();
    expect(lazy.analyzeArgv(script)).toEqual(analyzer.analyzeArgv(script));
    expect(lazy.analyzeStep({ argv: ["ls -l"], shell: true })).toEqual(
      analyzer.analyzeStep({ argv: ["ls -l"], shell: true }),
    );
  });
});

describe("an argv (executed without a shell)", () => {
  it("is one part with its words literal", () => {
    expect(analyzer.analyzeArgv(["echo", "$(whoami)", "; rm -rf /"])).toEqual({
      ...head,
      source: "argv",
      argv: ["echo", "$(whoami)", "; rm -rf /"],
      parts: [{ index: 0, program: "echo", argv: ["echo", "$(whoami)", "; rm -rf /"] }],
      operators: [],
      unknown: [],
    });
  });

  it("looks through wrappers, assignments, paths and git's global options, recursively", () => {
    expect(
      analyzer.analyzeArgv([
        "sudo",
        "-u",
        "deploy",
        "env",
        "-i",
        "LANG=C",
        "/usr/bin/timeout",
        "-s",
        "KILL",
        "5",
        "nice",
        "-n",
        "3",
        "git",
        "-C",
        "repo",
        "-c",
        "core.pager=cat",
        "--no-pager",
        "push",
        "--force",
      ]).parts,
    ).toEqual([
      {
        index: 0,
        program: "git",
        argv: ["git", "push", "--force"],
        globalOptions: ["-C", "repo", "-c", "core.pager=cat", "--no-pager"],
        wrappers: [
          { program: "sudo", argv: ["sudo", "-u", "deploy"] },
          { program: "env", argv: ["env", "-i", "LANG=C"] },
          { program: "timeout", argv: ["/usr/bin/timeout", "-s", "KILL", "5"] },
          { program: "nice", argv: ["nice", "-n", "3"] },
        ],
        assignments: [{ name: "LANG", value: "C" }],
      },
    ]);
  });

  it("keeps the path a program was named by", () => {
    expect(analyzer.analyzeArgv(["./rm", "x"]).parts).toEqual([
      { index: 0, program: "rm", path: "./rm", argv: ["rm", "x"] },
    ]);
  });

  it("feeds xargs' command arguments unknown until run time, marking the -I string", () => {
    expect(analyzer.analyzeArgv(["xargs", "-0", "-I", "{}", "cp", "{}", "backup/"]).parts).toEqual([
      {
        index: 0,
        program: "cp",
        argv: ["cp", "{}", "backup/"],
        dynamicArgs: [1],
        dynamicTail: true,
        wrappers: [{ program: "xargs", argv: ["xargs", "-0", "-I", "{}"] }],
      },
    ]);
    expect(analyzer.analyzeArgv(["xargs"]).parts).toEqual([
      {
        index: 0,
        program: "echo",
        argv: ["echo"],
        dynamicTail: true,
        wrappers: [{ program: "xargs", argv: ["xargs"] }],
      },
    ]);
  });

  it("does not look through a wrapper whose options it cannot read, or that runs a shell", () => {
    expect(analyzer.analyzeArgv(["sudo", "--bogus", "rm", "x"]).parts).toEqual([
      {
        index: 0,
        program: "sudo",
        argv: ["sudo", "--bogus", "rm", "x"],
        unknown: [{ code: "wrapper_unparsed", detail: "sudo --bogus rm x" }],
      },
    ]);
    expect(analyzer.analyzeArgv(["sudo", "-s"]).parts[0]?.unknown).toEqual([
      { code: "shell_stdin", detail: "sudo -s" },
    ]);
    expect(analyzer.analyzeArgv(["env", "-S", "rm -rf x"]).parts[0]?.unknown).toEqual([
      { code: "wrapper_unparsed", detail: "env -S rm -rf x" },
    ]);
    expect(analyzer.analyzeArgv(["pnpm", "install"]).parts).toEqual([
      { index: 0, program: "pnpm", argv: ["pnpm", "install"] },
    ]);
  });

  it("parses the script of bash|sh|zsh|dash -c and friends, and no other argument", () => {
    for (const argv of [
      ["bash", "-lc", "ls"],
      ["sh", "-c", "ls"],
      ["zsh", "-o", "pipefail", "-c", "ls"],
      ["dash", "-ec", "ls", "arg0"],
      ["bash", "--norc", "-c", "ls"],
    ])
      expect(analyzer.analyzeArgv(argv).parts).toEqual([
        {
          index: 0,
          program: "ls",
          argv: ["ls"],
          via: [argv.slice(0, argv.indexOf(argv.find((a) => a === "ls") ?? "")).join(" ")],
        },
      ]);
    expect(analyzer.analyzeArgv(["bash", "script.sh", "-c", "rm x"]).parts).toEqual([
      { index: 0, program: "bash", argv: ["bash", "script.sh", "-c", "rm x"] },
    ]);
    for (const argv of [["bash"], ["bash", "-s"], ["bash", "-i"], ["sh", "-c"], ["bash", "--rcfile", "x"]])
      expect(analyzer.analyzeArgv(argv).parts[0]?.unknown?.[0]?.code).toBe("shell_stdin");
  });
});

describe("a shell script", () => {
  it("is every simple command joined by its operators, in source order", () => {
    expect(shell("a && b || c; d | e |& f & g\nh")).toMatchObject({
      parts: ["a", "b", "c", "d", "e", "f", "g", "h"].map((p, index) => ({ index, program: p })),
      operators: ["&&", "||", ";", "|", "|&", "&", "\n"],
      unknown: [],
    });
  });

  it("follows groups, subshells, loops and conditions", () => {
    expect(
      parts(
        "(cd x && ls); { pwd; }; if true; then rm a; elif false; then rm b; else rm c; fi; while read l; do echo $l; done; for f in *.md; do wc -l $f; done; ! grep -q x f; [[ -f x ]]",
      ).map((p) => p.program),
    ).toEqual(["cd", "ls", "pwd", "true", "rm", "false", "rm", "rm", "read", "echo", "wc", "grep", "[["]);
  });

  it("gives words their values: quotes, escapes, concatenations", () => {
    expect(parts(`r\\m -r"f" 'a b' "c\\"d" e\\ f g''h`)[0]).toEqual({
      index: 0,
      program: "rm",
      argv: ["rm", "-rf", "a b", 'c"d', "e f", "gh"],
      via: ["bash -lc"],
    });
  });

  it("marks words not known statically: expansions, globs, brace and tilde expansion", () => {
    expect(parts(`ls $HOME "$x" \${y} *.md a?c [ab] {a,b} x{1..3} ~/f {} '*' "{a,b}"`)[0]).toMatchObject({
      argv: [
        "ls",
        "$HOME",
        "$x",
        // biome-ignore lint/suspicious/noTemplateCurlyInString: shell text, not a template
        "${y}",
        "*.md",
        "a?c",
        "[ab]",
        "{a,b}",
        "x{1..3}",
        "~/f",
        "{}",
        "*",
        "{a,b}",
      ],
      dynamicArgs: [1, 2, 3, 4, 5, 6, 7, 8, 9],
    });
  });

  it("describes redirections: read, write, append, duplicate, close, here-documents", () => {
    expect(parts("cat < in > out 2>> err.log 2>&1 3>&- &> all; tr a b <<< text; wc <<EOF\nx\nEOF")).toEqual([
      {
        index: 0,
        program: "cat",
        argv: ["cat"],
        redirects: [
          { op: "<", kind: "read", target: "in" },
          { op: ">", kind: "write", target: "out" },
          { op: ">>", kind: "append", target: "err.log", fd: 2 },
          { op: ">&", kind: "duplicate", target: "1", fd: 2 },
          { op: ">&-", kind: "close", fd: 3 },
          { op: "&>", kind: "write", target: "all" },
        ],
        via: ["bash -lc"],
      },
      {
        index: 1,
        program: "tr",
        argv: ["tr", "a", "b"],
        redirects: [{ op: "<<<", kind: "herestring" }],
        via: ["bash -lc"],
      },
      {
        index: 2,
        program: "wc",
        argv: ["wc"],
        redirects: [{ op: "<<", kind: "heredoc" }],
        via: ["bash -lc"],
      },
    ]);
  });

  it("gives a group's redirection to every command in it, and a list's only to its last command", () => {
    const write = { op: ">", kind: "write", target: "f" };
    expect(parts("{ a; b; } > f; c && d > f; e | g > f").map((p) => [p.program, p.redirects ?? []])).toEqual([
      ["a", [write]],
      ["b", [write]],
      ["c", []],
      ["d", [write]],
      ["e", []],
      ["g", [write]],
    ]);
  });

  it("counts words after a redirection target as arguments, as bash does", () => {
    expect(parts("git diff > /dev/null --output=x")[0]?.argv).toEqual(["git", "diff", "--output=x"]);
  });

  it.each([
    ["echo $(whoami)", "command_substitution", "$(whoami)"],
    ["echo `id`", "command_substitution", "`id`"],
    ["cat <(ls)", "process_substitution", "<(ls)"],
    ["echo $((1+2))", "arithmetic", "$((1+2))"],
    // biome-ignore lint/suspicious/noTemplateCurlyInString: shell text, not a template
    ["echo ${x@P}", "expansion", "${x@P}"],
    ["a[0]=1", "arithmetic", "a[0]=1"],
    ["$CMD -rf x", "dynamic_program", "$CMD"],
    ["eval ls", "eval", "eval ls"],
    ["f() { ls; }", "function_definition", "f() { ls; }"],
    ["case x in x) ls;; esac", "unsupported_syntax", "case x in x) ls;; esac"],
    ["cat <<EOF\n$(id)\nEOF", "command_substitution", "$(id)"],
    ["x=$(id) ls", "command_substitution", "$(id)"],
    ['bash -c "$S"', "dynamic_script", "bash -c $S"],
  ])("cannot know %j: %s", (script, code, detail) => {
    const { parts: ps, unknown } = shell(script);
    expect([...unknown, ...ps.flatMap((p) => p.unknown ?? [])]).toContainEqual({
      code,
      detail: expect.stringContaining(detail),
    });
  });

  it("is unknown when it does not parse, with what failed", () => {
    expect(shell("ls &&").parts).toEqual([
      {
        index: 0,
        program: "bash",
        argv: ["bash", "-lc", "ls &&"],
        unknown: [{ code: "parse_error", detail: "missing word at character 5" }],
      },
    ]);
    expect(analyzer.analyzeScript('echo "open')).toMatchObject({
      parts: [],
      unknown: [{ code: "parse_error" }],
    });
    expect(analyzer.analyzeScript("ls 3<>f")).toMatchObject({
      parts: [],
      unknown: [{ code: "parse_error" }],
    });
  });
});

describe("bounds", () => {
  it("refuses a script longer than maxScriptChars, a shell nested too deep, too many parts", async () => {
    const small = await loadAnalyzer({ maxScriptChars: 10, maxParts: 3 });
    expect(small.analyzeScript("echo 12345678901")).toMatchObject({
      parts: [],
      unknown: [{ code: "too_large", detail: "a script of 16 characters (the limit is 10)" }],
    });
    const nesting = await loadAnalyzer({ maxShellDepth: 2 });
    expect(nesting.analyzeArgv(["sh", "-c", "sh -c 'sh -c ls'"]).parts[0]).toMatchObject({
      program: "sh",
      unknown: [{ code: "too_deep", detail: "sh -c ls" }],
    });
    expect(small.analyzeScript("a;b;c;d;e")).toMatchObject({
      parts: [{ program: "a" }, { program: "b" }, { program: "c" }],
      unknown: [{ code: "too_many_parts", detail: "more than 3 commands" }],
    });
  });

  it("refuses syntax nested deeper than maxSyntaxDepth, and a parse slower than parseTimeoutMs", async () => {
    const shallow = await loadAnalyzer({ maxSyntaxDepth: 6 });
    expect(shallow.analyzeScript("( ( ( ( ( ( ls ) ) ) ) ) )").unknown).toContainEqual({
      code: "too_deep",
      detail: "syntax nested deeper than 6",
    });
    const hurried = await loadAnalyzer({ parseTimeoutMs: 0 });
    const big = Array.from({ length: 2000 }, (_, i) => `echo ${i} | grep ${i}`).join("; ");
    expect(hurried.analyzeScript(big.slice(0, 16000))).toMatchObject({
      parts: [],
      unknown: [{ code: "timeout" }],
    });
    // The parser is usable again after a cancelled parse.
    expect(hurried.analyzeScript("ls").parts).toMatchObject([{ program: "ls" }]);
  });
});

describe("the contract", () => {
  it("every result is a valid CommandAnalysis, including MCP calls and steps", () => {
    const results = [
      analyzer.analyzeArgv(["ls"]),
      shell("a && b > f; $(x)"),
      shell("ls &&"),
      analyzer.analyzeStep({ argv: ["npm test | tail"], shell: true }),
      analyzer.analyzeStep({ argv: ["npm", "test"] }),
      analyzer.analyzeTool({ kind: "mcp", name: "read_file", server: "fs", sanitizedArgs: {} }),
    ];
    for (const r of results) expect(validate("CommandAnalysis", r)).toMatchObject({ ok: true });
    expect(results[3]).toMatchObject({
      source: "script",
      script: "npm test | tail",
      parts: [{ program: "npm" }, { program: "tail" }],
    });
    expect(results[5]).toEqual({ ...head, source: "mcp", parts: [], operators: [], unknown: [] });
  });
});
