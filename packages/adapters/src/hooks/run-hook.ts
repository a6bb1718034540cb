// One hook invocation of an agent runtime: its JSON in, the executor's decision (or the record of how
// the tool ended), the runtime's answer out. Governed mode fails closed: input it cannot read, a
// store it cannot open, a policy that cannot decide end in exit 2 with one line on stderr, which
// both Claude Code and Gemini CLI treat as "block the tool". Observe mode never blocks: it records
// what it can and gives no opinion, so the runtime behaves as it would without wsops.
import { randomUUID } from "node:crypto";
import { resolve } from "node:path";
import type { Principal } from "@workspace-ops/contracts";
import {
  callDigest,
  type DecideAnswer,
  type Executor,
  type Mode,
  type Verdict,
  workspaceIdOf,
} from "@workspace-ops/executor";
import type { HookAnswer, HookCall, HookEvent, RuntimeProtocol } from "./event.js";
import { messageOf, oneLine } from "./one-line.js";
import { buildRequest, HookInputError, type HookSession, identifier, OutsideWorkspace } from "./request.js";
import { recordTranscript } from "./transcript.js";

export interface HookOptions {
  protocol: RuntimeProtocol;
  mode: Mode;
  /** Opens the executor on the workspace (the caller's store, state directory and bundle). */
  open: (workspaceRoot: string) => Promise<Executor>;
  /** Done with an executor `open` gave (default: close it; a hook server keeps it open). */
  release?: (executor: Executor) => Promise<void>;
  /** --workspace; else the runtime's project folder variable, else the hook input's cwd. */
  workspace?: string;
  /** Who the agent is (default agent:<runtime name>). */
  actor?: Principal;
  profileId?: string;
  env?: Record<string, string | undefined>;
  /** The flags that name this workspace's state, for the approve command shown to the agent. */
  approveFlags?: (workspaceRoot: string) => string[];
  /** How much of the end of a transcript is read (default 32 MiB). */
  transcriptMaxBytes?: number;
}

export interface HookResult {
  exitCode: 0 | 2;
  stdout: string;
  stderr: string;
}

export async function runHook(stdin: string, options: HookOptions): Promise<HookResult> {
  const { protocol, mode } = options;
  const governed = mode === "governed";
  const noOpinion = (note = ""): HookResult => ({
    exitCode: 0,
    stdout: protocol.render({ verdict: "none", reason: "" }),
    stderr: note ? `wsops hook ${protocol.name}: ${note}\n` : "",
  });
  // Fail closed when governed, a note otherwise; never a stack trace.
  const failed = (why: string): HookResult =>
    governed
      ? { exitCode: 2, stdout: "", stderr: `wsops hook ${protocol.name}: ${oneLine(why)}\n` }
      : noOpinion(oneLine(why));

  let event: HookEvent;
  try {
    event = protocol.parse(JSON.parse(stdin));
  } catch (error) {
    const why = `malformed hook input: ${error instanceof SyntaxError ? `not JSON (${error.message})` : messageOf(error)}`;
    if (!governed) await recordRejected(options, why);
    return failed(why);
  }
  if (event.kind === "ignored") return noOpinion();

  const env = options.env ?? process.env;
  const projectDir = protocol.projectDirEnv ? env[protocol.projectDirEnv] : undefined;
  if (event.kind === "transcript")
    return recordTranscript(event, options, resolve(options.workspace ?? (projectDir || event.cwd || ".")));
  const workspaceRoot = resolve(options.workspace ?? (projectDir || event.cwd));
  let executor: Executor;
  try {
    executor = await options.open(workspaceRoot);
  } catch (error) {
    return failed(`the workspace's state cannot be opened: ${messageOf(error)}`);
  }
  try {
    const session: HookSession = {
      workspaceRoot,
      workspaceId: workspaceIdOf(workspaceRoot),
      actor: options.actor ?? { type: "agent", id: protocol.name },
      runtime: protocol.name,
      sessionId: identifier("", event.sessionId),
      cwd: event.cwd,
      ...(options.profileId ? { profileId: options.profileId } : {}),
    };
    if (event.kind === "after")
      return await recordAfter(executor, session, event.calls, event.outcome, protocol);
    const answers: DecideAnswer[] = [];
    for (const call of event.calls) {
      const request = buildRequest(
        session,
        call.id ?? identifier("texec-", randomUUID()),
        call.tool,
        call.cwd,
      );
      const outcome = await executor.decide(request, { runtime: protocol.name });
      if (outcome.kind === "rejected") {
        const details = outcome.errors?.map((e) => `${e.pointer || "/"} ${e.message}`).join("; ");
        return failed(`${outcome.error.message}${details ? `: ${details}` : ""}`);
      }
      if (outcome.failure && outcome.enforced)
        return failed(
          `no decision for ${event.toolName}: ${outcome.failure.message} [${outcome.toolExecutionId}]`,
        );
      answers.push(outcome);
    }
    if (!governed) return noOpinion();
    const flags = options.approveFlags?.(workspaceRoot) ?? ["--workspace", workspaceRoot];
    const answer = combine(event.toolName, answers, flags);
    return { exitCode: 0, stdout: protocol.render(answer), stderr: "" };
  } catch (error) {
    if (error instanceof OutsideWorkspace)
      return governed
        ? {
            exitCode: 0,
            stdout: protocol.render({ verdict: "deny", reason: `workspace-ops: ${error.message}` }),
            stderr: "",
          }
        : noOpinion(error.message);
    if (error instanceof HookInputError) return failed(`malformed hook input: ${error.message}`);
    return failed(messageOf(error));
  } finally {
    await (options.release ? options.release(executor) : executor.close());
  }
}

/** The calls of an "after" event end as the runtime reports: found by id, or by digest in the session. */
async function recordAfter(
  executor: Executor,
  session: HookSession,
  calls: readonly HookCall[],
  outcome: Parameters<Executor["recordOutcome"]>[1],
  protocol: RuntimeProtocol,
): Promise<HookResult> {
  const notes: string[] = [];
  for (const call of calls) {
    const request = buildRequest(session, call.id ?? "texec-lookup", call.tool, call.cwd);
    const id = call.id ?? (await executor.runningCall(session.sessionId, callDigest(request)));
    const recorded = id ? await executor.recordOutcome(id, outcome) : null;
    if (!recorded)
      notes.push("no running call of this session is that call (was the before-tool hook configured?)");
    else if (!recorded.ok) notes.push(recorded.error.message);
  }
  return {
    exitCode: 0,
    stdout: protocol.render({ verdict: "none", reason: "" }),
    stderr: notes.map((n) => `wsops hook ${protocol.name}: ${n}\n`).join(""),
  };
}

const severity: Record<Verdict, number> = { allow: 0, ask: 1, approval_required: 2, deny: 3 };

/** One answer for all the calls of an event: the most severe verdict, with the reasons of those. */
export function combine(
  toolName: string,
  answers: readonly DecideAnswer[],
  approveFlags: readonly string[],
): HookAnswer {
  const verdict = answers.reduce<Verdict>(
    (worst, a) => (severity[a.verdict] > severity[worst] ? a.verdict : worst),
    "allow",
  );
  const deciding = answers.filter((a) => a.verdict === verdict);
  const ids = deciding.map((a) => a.toolExecutionId).join(", ");
  const why = [...new Set(deciding.flatMap((a) => a.reasons.map((r) => r.message)))].join("; ");
  switch (verdict) {
    case "allow": {
      const used = deciding.flatMap((a) =>
        a.approval?.state === "used" ? [a.approval.approvalRequestId] : [],
      );
      const approved = used.length ? `, approval ${used.join(", ")} used (it was for this exact call)` : "";
      return { verdict, reason: `workspace-ops: allowed${approved} [${ids}]` };
    }
    case "deny":
      return { verdict, reason: `workspace-ops denied ${toolName}: ${why} [${ids}]` };
    case "ask":
      return { verdict, reason: `workspace-ops: ${toolName} needs a person's approval: ${why} [${ids}]` };
    case "approval_required": {
      const approvals = deciding.flatMap((a) => (a.approval ? [a.approval] : []));
      const commands = approvals.map((a) =>
        `wsops approve ${a.approvalRequestId} --by user:NAME ${approveFlags.join(" ")}`.trim(),
      );
      const pending = approvals.map((a) => `${a.approvalRequestId} (until ${a.expiresAt})`).join(", ");
      return {
        verdict,
        reason: `workspace-ops: ${toolName} needs approval: ${why}. Approval ${pending} waits for a person, who approves it with: ${commands.join(" ; ")} — then retry exactly the same call, which goes through once. [${ids}]`,
      };
    }
  }
}

async function recordRejected(options: HookOptions, why: string): Promise<void> {
  try {
    const executor = await options.open(resolve(options.workspace ?? process.cwd()));
    try {
      await executor.recordRejectedInput(options.protocol.name, why);
    } finally {
      await (options.release ? options.release(executor) : executor.close());
    }
  } catch {
    // Observe mode never blocks, also when there is nowhere to record.
  }
}
