// wsops exec with the standard OTEL_* variables, against a real OTLP/HTTP receiver started here: the
// spans are exported before the process exits, continue the caller's TRACEPARENT, and carry no planted
// secret. Without the variables nothing is exported and the command gets the caller's traceparent.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type Receiver, spansOf, startReceiver } from "../../packages/executor/dist/testing/receivers.js";
import { execIn } from "./run-cli-async.js";

const trace = "5b8aa5a2d2c872e8321cf37308d69df2";
const callerSpan = "051581bf3cb55c13";
const TRACEPARENT = `00-${trace}-${callerSpan}-01`;
const plantedSession = `ghp_${"PlantedInTheSessionId".padEnd(36, "q")}`;
const plantedArg = "--password=hunter2-planted-in-argv";
const plantedEnv = "planted-env-value-c41d";

const receivers: Receiver[] = [];
afterAll(async () => {
  await Promise.all(receivers.map((r) => r.close()));
});

async function setUp() {
  const receiver = await startReceiver();
  receivers.push(receiver);
  const workspace = mkdtempSync(join(tmpdir(), "wsops-trace-cli-"));
  writeFileSync(join(workspace, "notes.txt"), "hello\n");
  return { receiver, workspace };
}

const exec = (workspace: string, env: NodeJS.ProcessEnv, ...argv: string[]) =>
  // Whatever OTEL_* the test runner has is not this test's: only what a case sets.
  execIn(workspace, ["--json", ...argv], {
    OTEL_EXPORTER_OTLP_ENDPOINT: undefined,
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: undefined,
    OTEL_TRACES_EXPORTER: undefined,
    OTEL_SDK_DISABLED: undefined,
    TRACEPARENT,
    WSOPS_PLANTED_SECRET: plantedEnv,
    ...env,
  });

describe("wsops exec with OTEL_EXPORTER_OTLP_ENDPOINT", () => {
  it("exports the call's spans before it exits, under the caller's TRACEPARENT, the command under the run span", async () => {
    const { receiver, workspace } = await setUp();
    const run = await exec(
      workspace,
      { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url },
      "--",
      "printenv",
      "traceparent",
    );
    expect([run.code, run.stderr]).toEqual([0, ""]);
    const result = JSON.parse(run.stdout);
    const spans = spansOf(receiver.requests);
    expect(spans.map((s) => s.name).sort()).toEqual(["wsops.decision", "wsops.run", "wsops.tool_call"]);
    const named = Object.fromEntries(spans.map((s) => [s.name, s]));
    const call = named["wsops.tool_call"];
    expect(spans.every((s) => s.traceId === trace)).toBe(true);
    expect(call?.parentSpanId).toBe(callerSpan);
    expect([named["wsops.decision"]?.parentSpanId, named["wsops.run"]?.parentSpanId]).toEqual([
      call?.spanId,
      call?.spanId,
    ]);
    expect(result.output.stdout.preview).toBe(`00-${trace}-${named["wsops.run"]?.spanId}-01\n`);
    expect(call?.attributes).toMatchObject({
      "wsops.tool_execution.id": result.toolExecutionId,
      "wsops.outcome": "succeeded",
      "wsops.decision.id": result.decisionId,
      "wsops.tool.name": "printenv",
    });
    expect(named["wsops.decision"]?.attributes).toMatchObject({
      "wsops.decision": "allow",
      "wsops.decision.rule": "read_only",
    });
    expect(call?.resource).toMatchObject({ "service.name": "wsops" });
  });

  it("puts no argv value, environment value or secret-shaped id in what it exports", async () => {
    const { receiver, workspace } = await setUp();
    const run = await exec(
      workspace,
      { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.url}/v1/traces` },
      "--session",
      plantedSession,
      "--",
      "echo",
      plantedArg,
    );
    expect(run.code).toBe(0);
    // The command ran with it; the result it returns is redacted at the write boundary.
    expect(JSON.parse(run.stdout).output.stdout.preview).toBe("--password=[REDACTED:generic-secret]\n");
    const exported = receiver.requests.map((r) => r.body).join("\n");
    expect(spansOf(receiver.requests)).toHaveLength(3);
    for (const planted of [plantedArg, "hunter2", plantedSession, plantedEnv])
      expect(exported).not.toContain(planted);
  });

  it("exports nothing without the variables, or with OTEL_TRACES_EXPORTER=none; the command gets TRACEPARENT", async () => {
    const { receiver, workspace } = await setUp();
    const off = await exec(workspace, {}, "--", "printenv", "traceparent");
    expect(JSON.parse(off.stdout).output.stdout.preview).toBe(`${TRACEPARENT}\n`);
    const none = await exec(
      workspace,
      { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_TRACES_EXPORTER: "none" },
      "--",
      "printenv",
      "traceparent",
    );
    expect(JSON.parse(none.stdout).output.stdout.preview).toBe(`${TRACEPARENT}\n`);
    expect(receiver.requests).toEqual([]);
  });
});
