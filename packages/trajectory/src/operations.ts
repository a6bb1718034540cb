// An operation's trajectory. Operations run outside any agent session, so an operation is its own unit:
// lineage.sessionId and lineage.operationId are both its operationId. Its decision, approval and final
// outcome carry the operationId as toolExecutionId (as the executor's records do); each command step
// that ran is a tool call of its own, `<operationId>.<n>` (n from 1, in the order the steps ran).
import type {
  ContainerExecutionRecord,
  LocalAgentExecution,
  ToolInvocation,
  Trajectory,
  TrajectoryStep,
} from "@workspace-ops/contracts";
import type { StreamInfo } from "@workspace-ops/store";
import { approvalStep, decisionStep } from "./governance-steps.js";
import { lineageOf, traceIdOf, trajectoryIdOf } from "./lineage.js";
import { observation } from "./observation.js";
import { field } from "./record-check.js";
import { type BuildContext, readStream } from "./sessions.js";
import { MAX_STEPS, StepList } from "./step-list.js";
import { addUsage } from "./usage-index.js";

const OUTCOMES = new Set(["succeeded", "failed", "denied", "timed_out", "cancelled", "unavailable"]);

/** The Identifier a tool name must be: argv[0]'s base name, other characters replaced by "_". */
function toolName(program: string | undefined): string {
  const base = (program ?? "").split("/").pop() ?? "";
  const name = base.replace(/[^A-Za-z0-9._:-]/g, "_").slice(0, 128);
  return /^[A-Za-z0-9]/.test(name) ? name : `x${name}`.slice(0, 128);
}

interface StepResult {
  name: string;
  outcome: string;
  exitCode?: number | null;
  startedAt?: string;
  endedAt?: string;
  reason?: { code: string; message: string };
  stdout?: { preview: string; truncated: boolean; bytes: number };
  stderr?: { preview: string; truncated: boolean; bytes: number };
}

const isStepResult = (data: unknown): data is StepResult =>
  typeof field(data, "name") === "string" && OUTCOMES.has(field(data, "outcome") as string);

/** The argv of the command that step number `n` (from 1) ran. */
function argvOf(artifact: unknown, n: number, name: string): string[] | undefined {
  const kind = field(artifact, "kind");
  if (kind === "LocalAgentExecution") {
    const steps = (artifact as LocalAgentExecution).steps;
    return (steps.find((s) => s.name === name) ?? steps[n - 1])?.argv;
  }
  if (kind === "ContainerExecutionRecord") return (artifact as ContainerExecutionRecord).argv;
  return undefined;
}

export async function operationTrajectory(
  ctx: BuildContext,
  info: StreamInfo,
): Promise<Trajectory | undefined> {
  const records = await readStream(ctx, info);
  if (!records) return undefined;
  const checkContract = ctx.check;
  const first = records.find((r) => r.type === "request");
  const operation = checkContract("WorkspaceOperationContract", field(first?.data, "operation"));
  if (!first || !operation.ok) {
    ctx.tally.skipRecords(
      "no_valid_request",
      records.length,
      info.stream,
      first ? (operation as { detail: string }).detail : "no request record",
    );
    return undefined;
  }
  const op = operation.value;
  const id = op.workspaceOperation.operationId;
  const steps = new StepList();
  const approvals: string[] = [];
  const invalid = (seq: number, type: string, detail: string) =>
    ctx.tally.skipRecords("invalid_record", 1, `${info.stream} seq ${seq}`, `${type}: ${detail}`);
  let requestedAt: string | undefined;
  let ran = 0;
  for (const record of records) {
    switch (record.type) {
      case "decision": {
        const d = checkContract("ToolExecutionDecision", record.data);
        if (!d.ok) invalid(record.seq, record.type, d.detail);
        else steps.add(decisionStep(record.at, d.value, id));
        break;
      }
      case "approval_request": {
        const a = checkContract("ApprovalRequest", record.data);
        if (!a.ok) invalid(record.seq, record.type, a.detail);
        else {
          requestedAt = a.value.requestedAt;
          approvals.push(a.value.approvalRequestId);
        }
        break;
      }
      case "approval_resolution": {
        const r = checkContract("ApprovalResolution", record.data);
        if (!r.ok) invalid(record.seq, record.type, r.detail);
        else steps.add(approvalStep(record.at, r.value, id, requestedAt));
        break;
      }
      case "step_result": {
        if (!isStepResult(record.data)) {
          invalid(record.seq, record.type, "not a step result (name and outcome)");
          break;
        }
        const run = record.data;
        ran++;
        const argv = argvOf(op.artifact, ran, run.name) ?? [run.name];
        const call = `${id}.${ran}`;
        const tool: ToolInvocation = { kind: "shell", name: toolName(argv[0]), argv };
        steps.add({ at: run.startedAt ?? record.at, type: "tool_call", toolExecutionId: call, tool });
        const ended = run.endedAt ?? record.at;
        const exitCode = typeof run.exitCode === "number" ? { exitCode: run.exitCode } : {};
        steps.add({
          at: ended,
          type: "outcome",
          toolExecutionId: call,
          outcome: run.outcome as never,
          ...exitCode,
        });
        steps.add({
          at: ended,
          type: "message",
          role: "tool",
          toolExecutionId: call,
          content: observation({
            outcome: run.outcome,
            exitCode: run.exitCode,
            reasons: run.reason ? [{ ...run.reason, policy: "executor" }] : [],
            stdout: run.stdout,
            stderr: run.stderr,
          }),
          trainable: false,
        });
        break;
      }
      case "outcome": {
        const state = field(record.data, "state");
        if (typeof state !== "string" || !OUTCOMES.has(state))
          invalid(record.seq, record.type, "not an outcome state");
        else steps.add({ at: record.at, type: "outcome", toolExecutionId: id, outcome: state as never });
        break;
      }
    }
  }
  addUsage(steps, ctx.usage.ofOperation(id));
  const where = `operation ${id}`;
  if (steps.size === 0) {
    ctx.tally.skipTrajectory("no_governed_records", where, "no decision, step or outcome was recorded");
    return undefined;
  }
  if (steps.size > MAX_STEPS) {
    ctx.tally.skipTrajectory("too_many_steps", where, `more than ${MAX_STEPS} steps`);
    return undefined;
  }
  const sorted: TrajectoryStep[] = steps.sorted();
  return {
    kind: "Trajectory",
    apiVersion: "workspace-ops.dev/v1",
    trajectoryId: trajectoryIdOf(ctx.location, "operation", id),
    lineage: lineageOf(sorted, {
      sessionId: id,
      operationId: id,
      traceId: traceIdOf(op.audit.traceparent),
      approvalRequestIds: approvals,
    }),
    steps: sorted,
    redaction: { redactedAt: new Date(0).toISOString(), redactorVersion: "", rules: [], totalRedactions: 0 },
  };
}
