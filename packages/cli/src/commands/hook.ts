// wsops hook claude-code | gemini-cli: an agent runtime's tool hook. A thin shell: the protocols
// are @workspace-ops/adapters', the decisions the executor's. With --server the process only
// forwards to a warm hook server (adapters/hook-client), so it imports nothing heavy unless none answers.
import { statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Io } from "../io.js";
import { UsageError } from "../io.js";
import {
  type AgentFlags,
  agentHelp,
  approveFlagsOf,
  decideOnceAndExit,
  executorOptionsOf,
  parseAgentFlags,
} from "./agent-shared.js";

export const hookUsage = `Usage: wsops hook claude-code [options]     (PreToolUse, PostToolUse, Stop, SessionEnd)
       wsops hook gemini-cli [options]      (BeforeTool, AfterTool, AfterAgent, SessionEnd)

An agent runtime's tool hook: reads the hook's JSON on standard input. Before a tool runs, the call
(Bash, Read, Write, Edit, MultiEdit, NotebookEdit, Glob, Grep, WebFetch, WebSearch, mcp__SERVER__TOOL;
Gemini's run_shell_command, read_file, write_file, replace, glob, search_file_content, list_directory,
read_many_files, web_fetch, google_web_search, MCP tools) is decided under the workspace's profile,
grants and approvals, and the answer is the runtime's: allow, deny (also for a call that waits for an
approval: the reason names it and the command that approves it; the same call retried after the
approval goes through once), or ask (when the profile leaves approvals to the runtime's prompt). After
the tool ran, how it ended is recorded. Other tools get no opinion. At the end of a turn or session
(Claude Code's Stop and SessionEnd, Gemini's AfterAgent and SessionEnd), the conversation of its
transcript (transcript_path) is attached to the session, only the messages it does not hold yet.
Set-ups: docs/integrations.md.

Options:
  --server             forward to a warm hook server for these options (started by the first hook
                       that finds none; it exits after 10 idle minutes): the hook then loads almost
                       nothing. Without a server answering, the hook decides in its own process.
${agentHelp}

Exit codes: 0 answered (the answer is on standard output); 2 in governed mode when the input is
malformed, the state cannot be opened or the policy cannot decide (one line on standard error; both
runtimes then block the tool). In observe mode always 0. The end of a turn or session always exits 0 (a
transcript that cannot be read or recorded is one line on standard error).
`;

/** The environment a runtime gives its hook that the answer may depend on (its project folder). */
const HOOK_ENV = ["CLAUDE_PROJECT_DIR", "GEMINI_PROJECT_DIR"] as const;

export async function hookCommand(argv: string[], io: Io): Promise<number> {
  const { flags, values, positionals } = parseAgentFlags(argv, {
    server: { type: "boolean" },
    serve: { type: "boolean" },
  });
  const [runtime, ...rest] = positionals;
  if (rest.length) throw new UsageError(`unexpected ${rest[0]}`);
  if (runtime !== "claude-code" && runtime !== "gemini-cli")
    throw new UsageError("name the runtime: wsops hook claude-code, or wsops hook gemini-cli");
  // What makes one server (what it decides with): the flags, without --server/--serve themselves.
  const key = [runtime, ...argv.filter((a) => a !== "--server" && a !== "--serve" && a !== runtime)];
  if (values.serve === true) return serve(runtime, flags, key);

  const stdin = await io.readStdin();
  if (values.server === true && stdin.trim() !== "") {
    const client = await import("@workspace-ops/adapters/hook-client");
    const socket = await socketPath(key);
    const env = Object.fromEntries(HOOK_ENV.map((name) => [name, process.env[name]]));
    const answered = socket ? await client.askServer(socket, { stdin, env }) : null;
    if (answered) return print(io, answered);
    if (socket && process.argv[1]) client.startServer([process.argv[1], "hook", ...key, "--serve"]);
  }
  decideOnceAndExit();
  const hooks = await import("@workspace-ops/adapters/hooks");
  const { Executor } = await import("@workspace-ops/executor");
  return print(
    io,
    await hooks.runHook(stdin, {
      ...(await hookOptions(runtime, flags)),
      open: (root) => Executor.open(executorOptionsOf(flags, root)),
    }),
  );
}

function print(io: Io, result: { exitCode: number; stdout: string; stderr: string }): number {
  if (result.stdout) io.stdout(result.stdout);
  if (result.stderr) io.stderr(result.stderr);
  return result.exitCode;
}

async function hookOptions(runtime: "claude-code" | "gemini-cli", flags: AgentFlags) {
  const hooks = await import("@workspace-ops/adapters/hooks");
  return {
    protocol: runtime === "claude-code" ? hooks.claudeCode : hooks.geminiCli,
    mode: flags.mode,
    approveFlags: (workspaceRoot: string) => approveFlagsOf(flags, workspaceRoot),
    ...(flags.workspace ? { workspace: flags.workspace } : {}),
    ...(flags.actor ? { actor: flags.actor } : {}),
    ...(flags.profile ? { profileId: flags.profile } : {}),
  };
}

/** The environment a server keeps from the hook that started it, and that decides where state is. */
const SERVER_ENV = [
  "HOME",
  "XDG_STATE_HOME",
  "XDG_CONFIG_HOME",
  "WSOPS_STATE_DIR",
  "WSOPS_STORE_URL",
] as const;

/**
 * The socket of the server for these flags: in the user's state root, named after the flags, the
 * environment that names the state, and this build of wsops (the newest of the packages a decision
 * runs through), so a hook never talks to a server that would decide otherwise.
 */
async function socketPath(flags: readonly string[]): Promise<string | null> {
  const key = [...flags, ...SERVER_ENV.map((name) => `${name}=${process.env[name] ?? ""}`)];
  const [{ stateRoot }, { socketPathOf }] = await Promise.all([
    import("@workspace-ops/executor/state-dir"),
    import("@workspace-ops/adapters/hook-client"),
  ]);
  const built = ["@workspace-ops/executor", "@workspace-ops/adapters/hooks", "@workspace-ops/policy"].map(
    (name) => {
      try {
        return statSync(fileURLToPath(import.meta.resolve(name))).mtimeMs;
      } catch {
        return 0;
      }
    },
  );
  const own = statSync(fileURLToPath(import.meta.url)).mtimeMs;
  return socketPathOf(stateRoot(), key, String(Math.max(own, ...built)));
}

/** The server (started by a hook with --server): serves until idle. */
async function serve(
  runtime: "claude-code" | "gemini-cli",
  flags: AgentFlags,
  key: readonly string[],
): Promise<number> {
  const socket = await socketPath(key);
  if (!socket) return 0;
  const [hooks, { Executor }, { defaultBundleDir }] = await Promise.all([
    import("@workspace-ops/adapters/hooks"),
    import("@workspace-ops/executor"),
    import("@workspace-ops/policy"),
  ]);
  const idleSeconds = Number(process.env.WSOPS_HOOK_SERVER_IDLE_SECONDS ?? 600);
  await hooks.serveHooks({
    socketPath: socket,
    hook: {
      ...(await hookOptions(runtime, flags)),
      open: (root) => Executor.open(executorOptionsOf(flags, root)),
    },
    idleMs: (idleSeconds > 0 ? idleSeconds : 600) * 1000,
    bundleManifest: `${flags.bundle ?? defaultBundleDir}/manifest.json`,
  });
  return 0;
}
