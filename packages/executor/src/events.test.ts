// Every lifecycle event is a CloudEvent the official JavaScript SDK accepts, and satisfies its contract.
import { validate } from "@workspace-ops/contracts";
import { CloudEvent, ValidationError } from "cloudevents";
import { describe, expect, it } from "vitest";
import { type EventFacts, lifecycleDataSchema, lifecycleEvent } from "./events.js";
import { traceparent } from "./testing/payloads.js";

const base = { subject: "op-1", traceparent, time: "2026-11-21T12:00:00.000Z" } as const;
const cases: EventFacts[] = [
  { ...base, kind: "started", state: "running", decisionId: "dec-1", toolExecutionId: "texec-1" },
  { ...base, kind: "progress", state: "running", step: "unit-tests", message: "Step 1 of 2 finished." },
  { ...base, kind: "failed", state: "denied", reason: "network_denied", decisionId: "dec-1" },
  { ...base, kind: "cancelled", state: "cancelled", message: "stop", approvalRequestId: "apr-1" },
  { ...base, kind: "completed", state: "succeeded" },
];

describe("lifecycle events", () => {
  it.each(cases)("$kind is a valid CloudEvent for the SDK and for the contract", (facts) => {
    const event = lifecycleEvent(facts);
    expect(new CloudEvent({ ...event } as Record<string, unknown>, true).validate()).toBe(true);
    expect(validate("OperationLifecycleEvent", event).ok).toBe(true);
    expect(event).toMatchObject({
      specversion: "1.0",
      id: expect.stringMatching(/^evt-/),
      source: "/workspace-ops/executor",
      type: `dev.workspace-ops.operation.${facts.kind}`,
      time: facts.time,
      subject: "op-1",
      operationid: "op-1",
      datacontenttype: "application/json",
      dataschema:
        "https://workspace-ops.dev/contracts/workspace-operation/v2/OperationLifecycleEvent.schema.json#/$defs/Data",
      traceparent,
    });
    // Only CloudEvents attribute names: lowercase letters and digits.
    for (const name of Object.keys(event)) expect(name).toMatch(/^[a-z0-9]+$/);
  });

  it("names the contract by dataschema, as the v1 envelope's kind and apiVersion could not", () => {
    expect(lifecycleDataSchema).toBe(
      "https://workspace-ops.dev/contracts/workspace-operation/v2/OperationLifecycleEvent.schema.json#/$defs/Data",
    );
    const v1 = {
      kind: "OperationLifecycleEvent",
      apiVersion: "workspace-ops.dev/v1",
      ...lifecycleEvent(cases[4] as EventFacts),
    };
    expect(() => new CloudEvent(v1, true)).toThrow(ValidationError);
    expect(() => new CloudEvent(v1, true)).toThrow(/invalid extension name: apiVersion/);
  });

  it("refuses to build an event its contract does not allow (a bug, so it throws)", () => {
    expect(() => lifecycleEvent({ ...base, kind: "failed", state: "failed", reason: "Not A Code" })).toThrow(
      "executor built an invalid lifecycle event: /data/reason data.reason does not have the expected form: Machine-readable reason code (lowercase snake_case); required on failed events",
    );
  });
});
