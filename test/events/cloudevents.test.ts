// Every lifecycle event the demo emits, and every HTTP message the sink sends (structured and binary
// mode), is accepted by both official CloudEvents SDKs — JavaScript (cloudevents 10) and Python
// (cloudevents 2.2) — and each SDK reads back exactly the event the store holds.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { validate } from "@workspace-ops/contracts";
import { CloudEvent, HTTP } from "cloudevents";
import { afterAll, describe, expect, it } from "vitest";
import { type Receiver, startReceiver } from "../../packages/executor/dist/testing/receivers.js";
import { asPythonSees, instants, pythonSdk } from "./python-sdk.js";
import { execIn, storedEvents } from "./run-cli-async.js";

const receivers: Receiver[] = [];
afterAll(async () => {
  await Promise.all(receivers.map((r) => r.close()));
});

describe("the demo's lifecycle events", () => {
  it("are CloudEvents both official SDKs accept, read back as written", async () => {
    const eventsFile = join(mkdtempSync(join(tmpdir(), "wsops-demo-events-")), "events.jsonl");
    // The demo's own scenario (npm run demo), with its events file here.
    const scenario = new URL("../../examples/scenarios/governed-execution.mjs", import.meta.url).href;
    const { executorScenario } = (await import(scenario)) as {
      executorScenario: (options: { eventsFile: string }) => Promise<{ problems: string[] }>;
    };
    expect((await executorScenario({ eventsFile })).problems).toEqual([]);
    const lines = readFileSync(eventsFile, "utf8").trimEnd().split("\n");
    const events = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(new Set(events.map((e) => e.type))).toEqual(
      new Set([
        "dev.workspace-ops.operation.started",
        "dev.workspace-ops.operation.progress",
        "dev.workspace-ops.operation.completed",
        "dev.workspace-ops.operation.failed",
      ]),
    );
    for (const event of events) {
      expect(new CloudEvent(event, true).validate()).toBe(true);
      expect(validate("OperationLifecycleEvent", event)).toMatchObject({ ok: true });
    }
    const python = pythonSdk({ structured: lines });
    expect(python.sdk).toBe("2.2.0");
    expect(instants(python.results)).toEqual(
      events.map((event, index) => ({ index, form: "structured", ok: true, ...asPythonSees(event) })),
    );
  });
});

describe("the HTTP sink's messages", () => {
  it.each(["structured", "binary"])(
    "in %s mode, both SDKs read each message as the event stored",
    async (mode) => {
      const receiver = await startReceiver();
      receivers.push(receiver);
      const workspace = mkdtempSync(join(tmpdir(), "wsops-ce-http-"));
      writeFileSync(join(workspace, "notes.txt"), "hello\n");
      const ids = ["texec-ce-ok", "texec-ce-denied"].map((id) => `${id}-${mode}`);
      for (const [id, argv] of [
        [ids[0], ["cat", "notes.txt"]],
        [ids[1], ["curl", "https://example.com"]],
      ] as const) {
        const request = join(workspace, "..", `${id}.json`);
        writeFileSync(request, JSON.stringify(toolCallRequest(id as string, argv as unknown as string[])));
        const run = await execIn(workspace, [
          "--events",
          receiver.url,
          "--events-mode",
          mode,
          "--request",
          request,
        ]);
        // Every event got through: no summary of undelivered events.
        expect(run.stderr).not.toContain("wsops: events:");
      }
      const stored = ids.flatMap((id) => storedEvents(workspace, id as string));
      expect(stored.map((e) => e.type)).toEqual([
        "dev.workspace-ops.operation.started",
        "dev.workspace-ops.operation.completed",
        "dev.workspace-ops.operation.failed",
      ]);
      const messages = receiver.requests.map((r) => ({
        headers: r.headers as Record<string, unknown>,
        body: r.body,
      }));
      expect(messages.map((m) => m.headers["content-type"])).toEqual(
        stored.map(() =>
          mode === "binary" ? "application/json" : "application/cloudevents+json; charset=utf-8",
        ),
      );
      expect(messages.map((m) => ({ ...(HTTP.toEvent(m as never) as CloudEvent).toJSON() }))).toEqual(stored);
      expect(instants(pythonSdk({ http: messages }).results)).toEqual(
        stored.map((event, index) => ({ index, form: "http", ok: true, ...asPythonSees(event) })),
      );
    },
  );
});

function toolCallRequest(id: string, argv: string[]) {
  return {
    kind: "ToolExecutionRequest",
    apiVersion: "workspace-ops.dev/v1",
    toolExecutionId: id,
    requestedAt: new Date().toISOString(),
    context: {
      organizationId: "org-acme",
      workspaceId: "ws-demo",
      sessionId: "sess-ce",
      agentRunId: "run-ce",
      agentRunStepId: `${id}-step`,
      actor: { type: "agent", id: "agent-coder-1" },
      surface: "cli",
      cwd: ".",
    },
    tool: { kind: "shell", name: argv[0], argv },
    correlation: { traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" },
  };
}
