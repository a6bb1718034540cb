// Sinks against real receivers: an HTTP server started here (accepting, slow, failing, redirecting),
// files, and the executor in front of them — which never waits for a sink.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type CloudEvent, HTTP } from "cloudevents";
import { afterEach, describe, expect, it } from "vitest";
import { lifecycleEvent } from "../events.js";
import { Executor } from "../executor.js";
import { toolCall, traceparent } from "../testing/payloads.js";
import { type Receiver, startReceiver } from "../testing/receivers.js";
import { EventDelivery } from "./delivery.js";
import { openEventSink } from "./sink.js";

const event = lifecycleEvent({
  kind: "failed",
  subject: "texec-1",
  state: "denied",
  reason: "network_denied",
  traceparent,
  time: "2026-11-21T12:00:00.000Z",
  toolExecutionId: "texec-1",
});
const fast = { backoffMs: 1, maxBackoffMs: 5 };

const receivers: Receiver[] = [];
async function receiver(...args: Parameters<typeof startReceiver>) {
  const r = await startReceiver(...args);
  receivers.push(r);
  return r;
}
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

const asEvent = (request: { headers: Record<string, unknown>; body: string }) =>
  HTTP.toEvent({ headers: request.headers as Record<string, string>, body: request.body }) as CloudEvent;

describe("the HTTP sink", () => {
  it("posts each event in CloudEvents structured mode, which the SDK reads back whole", async () => {
    const r = await receiver();
    const sink = await openEventSink(`${r.url}/events`);
    await sink.deliver(event, new AbortController().signal);
    expect(r.requests).toHaveLength(1);
    const [request] = r.requests;
    expect(request).toMatchObject({ method: "POST", path: "/events" });
    expect(request?.headers["content-type"]).toBe("application/cloudevents+json; charset=utf-8");
    expect(JSON.parse(request?.body ?? "")).toEqual(event);
    const read = asEvent(request as never);
    expect(read.validate()).toBe(true);
    expect({ ...read.toJSON() }).toMatchObject(event);
  });

  it("in binary mode sends the attributes as ce- headers and data as the body", async () => {
    const r = await receiver();
    const sink = await openEventSink(r.url, { httpMode: "binary" });
    await sink.deliver(event, new AbortController().signal);
    const [request] = r.requests;
    expect(request?.headers).toMatchObject({
      "content-type": "application/json",
      "ce-specversion": "1.0",
      "ce-id": event.id,
      "ce-type": "dev.workspace-ops.operation.failed",
      "ce-source": "/workspace-ops/executor",
      "ce-subject": "texec-1",
      "ce-dataschema": event.dataschema,
      "ce-traceparent": traceparent,
      "ce-operationid": "texec-1",
      "ce-toolexecutionid": "texec-1",
    });
    expect(JSON.parse(request?.body ?? "")).toEqual({ state: "denied", reason: "network_denied" });
    expect(asEvent(request as never).validate()).toBe(true);
  });

  it("sends URL credentials as Basic authorization and never names them", async () => {
    const r = await receiver();
    const sink = await openEventSink(r.url.replace("http://", "http://ops:s%3Ecret@"));
    expect(sink.target).toBe(`${r.url}/`);
    await sink.deliver(event, new AbortController().signal);
    expect(r.requests[0]?.headers.authorization).toBe(
      `Basic ${Buffer.from("ops:s>cret").toString("base64")}`,
    );
  });

  it("retries 503 until it passes, never retries 400, and does not follow a redirect", async () => {
    const flaky = await receiver((_, n) => ({ status: n <= 2 ? 503 : 200 }));
    const refusing = await receiver(() => ({ status: 400 }));
    const redirecting = await receiver(() => ({ status: 307 }));
    const sinks = await Promise.all(
      [flaky.url, refusing.url, redirecting.url].map((url) => openEventSink(url)),
    );
    const delivery = new EventDelivery(sinks, fast);
    delivery.publish([event]);
    const reports = await delivery.settle(10_000);
    expect(reports.map((x) => [x.delivered, x.retries, x.dropped.failed, x.lastFailure?.code])).toEqual([
      [1, 2, 0, "http_503"],
      [0, 0, 1, "http_400"],
      [0, 0, 1, "http_307"],
    ]);
    expect([flaky, refusing, redirecting].map((x) => x.requests.length)).toEqual([3, 1, 1]);
    expect(reports[2]?.lastFailure?.message).toBe(
      `${redirecting.url}/ answered 307 (redirects are not followed)`,
    );
  });

  it("counts an unreachable receiver as failed after its retries", async () => {
    const gone = await receiver();
    await gone.close();
    receivers.length = 0;
    const delivery = new EventDelivery([await openEventSink(gone.url)], { ...fast, retries: 2 });
    delivery.publish([event]);
    const [report] = await delivery.settle(10_000);
    expect(report).toMatchObject({
      delivered: 0,
      retries: 2,
      dropped: { failed: 1 },
      lastFailure: { code: "unreachable" },
    });
    expect(report?.lastFailure?.message).toBe(`${gone.url}/: ECONNREFUSED`);
  });

  it("gives up on an attempt that takes longer than its timeout", async () => {
    const slow = await receiver(() => ({ status: 200, delayMs: 2000 }));
    const delivery = new EventDelivery([await openEventSink(slow.url, { httpTimeoutMs: 100 })], {
      ...fast,
      retries: 0,
    });
    delivery.publish([event]);
    const [report] = await delivery.settle(10_000);
    expect(report?.lastFailure).toEqual({
      code: "timeout",
      message: `no answer from ${slow.url}/ within 100 ms`,
    });
  });
});

describe("targets", () => {
  it("appends JSONL to a file, and refuses what cannot be a sink", async () => {
    const dir = mkdtempSync(join(tmpdir(), "wsops-sink-"));
    const path = join(dir, "events.jsonl");
    writeFileSync(path, "");
    const sink = await openEventSink(path);
    await sink.deliver(event, new AbortController().signal);
    await sink.deliver(event, new AbortController().signal);
    await sink.close?.();
    expect(
      readFileSync(path, "utf8")
        .trimEnd()
        .split("\n")
        .map((l) => JSON.parse(l)),
    ).toEqual([event, event]);
    await expect(openEventSink(join(dir, "missing", "events.jsonl"))).rejects.toMatchObject({
      code: "sink_unavailable",
      message: `cannot open ${join(dir, "missing", "events.jsonl")} for events: ENOENT`,
    });
    await expect(openEventSink("ftp://example.com/x")).rejects.toMatchObject({
      code: "sink_invalid",
      message: "events can go to -, a file or an http(s):// URL, not a ftp:// URL",
    });
    await expect(openEventSink("http://[::1")).rejects.toMatchObject({
      code: "sink_invalid",
      message: '"http://[::1" is not a valid URL',
    });
  });
});

describe("the executor and its sinks", () => {
  const open = async (sinks: string[], options = {}) => {
    const workspaceRoot = mkdtempSync(join(tmpdir(), "wsops-sinks-"));
    writeFileSync(join(workspaceRoot, "notes.txt"), "hello\n");
    return Executor.open({
      workspaceRoot,
      mode: "governed",
      sandbox: { backend: "process" },
      sinks,
      ...options,
    });
  };

  it("finishes a call while the sink holds its first event; what it never got is counted, and is in the store", async () => {
    const held = await receiver(() => "hold");
    const executor = await open([held.url], { delivery: { drainMs: 200 } });
    const outcome = await executor.exec(toolCall(["cat", "notes.txt"]));
    expect(outcome).toMatchObject({ kind: "finished", result: { outcome: "succeeded" } });
    await held.waitFor(1);
    // The call is over, and the receiver has not answered its first request yet.
    expect(executor.eventDelivery()[0]).toMatchObject({ delivered: 0, pending: 2 });
    const id = outcome.kind === "finished" ? outcome.result.toolExecutionId : "";
    const stored = (await executor.records(id)).filter((r) => r.type === "event").map((r) => r.data);
    await executor.close();
    expect(executor.eventDelivery()).toEqual([
      {
        target: `${held.url}/`,
        delivered: 0,
        dropped: { queueFull: 0, failed: 0, unsent: 2 },
        retries: 0,
        pending: 0,
      },
    ]);
    expect(stored.map((e) => (e as { type: string }).type)).toEqual([
      "dev.workspace-ops.operation.started",
      "dev.workspace-ops.operation.completed",
    ]);
  });

  it("delivers exactly the events the store holds, in order, to every sink", async () => {
    const r = await receiver();
    const file = join(mkdtempSync(join(tmpdir(), "wsops-sinks-file-")), "events.jsonl");
    const executor = await open([r.url, file]);
    const outcome = await executor.exec(toolCall(["cat", "notes.txt"]));
    const id = outcome.kind === "finished" ? outcome.result.toolExecutionId : "";
    const events = (await executor.records(id)).filter((r) => r.type === "event").map((r) => r.data);
    await executor.close();
    expect(events).toHaveLength(2);
    expect(r.requests.map((q) => JSON.parse(q.body))).toEqual(events);
    expect(
      readFileSync(file, "utf8")
        .trimEnd()
        .split("\n")
        .map((l) => JSON.parse(l)),
    ).toEqual(events);
    expect(executor.eventDelivery().map((x) => [x.delivered, x.dropped])).toEqual([
      [2, { queueFull: 0, failed: 0, unsent: 0 }],
      [2, { queueFull: 0, failed: 0, unsent: 0 }],
    ]);
  });
});
