import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { relative, resolve } from "node:path";
import type { ToolExecutionResult } from "@workspace-ops/contracts";
import type { ToolCallOutcome } from "@workspace-ops/executor";
import { z } from "zod";
import { parseCommand } from "../args.js";
import { type Io, UsageError } from "../io.js";
import { decideOnceAndExit, stateFlagsOf } from "./agent-shared.js";
import {
  closeExecutor,
  commonHelp,
  commonOptions,
  commonSchema,
  ExecExit,
  openExecutor,
  principalSchema,
  reportRejection,
  workspaceIdOf,
  workspaceOf,
} from "./executor-shared.js";

export const execUsage = `Usage: wsops exec [options] [--request FILE] -- ARGV...

One governed tool call, usable as an agent runtime's pre-tool-use hook: validate, decide, (wait for
approval), run sandboxed, record. Without --request the ToolExecutionRequest is built from the flags.

Options:
  --request FILE       a ToolExecutionRequest (JSON) instead of ARGV and the context flags
  --actor TYPE:ID      who asks (default agent:local-agent)
  --session ID         the agent session (default local-session)
  --cwd DIR            working directory inside the workspace (default: the current directory)
  --profile ID         the AgentMachineProfile to decide under (default: the workspace's active one)
  --wait / --no-wait   wait for an approval (default --wait), up to --wait-timeout SECONDS (default 900);
                       the approval id and the commands that approve, deny or resume it are printed at
                       once. A waiter that dies leaves the call waiting: approve it, then wsops resume
                       runs it (until the approval expires, 15 minutes after it was asked for)
  --no-stdin           the command reads end of file (default: it reads this process's standard input)
  --mcp-config FILE    MCP servers ({"mcpServers": {NAME: {command, args, env}}}) that run an allowed MCP
                       call of --request (without one an MCP call ends unavailable: mcp_not_executed)
${commonHelp}

Exit codes: the command's own exit code when it ran; ${ExecExit.denied} denied; ${ExecExit.unavailable} unavailable;
${ExecExit.approvalPending} approval pending; ${ExecExit.timedOut} timed out; ${ExecExit.cancelled} cancelled; ${ExecExit.invalidRequest} invalid request; ${ExecExit.duplicateRequest} the
request's id was received before; 2 usage error. --json prints the ToolExecutionResult.
`;

export function exitCodeOf(result: ToolExecutionResult): number {
  switch (result.outcome) {
    case "succeeded":
      return 0;
    case "failed":
      return result.exitCode ?? 1;
    case "denied":
      return ExecExit.denied;
    case "unavailable":
      return ExecExit.unavailable;
    case "approval_required":
      return ExecExit.approvalPending;
    case "timed_out":
      return ExecExit.timedOut;
    case "cancelled":
      return ExecExit.cancelled;
  }
}

/** The approval a call waits for, and the exact commands that resolve it (for another shell). */
export function approvalHelp(
  io: Io,
  pending: {
    approvalRequestId: string;
    toolExecutionId: string;
    expiresAt?: string;
    reasons?: { message: string }[];
  },
  flags: readonly string[],
): void {
  const tail = flags.length ? ` ${flags.join(" ")}` : "";
  io.stderr(
    `wsops: approval required (${pending.approvalRequestId}): ${pending.reasons?.map((r) => r.message).join("; ")}\n` +
      `${pending.expiresAt ? `  the request expires at ${pending.expiresAt}\n` : ""}` +
      `  approve: wsops approve ${pending.approvalRequestId} --by user:NAME${tail}\n` +
      `  deny:    wsops deny ${pending.approvalRequestId} --by user:NAME${tail}\n` +
      `  resume:  wsops resume ${pending.toolExecutionId}${tail}   (runs it once approved, if nobody waits for it)\n`,
  );
}

/** Prints an outcome the same way for exec and resume. */
export function report(
  io: Io,
  outcome: ToolCallOutcome,
  json: boolean | undefined,
  flags: readonly string[] = [],
  announced = false,
): number {
  if (outcome.kind === "rejected") return reportRejection(io, outcome, json);
  const result = outcome.result;
  if (json) io.stdout(`${JSON.stringify(result, null, 2)}\n`);
  else if (result.outcome === "approval_required") {
    if (!announced)
      approvalHelp(
        io,
        {
          approvalRequestId: result.approvalRequestId as string,
          toolExecutionId: result.toolExecutionId,
          ...(outcome.kind === "pending" ? { expiresAt: outcome.expiresAt } : {}),
          ...(result.reasons ? { reasons: result.reasons } : {}),
        },
        flags,
      );
    else
      io.stderr(
        `wsops: still waiting for approval ${result.approvalRequestId}; the wait ended (--wait-timeout)\n`,
      );
  } else if (result.outcome !== "succeeded" && result.outcome !== "failed") {
    const why = result.reasons?.map((r) => `${r.code}: ${r.message}`).join("; ");
    io.stderr(`wsops: ${result.outcome}${why ? ` (${why})` : ""} [${result.toolExecutionId}]\n`);
  }
  return exitCodeOf(result);
}

export async function execCommand(argv: string[], io: Io): Promise<number> {
  const dash = argv.indexOf("--");
  const flags = dash === -1 ? argv : argv.slice(0, dash);
  const command = dash === -1 ? [] : argv.slice(dash + 1);
  const { values, positionals } = parseCommand(
    flags,
    {
      ...commonOptions,
      request: { type: "string" },
      actor: { type: "string" },
      session: { type: "string" },
      cwd: { type: "string" },
      profile: { type: "string" },
      wait: { type: "boolean" },
      "no-wait": { type: "boolean" },
      "no-stdin": { type: "boolean" },
      "mcp-config": { type: "string" },
      "wait-timeout": { type: "string" },
    },
    z.object({
      ...commonSchema,
      request: z.string().optional(),
      actor: principalSchema.default({ type: "agent", id: "local-agent" }),
      session: z
        .string()
        .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, { error: "must be an identifier" })
        .default("local-session"),
      cwd: z.string().optional(),
      profile: z.string().optional(),
      wait: z.boolean().optional(),
      "no-wait": z.boolean().optional(),
      "no-stdin": z.boolean().optional(),
      "mcp-config": z.string().optional(),
      "wait-timeout": z.coerce.number({ error: "must be a number of seconds" }).positive().default(900),
    }),
  );
  if (positionals.length)
    throw new UsageError(`put the command after --: wsops exec [options] -- ${positionals.join(" ")}`);
  if (values.request && command.length)
    throw new UsageError("give either --request FILE or -- ARGV, not both");
  if (!values.request && command.length === 0)
    throw new UsageError("nothing to run: give -- ARGV or --request FILE");
  decideOnceAndExit();

  let request: unknown;
  if (values.request) {
    try {
      request = JSON.parse(await readFile(values.request, "utf8"));
    } catch (error) {
      throw new UsageError(`cannot read ${values.request} as JSON: ${(error as Error).message}`);
    }
  } else {
    const root = workspaceOf(values);
    const cwd = relative(root, resolve(values.cwd ?? process.cwd())) || ".";
    const toolExecutionId = `texec-${randomUUID()}`;
    request = {
      kind: "ToolExecutionRequest",
      apiVersion: "workspace-ops.dev/v1",
      toolExecutionId,
      requestedAt: new Date().toISOString(),
      context: {
        organizationId: "local",
        workspaceId: workspaceIdOf(root),
        sessionId: values.session,
        agentRunId: values.session,
        agentRunStepId: toolExecutionId,
        actor: values.actor,
        surface: "cli",
        cwd,
      },
      tool: { kind: "shell", name: command[0]?.split("/").pop() || "command", argv: command },
      correlation: {
        traceparent:
          process.env.TRACEPARENT ??
          `00-${randomUUID().replaceAll("-", "")}-${randomUUID().replaceAll("-", "").slice(0, 16)}-01`,
      },
      ...(values.profile ? { profileId: values.profile } : {}),
    };
  }
  const mcp = values["mcp-config"] ? await mcpServers(values["mcp-config"]) : undefined;
  const stdin = values["no-stdin"] ? undefined : io.stdin?.();
  const stateFlags = stateFlagsOf(values);
  let announced = false;
  try {
    const executor = await openExecutor(
      values,
      {
        ...(values.json
          ? {}
          : {
              onOutput: (stream, chunk) =>
                (stream === "stdout" ? io.stdout : io.stderr)(chunk.toString("utf8")),
            }),
        ...(stdin ? { stdin } : {}),
        ...(mcp ? { mcp } : {}),
      },
      io,
    );
    try {
      const outcome = await executor.exec(request, {
        wait: !values["no-wait"],
        waitTimeoutMs: values["wait-timeout"] * 1000,
        onPending: (pending) => {
          announced = true;
          approvalHelp(
            io,
            {
              approvalRequestId: pending.approvalRequestId,
              toolExecutionId: pending.toolExecutionId,
              expiresAt: pending.expiresAt,
              ...(pending.result.reasons ? { reasons: pending.result.reasons } : {}),
            },
            stateFlags,
          );
          io.stderr(`  waiting up to ${values["wait-timeout"]} s (--wait-timeout)…\n`);
        },
      });
      return report(io, outcome, values.json, stateFlags, announced);
    } finally {
      await closeExecutor(executor, io);
    }
  } finally {
    await mcp?.close();
    // Nothing reads standard input any more: it must not keep this process alive.
    stdin?.destroy();
  }
}

async function mcpServers(file: string) {
  const { configuredServers, McpConfigError, readMcpConfig } = await import("@workspace-ops/adapters/mcp");
  try {
    return configuredServers(await readMcpConfig(file));
  } catch (error) {
    if (error instanceof McpConfigError) throw new UsageError(error.message);
    throw error;
  }
}
