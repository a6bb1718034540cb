// wsops mcp proxy: a governed stdio MCP proxy. A thin shell over @workspace-ops/adapters/mcp.
import { randomUUID } from "node:crypto";
import { basename, resolve } from "node:path";
import { Executor, workspaceIdOf } from "@workspace-ops/executor";
import { type Io, UsageError } from "../io.js";
import { agentHelp, approveFlagsOf, executorOptionsOf, parseAgentFlags } from "./agent-shared.js";

export const mcpUsage = `Usage: wsops mcp proxy [options] -- COMMAND ARGS...

Starts the MCP server COMMAND ARGS (stdio) and stands between it and the MCP client on this process's
standard input and output: every message passes through unchanged, both ways, except tools/call, which
is governed — decided under grants on "SERVER/TOOL" (wsops grant --to agent:ID --mcp SERVER/TOOL) and
the argument rules of the policy data, then sent to the server only when allowed, its result recorded
(redacted). A denied call is a tool error naming the reasons; one that needs approval waits for it
(--approval wait) or is a tool error naming the approval and the command that approves it (--approval
error; the same call made again after the approval goes through once). Set-ups: docs/integrations.md.

Options:
  --name SERVER        the server's name in grants and records (default: COMMAND's file name)
  --approval MODE      wait (default) or error
  --wait-timeout SECS  how long a call waits for its approval (default 900)
  --session ID         the session the calls belong to (default: a new one per proxy)
${agentHelp.replace("agent:<runtime>", "agent:mcp-client").replace("(default: the runtime's project folder, else its cwd)", "(default: the current directory)")}

Exit codes: 0 when the client or the server closed the session; 69 the server cannot be started or
the store cannot be opened; 2 usage error.
`;

export async function mcpCommand(argv: string[], io: Io): Promise<number> {
  const dash = argv.indexOf("--");
  const own = dash === -1 ? argv : argv.slice(0, dash);
  const command = dash === -1 ? [] : argv.slice(dash + 1);
  const { flags, values, positionals } = parseAgentFlags(own, {
    name: { type: "string" },
    approval: { type: "string" },
    "wait-timeout": { type: "string" },
    session: { type: "string" },
  });
  const [sub, ...rest] = positionals;
  if (sub !== "proxy")
    throw new UsageError("the only mcp command is: wsops mcp proxy [options] -- COMMAND ARGS...");
  if (rest.length)
    throw new UsageError(`put the server's command after --: wsops mcp proxy -- ${rest.join(" ")}`);
  const [file, ...args] = command;
  if (!file) throw new UsageError("nothing to proxy: give the server's command after --");
  const name = typeof values.name === "string" ? values.name : basename(file).replace(/\.[A-Za-z]+$/, "");
  if (!/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/.test(name))
    throw new UsageError(`--name: "${name}" is not an identifier (letters, digits and . _ : -)`);
  const approval = typeof values.approval === "string" ? values.approval : "wait";
  if (approval !== "wait" && approval !== "error") throw new UsageError("--approval: must be wait or error");
  const waitSeconds = typeof values["wait-timeout"] === "string" ? Number(values["wait-timeout"]) : 900;
  if (!(waitSeconds > 0)) throw new UsageError("--wait-timeout: must be a positive number of seconds");
  const session = typeof values.session === "string" ? values.session : `mcp-${randomUUID()}`;
  if (!/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/.test(session))
    throw new UsageError("--session: must be an identifier");

  const workspaceRoot = flags.workspace ?? resolve(process.cwd());
  const { runProxy } = await import("@workspace-ops/adapters/mcp");
  return runProxy({
    server: { name, command: file, args },
    open: (mcp) => Executor.open({ ...executorOptionsOf(flags, workspaceRoot), mcp }),
    session: {
      workspaceRoot,
      workspaceId: workspaceIdOf(workspaceRoot),
      actor: flags.actor ?? { type: "agent", id: "mcp-client" },
      runtime: `mcp:${name}`,
      sessionId: session,
      cwd: workspaceRoot,
      ...(flags.profile ? { profileId: flags.profile } : {}),
    },
    approval,
    waitTimeoutMs: waitSeconds * 1000,
    approveFlags: approveFlagsOf(flags, workspaceRoot),
    ...(io.stdin ? { input: io.stdin() } : {}),
    log: (line) => io.stderr(`wsops mcp proxy: ${line}\n`),
  });
}
