// The queue in front of every sink: publishing never waits, order is kept, retries are bounded, and
// whatever a sink did not get is counted by why.
import type { OperationLifecycleEvent } from "@workspace-ops/contracts";
import { describe, expect, it } from "vitest";
import { lifecycleEvent } from "../events.js";
import { traceparent } from "../testing/payloads.js";
import { EventDelivery } from "./delivery.js";
import { type EventSink, SinkFailure } from "./sink.js";

const event = (n: number) =>
  lifecycleEvent({
    kind: "progress",
    subject: `op-${n}`,
    state: "running",
    traceparent,
    time: "2026-11-21T12:00:00.000Z",
  });

/** A sink whose deliveries wait until the test lets them go, and which fails as told. */
function gatedSink(
  fail: (attempt: number, event: OperationLifecycleEvent) => SinkFailure | undefined = () => undefined,
) {
  const got: string[] = [];
  let attempts = 0;
  let open: () => void = () => {};
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  const sink: EventSink = {
    target: "gated",
    async deliver(e, signal) {
      attempts++;
      await Promise.race([
        gate,
        new Promise((_, reject) => signal.addEventListener("abort", () => reject(new Error("aborted")))),
      ]);
      const failure = fail(attempts, e);
      if (failure) throw failure;
      got.push(e.subject);
    },
  };
  return {
    sink,
    got,
    attempts: () => attempts,
    open: () => open(),
  };
}

const fast = { backoffMs: 1, maxBackoffMs: 2 };

describe("event delivery", () => {
  it("returns from publish before any sink has the event, and delivers in order", async () => {
    const gated = gatedSink();
    const delivery = new EventDelivery([gated.sink], fast);
    delivery.publish([event(1), event(2)]);
    delivery.publish([event(3)]);
    expect(gated.got).toEqual([]);
    expect(delivery.reports()[0]).toMatchObject({ delivered: 0, pending: 3 });
    gated.open();
    expect(await delivery.settle(5000)).toEqual([
      {
        target: "gated",
        delivered: 3,
        dropped: { queueFull: 0, failed: 0, unsent: 0 },
        retries: 0,
        pending: 0,
      },
    ]);
    expect(gated.got).toEqual(["op-1", "op-2", "op-3"]);
  });

  it("drops what does not fit a full queue, and counts it", async () => {
    const gated = gatedSink();
    const delivery = new EventDelivery([gated.sink], { ...fast, queueSize: 2 });
    delivery.publish([1, 2, 3, 4, 5].map(event));
    gated.open();
    const [report] = await delivery.settle(5000);
    expect(report).toMatchObject({ delivered: 2, dropped: { queueFull: 3, failed: 0, unsent: 0 } });
    expect(gated.got).toEqual(["op-1", "op-2"]);
  });

  it("retries a failure that may pass, with backoff, up to the limit", async () => {
    const flaky = gatedSink((attempt) =>
      attempt <= 2 ? new SinkFailure("http_503", "answered 503", true) : undefined,
    );
    flaky.open();
    const delivery = new EventDelivery([flaky.sink], { ...fast, retries: 3 });
    delivery.publish([event(1)]);
    expect((await delivery.settle(5000))[0]).toEqual({
      target: "gated",
      delivered: 1,
      dropped: { queueFull: 0, failed: 0, unsent: 0 },
      retries: 2,
      pending: 0,
      lastFailure: { code: "http_503", message: "answered 503" },
    });

    const dead = gatedSink(() => new SinkFailure("unreachable", "ECONNREFUSED", true));
    dead.open();
    const toDead = new EventDelivery([dead.sink], { ...fast, retries: 2 });
    toDead.publish([event(1), event(2)]);
    expect((await toDead.settle(5000))[0]).toMatchObject({
      delivered: 0,
      dropped: { failed: 2 },
      retries: 4,
      lastFailure: { code: "unreachable" },
    });
    expect(dead.attempts()).toBe(6);
  });

  it("does not retry a failure that cannot pass", async () => {
    const refusing = gatedSink(() => new SinkFailure("http_400", "answered 400", false));
    refusing.open();
    const delivery = new EventDelivery([refusing.sink], fast);
    delivery.publish([event(1)]);
    expect((await delivery.settle(5000))[0]).toMatchObject({
      delivered: 0,
      dropped: { failed: 1 },
      retries: 0,
    });
    expect(refusing.attempts()).toBe(1);
  });

  it("on close waits drainMs, then counts what is queued or in flight as unsent", async () => {
    const stuck = gatedSink();
    const delivery = new EventDelivery([stuck.sink], { ...fast, drainMs: 50 });
    delivery.publish([1, 2, 3].map(event));
    expect(await delivery.close()).toEqual([
      {
        target: "gated",
        delivered: 0,
        dropped: { queueFull: 0, failed: 0, unsent: 3 },
        retries: 0,
        pending: 0,
      },
    ]);
    delivery.publish([event(4)]);
    expect(delivery.reports()[0]?.dropped.unsent).toBe(4);
  });
});
