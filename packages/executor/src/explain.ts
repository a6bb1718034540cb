// What the executor would decide for a shell call, without running it and without any state: the
// analysis and the policy's decision for a request built from the argv (wsops explain).
import type { Analyzer } from "@workspace-ops/analysis";
import {
  type AgentMachineProfile,
  type CommandAnalysis,
  type Principal,
  type ToolExecutionRequest,
  validate,
} from "@workspace-ops/contracts";
import type { Evaluation, PolicyRuntime } from "@workspace-ops/policy";
import { newId, newTraceparent } from "./ids.js";

export interface ExplainOptions {
  argv: string[];
  policy: PolicyRuntime;
  analyzer: Analyzer;
  /** The profile to decide under (its sandbox, obligations and allowedCodeExecution); none by default. */
  profile?: AgentMachineProfile;
  actor?: Principal;
  now?: Date;
}

export interface Explanation {
  request: ToolExecutionRequest;
  analysis: CommandAnalysis;
  evaluation: Evaluation;
}

/** The contract's Identifier has no "/" and few symbols: argv[0] is named by its cleaned base name. */
const toolName = (program: string) =>
  (program.split("/").pop() ?? "")
    .replace(/[^A-Za-z0-9._:-]/g, "-")
    .replace(/^[^A-Za-z0-9]+/, "")
    .slice(0, 128) || "command";

export function explainToolCall(options: ExplainOptions): Explanation {
  const now = options.now ?? new Date();
  const id = newId("explain");
  const request = {
    kind: "ToolExecutionRequest",
    apiVersion: "workspace-ops.dev/v1",
    toolExecutionId: id,
    requestedAt: now.toISOString(),
    context: {
      organizationId: "explain",
      workspaceId: "explain",
      sessionId: "explain",
      agentRunId: "explain",
      agentRunStepId: "explain",
      actor: options.actor ?? { type: "agent", id: "explain" },
      surface: "cli",
      cwd: ".",
    },
    tool: { kind: "shell", name: toolName(options.argv[0] ?? ""), argv: options.argv },
    correlation: {
      traceparent: newTraceparent(),
    },
  } as ToolExecutionRequest;
  const checked = validate("ToolExecutionRequest", request);
  if (!checked.ok)
    throw new ExplainError(checked.errors.map((e) => `${e.pointer || "/"} ${e.message}`).join("; "));
  const analysis = options.analyzer.analyzeArgv(options.argv);
  const input = {
    now: now.toISOString(),
    request,
    analysis,
    grants: [],
    ...(options.profile ? { profile: options.profile } : {}),
  };
  return {
    request,
    analysis,
    evaluation: options.policy.evaluate("workspace_ops/tool_execution/decision", input),
  };
}

/** The argv cannot make a valid request (too many words, a NUL, …). */
export class ExplainError extends Error {
  readonly code = "request_invalid";
}
