// OperationLifecycleEvents (CloudEvents 1.0), validated against their contract before they leave.
import { appendFile } from "node:fs/promises";
import { type OperationLifecycleEvent, validate } from "@workspace-ops/contracts";
import { newId } from "./ids.js";
import type { State } from "./state-machine.js";

export type EventKind = "started" | "progress" | "failed" | "retried" | "cancelled" | "completed";

/** Where events go besides the audit log (which always receives them). */
export type EventSink = (event: OperationLifecycleEvent) => Promise<void> | void;

export const stdoutSink: EventSink = (event) => {
  process.stdout.write(`${JSON.stringify(event)}\n`);
};

export const fileSink =
  (path: string): EventSink =>
  (event) =>
    appendFile(path, `${JSON.stringify(event)}\n`);

export interface EventFacts {
  kind: EventKind;
  subject: string;
  state: State;
  traceparent: string;
  time: string;
  step?: string;
  message?: string;
  reason?: string;
  decisionId?: string;
  toolExecutionId?: string;
  approvalRequestId?: string;
}

/** Builds the event and proves it satisfies the contract; an invalid event is a bug, so it throws. */
export function lifecycleEvent(facts: EventFacts): OperationLifecycleEvent {
  const data: Record<string, unknown> = { state: facts.state };
  if (facts.step) data.step = facts.step;
  if (facts.message) data.message = facts.message.slice(0, 4096);
  if (facts.reason) data.reason = facts.reason;
  const event: Record<string, unknown> = {
    kind: "OperationLifecycleEvent",
    apiVersion: "workspace-ops.dev/v1",
    specversion: "1.0",
    id: newId("evt"),
    source: "/workspace-ops/executor",
    type: `dev.workspace-ops.operation.${facts.kind}`,
    time: facts.time,
    subject: facts.subject,
    datacontenttype: "application/json",
    dataschema:
      "https://workspace-ops.dev/contracts/workspace-operation/v1/OperationLifecycleEvent.schema.json",
    traceparent: facts.traceparent,
    operationid: facts.subject,
    data,
  };
  if (facts.decisionId) event.decisionid = facts.decisionId;
  if (facts.toolExecutionId) event.toolexecutionid = facts.toolExecutionId;
  if (facts.approvalRequestId) event.approvalrequestid = facts.approvalRequestId;
  const checked = validate("OperationLifecycleEvent", event);
  if (!checked.ok) {
    throw new Error(
      `executor built an invalid lifecycle event: ${checked.errors.map((e) => `${e.pointer} ${e.message}`).join("; ")}`,
    );
  }
  return checked.value;
}
