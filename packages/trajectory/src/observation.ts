// What the agent saw after a tool call, as the content of the chat `tool` message: one JSON object with
// the outcome, the exit code, the approval's resolution, the reasons of a refusal and the output
// previews the executor kept (at most 4096 characters per stream, already redacted by the export).
import type {
  ApprovalResolutionKind,
  DecisionReason,
  ToolExecutionResult,
  ToolOutputStream,
} from "@workspace-ops/contracts";

export interface Observed {
  outcome: string;
  exitCode?: number | null | undefined;
  approval?: ApprovalResolutionKind | undefined;
  reasons?: readonly DecisionReason[] | undefined;
  stdout?: { preview: string; truncated?: boolean; bytes?: number } | undefined;
  stderr?: { preview: string; truncated?: boolean; bytes?: number } | undefined;
  /** Why nothing more is known (a call still waiting, an MCP call the runtime ran). */
  note?: string | undefined;
}

const stream = (s: Observed["stdout"]) => {
  if (!s || s.preview === "") return undefined;
  const cut = s.truncated === true || (s.bytes !== undefined && s.bytes > Buffer.byteLength(s.preview));
  return cut ? `${s.preview}\n[output cut]` : s.preview;
};

export function observation(o: Observed): string {
  const stdout = stream(o.stdout);
  const stderr = stream(o.stderr);
  return JSON.stringify({
    outcome: o.outcome,
    ...(typeof o.exitCode === "number" ? { exitCode: o.exitCode } : {}),
    ...(o.approval ? { approval: o.approval } : {}),
    ...(o.reasons?.length ? { reasons: o.reasons.map(({ code, message }) => ({ code, message })) } : {}),
    ...(stdout !== undefined ? { stdout } : {}),
    ...(stderr !== undefined ? { stderr } : {}),
    ...(o.note ? { note: o.note } : {}),
  });
}

/** The observation of a recorded ToolExecutionResult. */
export function resultObservation(result: ToolExecutionResult, approval?: ApprovalResolutionKind): string {
  if (result.reasons?.some((r) => r.code === "mcp_not_executed"))
    return observation({
      outcome: "allowed",
      ...(approval ? { approval } : {}),
      note: "the agent runtime ran this MCP call; its result is not recorded",
    });
  const output = result.output as { stdout: ToolOutputStream; stderr: ToolOutputStream } | undefined;
  return observation({
    outcome: result.outcome,
    exitCode: result.exitCode,
    approval,
    reasons: result.outcome === "succeeded" ? [] : result.reasons,
    stdout: output?.stdout,
    stderr: output?.stderr,
  });
}
