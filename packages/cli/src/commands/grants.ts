// wsops grant and wsops revoke: tool grants without hand-written JSON. The executor builds the
// operation (with a delegation from the invoking user); here, only the flags and the report.
import { userInfo } from "node:os";
import type { Principal } from "@workspace-ops/contracts";
import type { GrantedTool, OperationOutcome } from "@workspace-ops/executor";
import { z } from "zod";
import { parseCommand } from "../args.js";
import { ExitCode } from "../exit-codes.js";
import { type Io, UsageError } from "../io.js";
import {
  closeExecutor,
  commonHelp,
  commonOptions,
  commonSchema,
  ExecExit,
  openExecutor,
  principalSchema,
} from "./executor-shared.js";

export const grantUsage = `Usage: wsops grant --to TYPE:ID [--expires DURATION|TIME] [--by user:NAME] -- PROGRAM ARGS... [...]
       wsops grant --to TYPE:ID [--expires DURATION|TIME] [--by user:NAME] --mcp SERVER/TOOL
       wsops revoke GRANT_ID [--by user:NAME] [--reason TEXT]

grant lets an agent use one tool: a program whose arguments match ARGS position by position ("*"
matches any one argument; a last "..." allows any further arguments), or an MCP tool. revoke ends a
grant. Each is an audited operation (agent_machine.tool_grant.apply / .revoke) under a delegation from
the invoking user, decided by the policy: the workspace's active profile must allow the operation type.
Prints the grant id.

Options:
  --to TYPE:ID         the grantee (grant)
  --mcp SERVER/TOOL    grant an MCP tool instead of a program
  --expires WHEN       a duration (30m, 8h, 7d) or an RFC 3339 time (default 8h)
  --by user:NAME       the invoking user, grantor and delegator (default user:$USER)
  --reason TEXT        why the grant is revoked (default "revoked on request")
${commonHelp}

Exit codes: 0 granted / revoked; ${ExecExit.denied} denied by the policy; 1 refused (an unknown grant id, an invalid
operation); ${ExecExit.unavailable} unavailable or the store cannot be opened; 2 usage error.
`;

export const revokeUsage = grantUsage;

const DURATION = /^(\d+)(s|m|h|d)$/;
const UNIT: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

function expiryOf(text: string, now: Date): Date {
  const duration = DURATION.exec(text);
  if (duration)
    return new Date(now.getTime() + Number(duration[1]) * (UNIT[duration[2] as string] as number) * 1000);
  const time = Date.parse(text);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(text) || Number.isNaN(time))
    throw new UsageError("--expires: must be a duration (30m, 8h, 7d) or an RFC 3339 time");
  if (time <= now.getTime()) throw new UsageError(`--expires: ${text} is not in the future`);
  return new Date(time);
}

/** The invoking user: --by, else the login name. */
function invokingUser(by: Principal | undefined): Principal {
  if (by) return by;
  const name = (process.env.USER || userInfo().username)
    .replace(/[^A-Za-z0-9._:-]/g, "-")
    .replace(/^[^A-Za-z0-9]+/, "");
  return { type: "user", id: name || "user" };
}

/** The tool a grant names: "--mcp SERVER/TOOL", or a program and its argument pattern. */
function toolOf(mcp: string | undefined, words: string[]): GrantedTool {
  if (mcp !== undefined) {
    if (words.length) throw new UsageError("give either --mcp SERVER/TOOL or -- PROGRAM ARGS..., not both");
    if (!/^[A-Za-z0-9][A-Za-z0-9._:-]*\/[A-Za-z0-9][A-Za-z0-9._:-]*$/.test(mcp))
      throw new UsageError("--mcp: must be SERVER/TOOL");
    return { kind: "mcp", name: mcp };
  }
  const [program, ...args] = words;
  if (!program) throw new UsageError("nothing to grant: give -- PROGRAM ARGS... or --mcp SERVER/TOOL");
  if (program.includes("/"))
    throw new UsageError(`name the program, not a path: ${program.split("/").pop()}`);
  const extra = args.at(-1) === "...";
  return {
    kind: "shell",
    name: program,
    argvPattern: extra ? args.slice(0, -1) : args,
    ...(extra ? { allowExtraArgs: true } : {}),
  };
}

function reportOutcome(io: Io, outcome: OperationOutcome, done: string, json: unknown): number {
  if (outcome.kind === "finished" && outcome.state === "succeeded") {
    io.stdout(json ? `${JSON.stringify(json, null, 2)}\n` : `${done}\n`);
    return ExitCode.ok;
  }
  if (json) io.stdout(`${JSON.stringify({ ...(json as object), outcome }, null, 2)}\n`);
  if (outcome.kind === "rejected") {
    if (!json) io.stderr(`wsops: ${outcome.error.message}\n`);
    return ExitCode.problems;
  }
  if (outcome.kind === "pending") {
    if (!json) io.stderr(`wsops: the operation needs approval ${outcome.approvalRequestId}\n`);
    return ExecExit.approvalPending;
  }
  const why = outcome.reasons.map((r) => `${r.code}: ${r.message}`).join("; ");
  if (!json) io.stderr(`wsops: ${outcome.state}${why ? ` (${why})` : ""}\n`);
  return outcome.state === "denied"
    ? ExecExit.denied
    : outcome.state === "unavailable"
      ? ExecExit.unavailable
      : 1;
}

export async function grantCommand(argv: string[], io: Io): Promise<number> {
  const dash = argv.indexOf("--");
  const words = dash === -1 ? [] : argv.slice(dash + 1);
  const { values, positionals } = parseCommand(
    dash === -1 ? argv : argv.slice(0, dash),
    {
      ...commonOptions,
      to: { type: "string" },
      mcp: { type: "string" },
      expires: { type: "string" },
      by: { type: "string" },
    },
    z.object({
      ...commonSchema,
      to: principalSchema.optional(),
      mcp: z.string().optional(),
      expires: z.string().default("8h"),
      by: principalSchema.optional(),
    }),
  );
  if (positionals.length)
    throw new UsageError(`put the program after --: wsops grant --to … -- ${positionals.join(" ")}`);
  if (!values.to) throw new UsageError("grant needs --to TYPE:ID (the agent the tool is granted to)");
  const tool = toolOf(values.mcp, words);
  const by = invokingUser(values.by);
  const executor = await openExecutor(values, {}, io);
  try {
    const expiresAt = expiryOf(values.expires, executor.context.now());
    const { grant, outcome } = await executor.grant({ to: values.to, tool, expiresAt, by });
    const what =
      tool.kind === "mcp"
        ? `mcp ${tool.name}`
        : [tool.name, ...(tool.argvPattern ?? []), ...(tool.allowExtraArgs ? ["..."] : [])].join(" ");
    return reportOutcome(
      io,
      outcome,
      `${grant.grantId}: ${what} granted to ${values.to.type}:${values.to.id} by ${by.type}:${by.id} until ${grant.expiresAt}`,
      values.json ? { grant } : undefined,
    );
  } finally {
    await closeExecutor(executor, io);
  }
}

export async function revokeCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommand(
    argv,
    { ...commonOptions, by: { type: "string" }, reason: { type: "string" } },
    z.object({
      ...commonSchema,
      by: principalSchema.optional(),
      reason: z.string().min(1).max(4096).default("revoked on request"),
    }),
  );
  const [grantId, ...rest] = positionals;
  if (!grantId || rest.length) throw new UsageError("revoke takes exactly one GRANT_ID");
  const by = invokingUser(values.by);
  const executor = await openExecutor(values, {}, io);
  try {
    const revoked = await executor.revoke(grantId, by, values.reason);
    if (!revoked.ok) {
      if (values.json) io.stdout(`${JSON.stringify(revoked, null, 2)}\n`);
      else io.stderr(`wsops revoke: ${revoked.error.message}\n`);
      return ExitCode.problems;
    }
    return reportOutcome(
      io,
      revoked.outcome,
      `${grantId}: revoked by ${by.type}:${by.id}`,
      values.json ? { grantId } : undefined,
    );
  } finally {
    await closeExecutor(executor, io);
  }
}
