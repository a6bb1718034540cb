// OperationLifecycleEvents: CloudEvents 1.0 built with the official SDK, which refuses an envelope the
// specification does not allow, then checked against their contract before they leave.
import { createRequire } from "node:module";
import { contracts, errorsInOneLine, type OperationLifecycleEvent, validate } from "@workspace-ops/contracts";
import { newId } from "./ids.js";
import type { State } from "./state-machine.js";

export type EventKind = "started" | "progress" | "failed" | "retried" | "cancelled" | "completed";

type CloudEventsSdk = typeof import("cloudevents");
const require = createRequire(import.meta.url);
let sdk: CloudEventsSdk | undefined;

/** The CloudEvents SDK, loaded with the first event: commands that emit none never load it. */
export const cloudEvents = (): CloudEventsSdk => {
  sdk ??= require("cloudevents") as CloudEventsSdk;
  return sdk;
};

/** `dataschema` of every lifecycle event: the contract's $id (its name and major version) and Data. */
export const lifecycleDataSchema = `${contracts.OperationLifecycleEvent.id}#/$defs/Data`;

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

/**
 * Builds the event and proves it is a CloudEvent and satisfies the contract; an invalid event is a
 * bug, so it throws.
 */
export function lifecycleEvent(facts: EventFacts): OperationLifecycleEvent {
  const data: Record<string, unknown> = { state: facts.state };
  if (facts.step) data.step = facts.step;
  if (facts.message) data.message = facts.message.slice(0, 4096);
  if (facts.reason) data.reason = facts.reason;
  const attributes: Record<string, unknown> = {
    specversion: "1.0",
    id: newId("evt"),
    source: "/workspace-ops/executor",
    type: `dev.workspace-ops.operation.${facts.kind}`,
    time: facts.time,
    subject: facts.subject,
    datacontenttype: "application/json",
    dataschema: lifecycleDataSchema,
    traceparent: facts.traceparent,
    operationid: facts.subject,
    data,
  };
  if (facts.decisionId) attributes.decisionid = facts.decisionId;
  if (facts.toolExecutionId) attributes.toolexecutionid = facts.toolExecutionId;
  if (facts.approvalRequestId) attributes.approvalrequestid = facts.approvalRequestId;
  const { CloudEvent } = cloudEvents();
  // Strict: the SDK validates the envelope against the CloudEvents 1.0 schema and attribute names.
  const event = plainEvent(new CloudEvent(attributes, true));
  const checked = validate("OperationLifecycleEvent", event);
  if (!checked.ok) {
    throw new Error(`executor built an invalid lifecycle event: ${errorsInOneLine(checked.errors)}`);
  }
  return checked.value;
}

/** The structured-mode JSON object of a CloudEvent, without the attributes it leaves unset. */
function plainEvent(event: object): Record<string, unknown> {
  const plain: Record<string, unknown> = {};
  for (const [name, value] of Object.entries((event as { toJSON(): object }).toJSON()))
    if (value !== undefined) plain[name] = value;
  return plain;
}
