// The steps of one governed tool call, from the records of its stream: the call (with the executor's
// analysis), the decision, the approval, the outcome and the tool message the agent got back.
import type { ApprovalResolutionKind, ToolCallStep } from "@workspace-ops/contracts";
import type { StoredRecord } from "@workspace-ops/store";
import { approvalStep, decisionStep } from "./governance-steps.js";
import { observation, resultObservation } from "./observation.js";
import { field, type RecordCheck } from "./record-check.js";
import type { StepList } from "./step-list.js";
import type { Tally } from "./tally.js";

/** What a call contributes to its trajectory's lineage. */
export interface CallFacts {
  toolExecutionId: string;
  traceparent: string;
  approvalRequestIds: string[];
}

/** Adds the call's steps to `steps`; undefined when the stream holds no valid request. */
export function addToolCall(
  stream: string,
  records: readonly StoredRecord[],
  steps: StepList,
  tally: Tally,
  checkContract: RecordCheck,
): CallFacts | undefined {
  const first = records.find((r) => r.type === "request");
  const request = checkContract("ToolExecutionRequest", field(first?.data, "request"));
  if (!first || !request.ok) {
    tally.skipRecords(
      "no_valid_request",
      records.length,
      stream,
      first ? (request as { detail: string }).detail : "no request record",
    );
    return undefined;
  }
  const id = request.value.toolExecutionId;
  const facts: CallFacts = {
    toolExecutionId: id,
    traceparent: request.value.correlation.traceparent,
    approvalRequestIds: [],
  };
  const invalid = (record: StoredRecord, detail: string) =>
    tally.skipRecords("invalid_record", 1, `${stream} seq ${record.seq}`, `${record.type}: ${detail}`);
  let call: Omit<ToolCallStep, "index"> | undefined;
  let requestedAt: string | undefined;
  let approval: ApprovalResolutionKind | undefined;
  let ended = false;
  for (const record of records) {
    switch (record.type) {
      case "request":
        if (record !== first) break;
        call = steps.add({ at: record.at, type: "tool_call", toolExecutionId: id, tool: request.value.tool });
        break;
      case "analysis": {
        const analysis = checkContract("CommandAnalysis", record.data);
        if (!analysis.ok) invalid(record, analysis.detail);
        else if (call) call.analysis = analysis.value;
        break;
      }
      case "decision": {
        const decision = checkContract("ToolExecutionDecision", record.data);
        if (!decision.ok) {
          invalid(record, decision.detail);
          break;
        }
        steps.add(decisionStep(record.at, decision.value, id));
        break;
      }
      case "approval_request": {
        const asked = checkContract("ApprovalRequest", record.data);
        if (!asked.ok) {
          invalid(record, asked.detail);
          break;
        }
        requestedAt = asked.value.requestedAt;
        facts.approvalRequestIds.push(asked.value.approvalRequestId);
        break;
      }
      case "approval_resolution": {
        const resolved = checkContract("ApprovalResolution", record.data);
        if (!resolved.ok) {
          invalid(record, resolved.detail);
          break;
        }
        const r = resolved.value;
        approval = r.resolution;
        if (!facts.approvalRequestIds.includes(r.approvalRequestId))
          facts.approvalRequestIds.push(r.approvalRequestId);
        steps.add(approvalStep(record.at, r, id, requestedAt));
        break;
      }
      case "result": {
        const result = checkContract("ToolExecutionResult", record.data);
        if (!result.ok) {
          invalid(record, result.detail);
          break;
        }
        const r = result.value;
        steps.add({
          at: record.at,
          type: "outcome",
          toolExecutionId: id,
          outcome: r.outcome,
          ...(typeof r.exitCode === "number" ? { exitCode: r.exitCode } : {}),
        });
        steps.add({
          at: record.at,
          type: "message",
          role: "tool",
          toolExecutionId: id,
          content: resultObservation(r, approval),
          trainable: false,
        });
        ended = true;
        break;
      }
    }
  }
  if (!ended) {
    // Still waiting (for an approval, or running): the agent has no answer yet; say so, so that every
    // tool call of a chat export has its tool message.
    const last = records.at(-1) as StoredRecord;
    steps.add({
      at: last.at,
      type: "message",
      role: "tool",
      toolExecutionId: id,
      content: observation({
        outcome: facts.approvalRequestIds.length ? "approval_required" : "pending",
        note: "no result was recorded before the export",
      }),
      trainable: false,
    });
  }
  return facts;
}
