// wsops hook claude-code | gemini-cli: an agent runtime's tool hook. A thin shell: the protocols
// are @workspace-ops/adapters', the decisions the executor's.
import { Executor } from "@workspace-ops/executor";
import type { Io } from "../io.js";
import { UsageError } from "../io.js";
import { agentHelp, approveFlagsOf, executorOptionsOf, parseAgentFlags } from "./agent-shared.js";

export const hookUsage = `Usage: wsops hook claude-code [options]     (PreToolUse and PostToolUse)
       wsops hook gemini-cli [options]      (BeforeTool and AfterTool)

An agent runtime's tool hook: reads the hook's JSON on standard input. Before a tool runs, the call
(Bash, Read, Write, Edit, MultiEdit, NotebookEdit, Glob, Grep, WebFetch, WebSearch, mcp__SERVER__TOOL;
Gemini's run_shell_command, read_file, write_file, replace, glob, search_file_content, list_directory,
read_many_files, web_fetch, google_web_search, MCP tools) is decided under the workspace's profile,
grants and approvals, and the answer is the runtime's: allow, deny (also for a call that waits for an
approval: the reason names it and the command that approves it; the same call retried after the
approval goes through once), or ask (when the profile leaves approvals to the runtime's prompt). After
the tool ran, how it ended is recorded. Other tools get no opinion. Set-ups: docs/integrations.md.

Options:
${agentHelp}

Exit codes: 0 answered (the answer is on standard output); 2 in governed mode when the input is
malformed, the state cannot be opened or the policy cannot decide (one line on standard error; both
runtimes then block the tool). In observe mode always 0.
`;

export async function hookCommand(argv: string[], io: Io): Promise<number> {
  const { flags, positionals } = parseAgentFlags(argv);
  const [runtime, ...rest] = positionals;
  if (rest.length) throw new UsageError(`unexpected ${rest[0]}`);
  const hooks = await import("@workspace-ops/adapters/hooks");
  const protocol =
    runtime === "claude-code" ? hooks.claudeCode : runtime === "gemini-cli" ? hooks.geminiCli : null;
  if (!protocol) throw new UsageError("name the runtime: wsops hook claude-code, or wsops hook gemini-cli");
  const result = await hooks.runHook(await io.readStdin(), {
    protocol,
    mode: flags.mode,
    open: (workspaceRoot) => Executor.open(executorOptionsOf(flags, workspaceRoot)),
    approveFlags: (workspaceRoot) => approveFlagsOf(flags, workspaceRoot),
    ...(flags.workspace ? { workspace: flags.workspace } : {}),
    ...(flags.actor ? { actor: flags.actor } : {}),
    ...(flags.profile ? { profileId: flags.profile } : {}),
  });
  if (result.stdout) io.stdout(result.stdout);
  if (result.stderr) io.stderr(result.stderr);
  return result.exitCode;
}
