// Spans against a real OTLP/HTTP receiver started here, exported by the real OTLP HTTP exporter: their
// names, parents and attributes, the traceparent the command gets, and no secret in any of them.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { BasicTracerProvider, BatchSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { afterEach, describe, expect, it } from "vitest";
import { Executor, type ExecutorOptions } from "../executor.js";
import {
  alice,
  execution,
  operation,
  profile,
  step,
  T0,
  toolCall,
  traceparent,
} from "../testing/payloads.js";
import { type ReceivedSpan, type Receiver, spansOf, startReceiver } from "../testing/receivers.js";
import { otlpRequested } from "./tracing.js";

const callerTrace = "4bf92f3577b34da6a3ce929d0e0e4736";
const callerSpan = "00f067aa0ba902b7";
const plantedArg = "password=hunter2-planted-in-argv";
const plantedSession = `ghp_${"Planted0Session0Token".padEnd(36, "x")}`;
const plantedEnv = "planted-env-value-7f3e9a";

const receivers: Receiver[] = [];
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

async function open(options: Partial<ExecutorOptions>) {
  const workspaceRoot = mkdtempSync(join(tmpdir(), "wsops-trace-"));
  writeFileSync(join(workspaceRoot, "notes.txt"), "hello\n");
  return Executor.open({ workspaceRoot, mode: "governed", sandbox: { backend: "process" }, ...options });
}

async function collector() {
  const receiver = await startReceiver();
  receivers.push(receiver);
  const provider = new BasicTracerProvider({
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: `${receiver.url}/v1/traces` }))],
  });
  return {
    receiver,
    provider,
    spans: async () => {
      await provider.forceFlush();
      return spansOf(receiver.requests);
    },
  };
}

const byName = (spans: ReceivedSpan[], name: string) => spans.filter((s) => s.name === name);
const one = (spans: ReceivedSpan[], name: string) => {
  const found = byName(spans, name);
  if (found.length !== 1) throw new Error(`${found.length} spans named ${name}: ${spans.map((s) => s.name)}`);
  return found[0] as ReceivedSpan;
};

describe("whether tracing is on", () => {
  it.each([
    [{}, false],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318" }, true],
    [{ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://collector:4318/v1/traces" }, true],
    [{ OTEL_TRACES_EXPORTER: "otlp" }, true],
    [{ OTEL_TRACES_EXPORTER: "console,otlp" }, true],
    [{ OTEL_TRACES_EXPORTER: "none", OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318" }, false],
    [{ OTEL_SDK_DISABLED: "true", OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318" }, false],
  ])("%j → %s", (env, on) => {
    expect(otlpRequested(env)).toBe(on);
  });
});

describe("tracing off", () => {
  it("is a no-op, and the command gets the caller's traceparent", async () => {
    const executor = await open({ tracing: "off" });
    expect(executor.context.tracing.enabled).toBe(false);
    const outcome = await executor.exec(toolCall(["printenv", "traceparent"]));
    expect(outcome).toMatchObject({ result: { output: { stdout: { preview: `${traceparent}\n` } } } });
    await executor.close();
  });
});

describe("tracing on", () => {
  it("makes a tool call a span with its decision and run as children, parented by the caller", async () => {
    const { provider, spans } = await collector();
    const executor = await open({ tracing: { tracerProvider: provider } });
    const request = toolCall(["printenv", "traceparent"]);
    const outcome = await executor.exec(request);
    if (outcome.kind !== "finished") throw new Error(JSON.stringify(outcome));
    const id = request.toolExecutionId;
    const all = await spans();
    const call = one(all, "wsops.tool_call");
    const decision = one(all, "wsops.decision");
    const run = one(all, "wsops.run");
    expect(all.map((s) => s.traceId)).toEqual(all.map(() => callerTrace));
    expect([call.parentSpanId, decision.parentSpanId, run.parentSpanId]).toEqual([
      callerSpan,
      call.spanId,
      call.spanId,
    ]);
    // The command continues the trace from its run span.
    expect(outcome.result.output?.stdout.preview).toBe(`00-${callerTrace}-${run.spanId}-01\n`);
    const decisionId = outcome.result.decisionId;
    expect(call.attributes).toEqual({
      "wsops.tool_execution.id": id,
      "wsops.session.id": "sess-1",
      "wsops.agent_run.id": "run-1",
      "wsops.tool.kind": "shell",
      "wsops.tool.name": "printenv",
      "wsops.mode": "governed",
      "wsops.outcome": "succeeded",
      "wsops.decision.id": decisionId,
      "wsops.exit_code": 0,
    });
    expect(decision.attributes).toEqual({
      "wsops.subject.id": id,
      "wsops.decision": "allow",
      "wsops.decision.id": decisionId,
      "wsops.decision.rule": "read_only",
      "wsops.decision.class": "read_only",
      "wsops.policy.revision": expect.any(String),
    });
    expect(run.attributes).toEqual({
      "wsops.tool_execution.id": id,
      "wsops.outcome": "succeeded",
      "wsops.exit_code": 0,
      "wsops.sandbox.backend": "process",
      "wsops.sandbox.isolation": "none",
      "wsops.sandbox.network": "host",
    });
    // Each lifecycle event names the span it was emitted in.
    const events = (await executor.records(id)).filter((r) => r.type === "event");
    expect(events.map((r) => (r.data as { traceparent: string }).traceparent)).toEqual([
      `00-${callerTrace}-${call.spanId}-01`,
      `00-${callerTrace}-${call.spanId}-01`,
    ]);
    await executor.close();
  });

  it("puts no argv value, environment value or secret-shaped id in any span", async () => {
    const { receiver, provider, spans } = await collector();
    process.env.WSOPS_PLANTED_SECRET = plantedEnv;
    try {
      const executor = await open({ tracing: { tracerProvider: provider } });
      const request = toolCall(["echo", plantedArg]);
      request.context.sessionId = plantedSession;
      expect(await executor.exec(request)).toMatchObject({ result: { outcome: "succeeded" } });
      const all = await spans();
      expect(one(all, "wsops.tool_call").attributes["wsops.session.id"]).toBe("[REDACTED:github-token]");
      await executor.close();
    } finally {
      delete process.env.WSOPS_PLANTED_SECRET;
    }
    const exported = receiver.requests.map((r) => r.body).join("\n");
    expect(exported).toContain("wsops.tool_call");
    for (const planted of [plantedArg, "hunter2", plantedSession, plantedEnv])
      expect(exported).not.toContain(planted);
  });

  it("spans an approval wait, then the run after it", async () => {
    const { provider, spans } = await collector();
    const executor = await open({ tracing: { tracerProvider: provider } });
    const request = toolCall(["rm", "notes.txt"]);
    const waiting = executor.exec(request, { wait: true, waitTimeoutMs: 20_000 });
    let approvalRequestId: string | undefined;
    while (!approvalRequestId) {
      approvalRequestId = (await executor.status(request.toolExecutionId))?.approvalRequestId;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(await executor.approve(approvalRequestId, alice)).toMatchObject({ ok: true });
    expect(await waiting).toMatchObject({ result: { outcome: "succeeded" } });
    const all = await spans();
    const call = one(all, "wsops.tool_call");
    const wait = one(all, "wsops.approval.wait");
    expect([wait.parentSpanId, one(all, "wsops.run").parentSpanId]).toEqual([call.spanId, call.spanId]);
    expect(wait.attributes).toEqual({
      "wsops.tool_execution.id": request.toolExecutionId,
      "wsops.approval_request.id": approvalRequestId,
      "wsops.approval.state": "approved",
    });
    expect(one(all, "wsops.decision").attributes).toMatchObject({
      "wsops.decision": "approval_required",
      "wsops.decision.rule": "destructive_needs_approval",
    });
    expect(call.attributes).toMatchObject({
      "wsops.outcome": "succeeded",
      "wsops.approval_request.id": approvalRequestId,
    });
    await executor.close();
  });

  it("makes an operation a span with its decision and one span per step, each step's command under it", async () => {
    const { provider, spans } = await collector();
    // The payloads' delegation is valid on the day of T0.
    const executor = await open({ tracing: { tracerProvider: provider }, now: () => new Date(T0) });
    await executor.submit(operation("agent_machine.profile.create", profile()));
    const op = operation(
      "agent_machine.execution.start",
      execution([step("one", ["ls"]), step("two", ["printenv", "traceparent"])]),
    );
    expect(await executor.submit(op)).toMatchObject({ kind: "finished", state: "succeeded" });
    const id = op.workspaceOperation.operationId;
    const all = (await spans()).filter(
      (s) => s.attributes["wsops.operation.id"] === id || s.attributes["wsops.subject.id"] === id,
    );
    const root = one(all, "wsops.operation");
    const steps = byName(all, "wsops.operation.step");
    expect(root.parentSpanId).toBe(callerSpan);
    expect([one(all, "wsops.decision").parentSpanId, ...steps.map((s) => s.parentSpanId)]).toEqual([
      root.spanId,
      root.spanId,
      root.spanId,
    ]);
    expect(steps.map((s) => s.attributes)).toEqual([
      {
        "wsops.operation.id": id,
        "wsops.step.name": "one",
        "wsops.step.index": 0,
        "wsops.outcome": "succeeded",
        "wsops.exit_code": 0,
        "wsops.sandbox.backend": "process",
        "wsops.sandbox.isolation": "none",
        "wsops.sandbox.network": "host",
      },
      {
        "wsops.operation.id": id,
        "wsops.step.name": "two",
        "wsops.step.index": 1,
        "wsops.outcome": "succeeded",
        "wsops.exit_code": 0,
        "wsops.sandbox.backend": "process",
        "wsops.sandbox.isolation": "none",
        "wsops.sandbox.network": "host",
      },
    ]);
    expect(root.attributes).toEqual({
      "wsops.operation.id": id,
      "wsops.operation.type": "agent_machine.execution.start",
      "wsops.outcome": "succeeded",
    });
    const stepTwo = (await executor.records(id)).filter((r) => r.type === "step_result")[1]?.data as {
      stdout: { preview: string };
    };
    expect(stepTwo.stdout.preview).toBe(`00-${callerTrace}-${steps[1]?.spanId}-01\n`);
    await executor.close();
  });

  it("from the OTEL_* variables: loads the SDK, exports over OTLP/HTTP and flushes on close", async () => {
    const receiver = await startReceiver();
    receivers.push(receiver);
    const saved = { ...process.env };
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = receiver.url;
    process.env.OTEL_SERVICE_NAME = "wsops-under-test";
    try {
      const executor = await open({});
      expect(executor.context.tracing.enabled).toBe(true);
      await executor.exec(toolCall(["ls"]));
      await executor.close();
    } finally {
      process.env = saved;
    }
    const all = spansOf(receiver.requests);
    expect(all.map((s) => s.name).sort()).toEqual(["wsops.decision", "wsops.run", "wsops.tool_call"]);
    expect(all[0]?.resource).toMatchObject({ "service.name": "wsops-under-test" });
  });
});
