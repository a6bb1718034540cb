// What waits for a person (`wsops approvals`): every approval request with the call it is for, who
// asked, why, until when, and the commands that resolve it.
import type { ApprovalRequest, ToolExecutionRequest } from "@workspace-ops/contracts";
import type { ApprovalState, StoredRecord } from "@workspace-ops/store";
import type { ExecutorContext } from "./context.js";
import type { Reason } from "./decide.js";

export interface ApprovalListing {
  approvalRequestId: string;
  /** The call (or operation) it is for. */
  subjectId: string;
  /** As stored, except that a pending request past its expiry is "expired" (it ends when next touched). */
  state: ApprovalState;
  requestedBy: string;
  requestedAt: string;
  expiresAt: string;
  resolvedAt?: string;
  resolvedBy?: string;
  /** What would run, in one line. */
  command: string;
  cwd: string;
  reasons: Reason[];
  /** The agent runtime that asked (a hook): it runs the call itself, retried once approved. */
  decidedFor?: string;
  /** The later call (the same call, retried) that used the approval. */
  usedBy?: string;
  /** The commands that resolve it, or run what it approved. */
  commands: { approve: string; deny: string; resume?: string };
}

export async function listApprovals(
  ctx: ExecutorContext,
  options: { pending?: boolean; limit?: number; stream?: string } = {},
): Promise<ApprovalListing[]> {
  const now = ctx.now().getTime();
  const infos = await ctx.store.listApprovals({
    ...(options.pending ? { state: "pending" as const } : {}),
    ...(options.stream ? { stream: options.stream } : {}),
    limit: options.limit ?? 100,
  });
  const listed: ApprovalListing[] = [];
  for (const info of infos) {
    const records = await ctx.store.read(info.stream);
    const request = records.findLast(
      (r) =>
        r.type === "approval_request" &&
        (r.data as ApprovalRequest).approvalRequestId === info.approvalRequestId,
    )?.data as ApprovalRequest | undefined;
    if (!request) continue;
    const expired = info.state === "pending" && now >= Date.parse(info.expiresAt);
    if (options.pending && expired) continue;
    const first = records[0]?.data as { decidedFor?: string } | undefined;
    const usedBy = lastOf<{ toolExecutionId: string }>(records, "approval_used_by")?.toolExecutionId;
    const id = info.approvalRequestId;
    listed.push({
      approvalRequestId: id,
      subjectId: info.stream,
      state: expired ? "expired" : info.state,
      requestedBy: info.requestedBy,
      requestedAt: request.requestedAt,
      expiresAt: info.expiresAt,
      ...(info.resolvedAt ? { resolvedAt: info.resolvedAt } : {}),
      ...(info.resolvedBy ? { resolvedBy: info.resolvedBy } : {}),
      command: describeTool(request.summary.tool),
      cwd: request.summary.cwd,
      reasons: request.reasons,
      ...(first?.decidedFor ? { decidedFor: first.decidedFor } : {}),
      ...(usedBy ? { usedBy } : {}),
      commands: {
        approve: `wsops approve ${id} --by user:NAME`,
        deny: `wsops deny ${id} --by user:NAME`,
        ...(first?.decidedFor ? {} : { resume: `wsops resume ${info.stream}` }),
      },
    });
  }
  return listed;
}

/** A tool call in one line, for a person: argv as a shell would show it, an MCP tool and its arguments, a file or web tool and what it touches. */
export function describeTool(tool: ToolExecutionRequest["tool"]): string {
  switch (tool.kind) {
    case "shell":
      return (tool.argv ?? [tool.name]).map(quoted).join(" ");
    case "mcp":
      return `mcp ${tool.server}/${tool.name} ${JSON.stringify(tool.sanitizedArgs ?? {})}`;
    case "file":
      return `${tool.name} (${tool.access}) ${(tool.paths ?? []).join(" ")}`;
    case "web":
      return `${tool.name} ${tool.url ?? tool.query ?? ""}`;
  }
}

// Quoted for reading, not for a shell to run: anything unusual is shown in single quotes.
const quoted = (word: string): string =>
  /^[A-Za-z0-9_./:=@%+,-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;

const lastOf = <T>(records: readonly StoredRecord[], type: string): T | undefined =>
  records.findLast((r) => r.type === type)?.data as T | undefined;
