// The runtime-neutral decide protocol (`wsops decide`): a ToolExecutionRequest in, an answer out —
// the ToolExecutionDecision as recorded, with what the runtime is to do (verdict), the approval it
// waits for, and how a person approves it. With --jsonl one request per line, answered in order, in
// one process. A line {"kind":"ToolOutcome", …} reports how a call the runtime ran ended.
// The protocol is documented in docs/integrations.md.
import type { DecideAnswer, Executor, Mode } from "@workspace-ops/executor";

export interface DecideProtocolOptions {
  executor: Executor;
  /** The name the runtime gives itself (recorded as who runs the calls it is allowed). */
  runtime: string;
  mode: Mode;
  /** The flags that name this workspace's state, for the approve command in an answer. */
  approveFlags: readonly string[];
}

/** Exit codes of one answer, as for `wsops policy eval`. */
export const DecideExit = { allow: 0, deny: 1, approval: 3, noDecision: 4 } as const;

export interface DecideReply {
  /** One JSON document (a line in JSONL mode). */
  reply: Record<string, unknown>;
  exitCode: number;
}

/** Answers one line of input (a request, or an outcome report). */
export async function answerLine(line: string, options: DecideProtocolOptions): Promise<DecideReply> {
  let payload: unknown;
  try {
    payload = JSON.parse(line);
  } catch (error) {
    return refusal(options, {
      code: "request_invalid",
      message: `not JSON: ${(error as Error).message}`,
      pointer: "",
    });
  }
  if ((payload as { kind?: unknown } | null)?.kind === "ToolOutcome") return recordOutcome(payload, options);
  const outcome = await options.executor.decide(payload, { runtime: options.runtime });
  if (outcome.kind === "rejected") return refusal(options, outcome.error, outcome.errors);
  return { reply: replyOf(outcome, options), exitCode: exitOf(outcome) };
}

/** Answers every line of `lines` in order (blank lines are skipped); resolves when the input ends. */
export async function serveJsonl(
  lines: AsyncIterable<string>,
  write: (line: string) => void,
  options: DecideProtocolOptions,
): Promise<void> {
  for await (const line of lines) {
    if (line.trim() === "") continue;
    write(`${JSON.stringify((await answerLine(line, options)).reply)}\n`);
  }
}

function replyOf(answer: DecideAnswer, options: DecideProtocolOptions): Record<string, unknown> {
  const { kind: _kind, approval, ...rest } = answer;
  return {
    ...rest,
    ...(approval
      ? {
          approval: {
            ...approval,
            approve: [
              `wsops approve ${approval.approvalRequestId} --by user:NAME`,
              ...options.approveFlags,
            ].join(" "),
          },
        }
      : {}),
  };
}

function exitOf(answer: DecideAnswer): number {
  if (!answer.enforced) return DecideExit.allow;
  if (answer.failure) return DecideExit.noDecision;
  switch (answer.verdict) {
    case "allow":
      return DecideExit.allow;
    case "deny":
      return DecideExit.deny;
    default:
      return DecideExit.approval;
  }
}

/** A request that could not be decided: governed mode refuses it, observe mode lets the runtime go on. */
function refusal(
  options: DecideProtocolOptions,
  error: { code: string; message: string; pointer: string },
  errors: unknown[] = [],
): DecideReply {
  const governed = options.mode === "governed";
  return {
    reply: { verdict: governed ? "deny" : "allow", mode: options.mode, enforced: governed, error, errors },
    exitCode: governed ? DecideExit.noDecision : DecideExit.allow,
  };
}

async function recordOutcome(payload: unknown, options: DecideProtocolOptions): Promise<DecideReply> {
  const report = payload as {
    toolExecutionId?: unknown;
    outcome?: unknown;
    output?: unknown;
    error?: unknown;
  };
  const valid =
    typeof report.toolExecutionId === "string" &&
    (report.outcome === "succeeded" || report.outcome === "failed") &&
    (report.output === undefined || typeof report.output === "string") &&
    (report.error === undefined || typeof report.error === "string");
  if (!valid)
    return refusal(options, {
      code: "request_invalid",
      message:
        'a ToolOutcome needs toolExecutionId (string), outcome ("succeeded" or "failed"), and optionally output and error (strings)',
      pointer: "",
    });
  const recorded = await options.executor.recordOutcome(report.toolExecutionId as string, {
    outcome: report.outcome as "succeeded" | "failed",
    ...(typeof report.output === "string" ? { output: report.output } : {}),
    ...(typeof report.error === "string" ? { error: report.error } : {}),
  });
  if (!recorded.ok)
    return { reply: { recorded: false, error: recorded.error }, exitCode: DecideExit.noDecision };
  return {
    reply: {
      toolExecutionId: recorded.toolExecutionId,
      recorded: recorded.result !== undefined,
      state: recorded.state,
    },
    exitCode: DecideExit.allow,
  };
}
