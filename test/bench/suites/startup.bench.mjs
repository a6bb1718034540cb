// @ts-check
// Cold start of every wsops command: a fresh `node packages/cli/bin/wsops.js …` process, wall time to
// its exit, against a fresh `node -e 0` — interleaved, one of each per round, p50 over the rounds.
//
// `wsops <command> --help` for every command (what loading the command costs), and the commands a hook
// or a person runs: `exec --sandbox process -- /bin/true` (durability full, as shipped, and relaxed),
// the Claude Code hook stdin → stdout (a Read, a Bash command, a PostToolUse), `wsops decide`, a
// decision from `policy eval` on a fixture, `status`, `audit verify`, `validate`. A command runs from the
// CLI's bundle with its V8 code cache (in the scratch state root), which an untimed first run of each
// case writes (as a user's first call does); exec and a Read hook also run from the ES modules (WSOPS_CODE_CACHE=0) side by side.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath, pathToFileURL } from "node:url";
import { median, significant } from "../lib/measure.mjs";

export const suite = "startup";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..", "..");
const bin = join(root, "packages", "cli", "bin", "wsops.js");

/**
 * @param {string[]} args @param {string} cwd @param {number[]} ok exit codes that are not a failure
 * @param {string | (() => string)} [input] standard input (a function: made new for each run)
 * @param {Record<string, string>} [extraEnv]
 */
function time(args, cwd, ok = [0], input = "", extraEnv = {}) {
  const env = { ...process.env, ...extraEnv };
  delete env.NODE_COMPILE_CACHE; // Node >= 22 would turn a cold start into a warm one
  delete env.WSOPS_STORE_URL;
  const stdin = typeof input === "function" ? input() : input;
  const t = performance.now();
  const child = spawnSync(process.execPath, args, {
    cwd,
    env,
    input: stdin,
    encoding: "utf8",
    timeout: 60_000,
  });
  const ms = performance.now() - t;
  if (child.error) throw child.error;
  if (!ok.includes(/** @type {number} */ (child.status)))
    throw new Error(`node ${args.join(" ")} exited ${child.status ?? child.signal}:\n${child.stderr}`);
  return ms;
}

/** Stops the hook servers the rounds started (each wrote its pid beside its socket). @param {string} dir */
function stopHookServers(dir) {
  if (!existsSync(dir)) return;
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".pid"))) {
    try {
      process.kill(Number(readFileSync(join(dir, file), "utf8")), "SIGTERM");
    } catch {
      // already gone
    }
  }
}

/** @param {import("../run.mjs").Context} ctx */
export async function run(ctx) {
  const rounds = ctx.quick ? 3 : 15;
  const workspace = mkdtempSync(join(tmpdir(), "wsops-bench-startup-"));
  // The workspace's state goes to a scratch directory, never the real ~/.local/state; so do the
  // hook servers' sockets (in the state root), and the servers stop once the rounds are over.
  const savedStateDir = process.env.WSOPS_STATE_DIR;
  const savedStateHome = process.env.XDG_STATE_HOME;
  process.env.WSOPS_STATE_DIR = mkdtempSync(join(tmpdir(), "wsops-bench-startup-state-"));
  process.env.XDG_STATE_HOME = mkdtempSync(join(tmpdir(), "wsops-bench-startup-home-"));
  process.env.WSOPS_HOOK_SERVER_IDLE_SECONDS = "600";
  try {
    writeFileSync(join(workspace, "notes.txt"), "hello\n");
    // A workspace with some history, so status and audit verify have something to read.
    for (let i = 0; i < 3; i++) time([bin, "exec", "--sandbox", "process", "--", "/bin/true"], workspace);
    const started = spawnSync(
      process.execPath,
      [bin, "exec", "--json", "--sandbox", "process", "--", "/bin/true"],
      {
        cwd: workspace,
        encoding: "utf8",
      },
    );
    const id = JSON.parse(started.stdout).toolExecutionId;
    const fixture = JSON.parse(
      readFileSync(
        join(root, "policy-fixtures", "tool_execution", "allow-absolute-path-builtin.json"),
        "utf8",
      ),
    );
    writeFileSync(join(workspace, "input.json"), JSON.stringify(fixture.input));
    cpSync(
      join(root, "examples", "ToolExecutionRequest", "valid", "mcp-read-file.json"),
      join(workspace, "request.json"),
    );
    const { commands } = await import(
      pathToFileURL(join(root, "packages", "cli", "dist", "registry.js")).href
    );

    // Claude Code hook inputs (each run a new tool_use_id, as Claude Code sends them).
    let uses = 0;
    /** @param {string} event @param {string} tool @param {object} toolInput @param {object} [extra] */
    const hookInput =
      (event, tool, toolInput, extra = {}) =>
      () =>
        JSON.stringify({
          session_id: "bench-session",
          transcript_path: join(workspace, "transcript.jsonl"),
          cwd: workspace,
          permission_mode: "default",
          hook_event_name: event,
          tool_name: tool,
          tool_input: toolInput,
          tool_use_id: `toolu_bench_${++uses}`,
          ...extra,
        });
    const read = hookInput("PreToolUse", "Read", { file_path: join(workspace, "notes.txt") });
    const bash = hookInput("PreToolUse", "Bash", { command: "git status --short && ls" });
    // A PostToolUse of a Read decided just before (its id is the one the last Read got).
    const post = () => {
      const pre = JSON.parse(read());
      time([bin, "hook", "claude-code"], workspace, [0], JSON.stringify(pre));
      return JSON.stringify({
        ...pre,
        hook_event_name: "PostToolUse",
        tool_response: { file: { content: "hello\n" } },
      });
    };
    const decideRequest = () => {
      const request = JSON.parse(readFileSync(join(workspace, "request.json"), "utf8"));
      return JSON.stringify({ ...request, toolExecutionId: `texec-bench-${++uses}` });
    };

    const modules = { WSOPS_CODE_CACHE: "0" };
    /** @type {[string, string[], number[], string, string, (string | (() => string))?, Record<string, string>?][]} name, args, exit codes, target, note, stdin, env */
    const cases = [
      ["wsops --help", ["--help"], [0], "≤ 1.5", "imports no command"],
      ...Object.keys(commands).map(
        (name) =>
          /** @type {[string, string[], number[], string, string]} */ ([
            `wsops ${name} --help`,
            [name, "--help"],
            [0],
            "(none)",
            "loads the command's module",
          ]),
      ),
      [
        "wsops exec --sandbox process -- /bin/true",
        ["exec", "--sandbox", "process", "--", "/bin/true"],
        [0],
        "≤ node -e 0 + 80 ms",
        "durability full (as shipped): validate, decide, two fsynced commits, run",
      ],
      [
        "wsops exec --sandbox process -- /bin/true, from the ES modules (WSOPS_CODE_CACHE=0)",
        ["exec", "--sandbox", "process", "--", "/bin/true"],
        [0],
        "(none)",
        "as above, without the bundle and its code cache: what a start cost before them",
        "",
        modules,
      ],
      [
        "wsops exec --durability relaxed --sandbox process -- /bin/true",
        ["exec", "--durability", "relaxed", "--sandbox", "process", "--", "/bin/true"],
        [0],
        "≤ node -e 0 + 80 ms",
        "relaxed commits",
      ],
      [
        "wsops hook claude-code, PreToolUse Read (stdin to stdout)",
        ["hook", "claude-code"],
        [0],
        "≤ node -e 0 + 60 ms",
        "validate, resolve the path, decide, one fsynced commit; no shell parser",
        read,
      ],
      [
        "wsops hook claude-code, PreToolUse Read, from the ES modules (WSOPS_CODE_CACHE=0)",
        ["hook", "claude-code"],
        [0],
        "(none)",
        "as above, without the bundle and its code cache",
        read,
        modules,
      ],
      [
        "wsops hook claude-code, PreToolUse Bash (stdin to stdout)",
        ["hook", "claude-code"],
        [0],
        "≤ node -e 0 + 60 ms",
        "as Read, and the shell parser (tree-sitter) loaded and run",
        bash,
      ],
      [
        "wsops hook claude-code --server, PreToolUse Read (stdin to stdout, the server warm)",
        ["hook", "claude-code", "--server"],
        [0],
        "≤ node -e 0 + 60 ms",
        "forwarded to the warm hook server over its socket, which decides and records",
        read,
      ],
      [
        "wsops hook claude-code --server, PreToolUse Bash (stdin to stdout, the server warm)",
        ["hook", "claude-code", "--server"],
        [0],
        "≤ node -e 0 + 60 ms",
        "as Read, the shell parser already loaded in the server",
        bash,
      ],
      [
        "wsops hook claude-code, PostToolUse (stdin to stdout)",
        ["hook", "claude-code"],
        [0],
        "(none)",
        "records the outcome of the Read decided just before (not timed)",
        post,
      ],
      [
        "wsops decide (one request on stdin)",
        ["decide"],
        [1],
        "≤ node -e 0 + 60 ms",
        "an MCP call (no grant: deny), decided and recorded",
        decideRequest,
      ],
      [
        "wsops policy eval (a cold decision, no state)",
        ["policy", "eval", "--input", "input.json"],
        [0],
        "(none)",
        "the policy alone: no store, no request validation",
      ],
      ["wsops status ID", ["status", id], [0], "(none)", "opens the store, reads one stream"],
      [
        "wsops audit verify",
        ["audit", "verify"],
        [0],
        "(none)",
        "opens the store, verifies the chain (a few dozen records)",
      ],
      ["wsops validate FILE", ["validate", "request.json"], [0], "(none)", "one ToolExecutionRequest"],
    ];
    // The hook server is started by a first hook (not timed), and warm before the rounds.
    time([bin, "hook", "claude-code", "--server"], workspace, [0], read());
    for (
      let wait = 0;
      wait < 100 && !existsSync(join(/** @type {string} */ (process.env.XDG_STATE_HOME), "wsops", "hooks"));
      wait++
    )
      await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 2000));
    time([bin, "hook", "claude-code", "--server"], workspace, [0], bash());
    // Each command's first run writes its code cache (not timed).
    for (const [, args, ok, , , input, env] of cases) time([bin, ...args], workspace, ok, input, env);
    ctx.progress(`${cases.length} commands and node -e 0, ${rounds} interleaved rounds of fresh processes`);
    /** @type {number[]} */
    const node = [];
    /** @type {number[][]} */
    const samples = cases.map(() => []);
    for (let r = 0; r < rounds; r++) {
      node.push(time(["-e", "0"], workspace));
      for (const [k, [, args, ok, , , input, env]] of cases.entries()) {
        /** @type {number[]} */ (samples[k]).push(time([bin, ...args], workspace, ok, input, env));
        if (k % 4 === 3) node.push(time(["-e", "0"], workspace));
      }
    }
    const anchor = median(node);
    return cases.map(([name, , , target, note], k) => {
      const p50 = median(/** @type {number[]} */ (samples[k]));
      const plus = target.match(/\+ (\d+) ms/);
      const limit = plus ? anchor + Number(plus[1]) : target.startsWith("≤ 1.5") ? anchor * 1.5 : null;
      const verdict =
        limit === null
          ? ""
          : `${p50 <= limit ? "met" : "missed"} (${p50.toFixed(1)} ms vs ${limit.toFixed(1)} ms allowed); `;
      return {
        name: `cold start, ${name}, p50 (lower is better)`,
        value: significant(p50),
        unit: "ms",
        anchor: "node -e 0, fresh process, p50 in the same rounds",
        anchorValue: significant(anchor),
        target,
        note: `${verdict}${note}; ${rounds} rounds`,
      };
    });
  } finally {
    stopHookServers(join(/** @type {string} */ (process.env.XDG_STATE_HOME), "wsops", "hooks"));
    rmSync(workspace, { recursive: true, force: true });
    rmSync(/** @type {string} */ (process.env.WSOPS_STATE_DIR), { recursive: true, force: true });
    rmSync(/** @type {string} */ (process.env.XDG_STATE_HOME), { recursive: true, force: true });
    delete process.env.WSOPS_HOOK_SERVER_IDLE_SECONDS;
    if (savedStateDir === undefined) delete process.env.WSOPS_STATE_DIR;
    else process.env.WSOPS_STATE_DIR = savedStateDir;
    if (savedStateHome === undefined) delete process.env.XDG_STATE_HOME;
    else process.env.XDG_STATE_HOME = savedStateHome;
  }
}
