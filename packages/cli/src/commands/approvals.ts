// wsops approvals: what waits for a person, and what was resolved.
import type { ApprovalListing } from "@workspace-ops/executor";
import { z } from "zod";
import { parseCommand } from "../args.js";
import { ExitCode } from "../exit-codes.js";
import { type Io, UsageError } from "../io.js";
import { closeExecutor, commonHelp, commonOptions, commonSchema, openExecutor } from "./executor-shared.js";

export const approvalsUsage = `Usage: wsops approvals [--pending] [--limit N] [--json] [options]

Lists approval requests, newest first: the id, its state (pending, approved, denied, expired — a
pending request past its expiry shows as expired), the call it is for (the command, an MCP tool and
its arguments, a file or web tool and what it touches) and its cwd, who asked, why, until when, and
the commands that approve or deny it (and, for a call of wsops exec nobody waits for, resume it). A
call an agent runtime's hook asked for is the runtime's to run: once approved, the same call retried
there goes through once; the listing shows which call used it.

Options:
  --pending            only those waiting for a person (not expired)
  --limit N            at most N (default 100, at most 1000)
${commonHelp}

Exit codes: 0 listed (also when there is none); 69 the store cannot be opened; 2 usage error.
`;

export async function approvalsCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommand(
    argv,
    { ...commonOptions, pending: { type: "boolean" }, limit: { type: "string" } },
    z.object({
      ...commonSchema,
      pending: z.boolean().optional(),
      limit: z.coerce.number({ error: "must be a number" }).int().min(1).max(1000).default(100),
    }),
  );
  if (positionals.length) throw new UsageError(`unexpected ${positionals[0]}`);
  const executor = await openExecutor(values, {}, io);
  try {
    const listed = await executor.approvals({ pending: values.pending === true, limit: values.limit });
    if (values.json) io.stdout(`${JSON.stringify(listed, null, 2)}\n`);
    else if (listed.length === 0)
      io.stdout(values.pending ? "no approval is pending\n" : "no approval requests\n");
    else for (const a of listed) io.stdout(describe(a));
    return ExitCode.ok;
  } finally {
    await closeExecutor(executor, io);
  }
}

function describe(a: ApprovalListing): string {
  const lines = [
    `${a.approvalRequestId}  ${a.state}${a.state === "pending" ? ` until ${a.expiresAt}` : a.resolvedAt ? ` ${a.resolvedAt}${a.resolvedBy ? ` by ${a.resolvedBy}` : ""}` : ""}`,
    `  ${a.command}  (cwd ${a.cwd}; ${a.subjectId}; asked by ${a.requestedBy}${a.decidedFor ? ` through ${a.decidedFor}` : ""})`,
    ...a.reasons.map((r) => `  why: ${r.code}: ${r.message}`),
  ];
  if (a.usedBy) lines.push(`  used by ${a.usedBy} (the same call, retried)`);
  if (a.state === "pending") lines.push(`  approve: ${a.commands.approve}`, `  deny:    ${a.commands.deny}`);
  else if (a.state === "approved" && a.commands.resume && !a.usedBy)
    lines.push(`  resume:  ${a.commands.resume}`);
  return `${lines.join("\n")}\n`;
}
