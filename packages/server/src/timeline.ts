// One call as the timeline shows it, read from its own stream: every fact comes from a record the
// call already carries (request, analysis, decision, approval request and resolution, result), joined
// by the ids in them — nothing is looked up anywhere else.
import type {
  ApprovalRequest,
  ApprovalResolution,
  CommandAnalysis,
  ToolExecutionDecision,
  ToolExecutionRequest,
  ToolExecutionResult,
  WorkspaceOperationContract,
} from "@workspace-ops/contracts";
import { describeTool } from "@workspace-ops/executor";
import type { StoredRecord, StreamInfo } from "@workspace-ops/store";

export interface TimelineEntry {
  id: string;
  kind: "tool_execution" | "operation";
  state: string | null;
  sessionId: string | null;
  actor: string | null;
  createdAt: string;
  updatedAt: string;
  /** What ran (or would have), in one line. */
  command: string;
  cwd?: string;
  workspaceId?: string;
  traceId?: string;
  /** The agent runtime that runs the call itself (a hook, decide), if one asked. */
  runtime?: string;
  /** The rule that decided: the classification's rule, else the first reason's code. */
  rule?: string;
  /** The part classes of the command's analysis, most dangerous first as the policy saw them. */
  classes?: string[];
  decision?: ToolExecutionDecision;
  approvalRequest?: ApprovalRequest;
  resolution?: ApprovalResolution;
  /** Where a resolution came from when it was made through a server. */
  resolvedThrough?: { through: string; remoteAddress?: string; userAgent?: string };
  result?: ToolExecutionResult;
}

const last = <T>(records: readonly StoredRecord[], type: string): T | undefined =>
  records.findLast((r) => r.type === type)?.data as T | undefined;

export function timelineEntry(info: StreamInfo, records: readonly StoredRecord[]): TimelineEntry {
  const stored = records.find((r) => r.type === "request")?.data as
    | { request?: ToolExecutionRequest; operation?: WorkspaceOperationContract; decidedFor?: string }
    | undefined;
  const first = records[0]?.data as { decidedFor?: string } | undefined;
  const request = stored?.request;
  const decision = last<ToolExecutionDecision>(records, "decision");
  const analysis = last<CommandAnalysis>(records, "analysis");
  const approvalRequest = last<ApprovalRequest>(records, "approval_request");
  const resolution = last<ApprovalResolution>(records, "approval_resolution");
  const channel = last<{ through: string; remoteAddress?: string; userAgent?: string }>(
    records,
    "approval_channel",
  );
  const result = last<ToolExecutionResult>(records, "result");
  const traceparent = request?.correlation.traceparent ?? stored?.operation?.audit.traceparent;
  const classification = decision?.classification;
  const rule = classification?.rule ?? decision?.reasons[0]?.code ?? result?.reasons?.[0]?.code;
  const classes = classification?.parts?.map((p) => p.class);
  return {
    id: info.stream,
    kind: info.kind === "operation" ? "operation" : "tool_execution",
    state: info.state,
    sessionId: info.sessionId,
    actor: info.actor,
    createdAt: info.createdAt,
    updatedAt: info.updatedAt,
    command: request
      ? describeTool(request.tool)
      : (stored?.operation?.workspaceOperation.operationType ?? (analysis?.argv ?? []).join(" ")),
    ...(request ? { cwd: request.context.cwd, workspaceId: request.context.workspaceId } : {}),
    ...(traceparent ? { traceId: traceparent.split("-")[1] as string } : {}),
    ...(first?.decidedFor ? { runtime: first.decidedFor } : {}),
    ...(rule ? { rule } : {}),
    ...(classes?.length ? { classes } : {}),
    ...(decision ? { decision } : {}),
    ...(approvalRequest ? { approvalRequest } : {}),
    ...(resolution ? { resolution } : {}),
    ...(channel ? { resolvedThrough: channel } : {}),
    ...(result ? { result } : {}),
  };
}
