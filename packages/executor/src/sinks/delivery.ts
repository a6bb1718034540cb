// Hands events to the sinks without ever making the pipeline wait: one bounded queue per sink, drained
// in the background, in order, with bounded retries and backoff. What a sink could not get is counted,
// never lost: every event is in the store before it is published.
import { setTimeout as sleep } from "node:timers/promises";
import type { OperationLifecycleEvent } from "@workspace-ops/contracts";
import { type EventSink, SinkFailure } from "./sink.js";

export interface DeliveryOptions {
  /** Events waiting per sink; beyond that new events are dropped for that sink (default 1000). */
  queueSize?: number;
  /** Attempts after the first when a failure may pass (unreachable, timeout, 408/429/5xx) (default 3). */
  retries?: number;
  /** Wait before the first retry, doubled for each next one up to maxBackoffMs, with jitter (default 100). */
  backoffMs?: number;
  /** Default 2000. */
  maxBackoffMs?: number;
  /** How long close() lets the queues drain before it counts what is left as unsent (default 3000). */
  drainMs?: number;
}

/** What one sink got, and what it did not. */
export interface SinkReport {
  target: string;
  delivered: number;
  /** Events this sink never got (they are in the store all the same). */
  dropped: {
    /** Its queue was full. */
    queueFull: number;
    /** Every attempt failed, or the failure could not pass (a 4xx). */
    failed: number;
    /** Still queued or in flight when the executor closed. */
    unsent: number;
  };
  /** Attempts after a failed one. */
  retries: number;
  /** Waiting or in flight now. */
  pending: number;
  lastFailure?: { code: string; message: string };
}

export const droppedCount = (report: SinkReport): number =>
  report.dropped.queueFull + report.dropped.failed + report.dropped.unsent;

class SinkQueue {
  readonly #queue: OperationLifecycleEvent[] = [];
  #busy = false;
  #idle: Promise<void> = Promise.resolve();
  readonly #stopping = new AbortController();
  readonly report: SinkReport;

  constructor(
    readonly sink: EventSink,
    private readonly options: Required<DeliveryOptions>,
  ) {
    this.report = {
      target: sink.target,
      delivered: 0,
      dropped: { queueFull: 0, failed: 0, unsent: 0 },
      retries: 0,
      pending: 0,
    };
  }

  push(event: OperationLifecycleEvent): void {
    if (this.#stopping.signal.aborted || this.#queue.length >= this.options.queueSize) {
      this.report.dropped[this.#stopping.signal.aborted ? "unsent" : "queueFull"]++;
      return;
    }
    this.#queue.push(event);
    this.report.pending++;
    if (this.#busy) return;
    this.#busy = true;
    // Started on the next turn of the event loop: the commit path that published goes on first.
    this.#idle = new Promise<void>((started) => setImmediate(started)).then(() => this.#work());
  }

  async #work(): Promise<void> {
    try {
      for (let event = this.#queue.shift(); event; event = this.#queue.shift()) {
        await this.#deliver(event);
        this.report.pending--;
      }
    } finally {
      this.#busy = false;
    }
  }

  async #deliver(event: OperationLifecycleEvent): Promise<void> {
    const { signal } = this.#stopping;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.sink.deliver(event, signal);
        this.report.delivered++;
        return;
      } catch (error) {
        if (signal.aborted) {
          this.report.dropped.unsent++;
          return;
        }
        const failure =
          error instanceof SinkFailure ? error : new SinkFailure("sink_error", String(error), false);
        this.report.lastFailure = { code: failure.code, message: failure.message };
        if (!failure.retry || attempt >= this.options.retries) {
          this.report.dropped.failed++;
          return;
        }
        this.report.retries++;
        const backoff = Math.min(this.options.maxBackoffMs, this.options.backoffMs * 2 ** attempt);
        try {
          await sleep(backoff / 2 + Math.random() * (backoff / 2), undefined, { signal });
        } catch {
          this.report.dropped.unsent++;
          return;
        }
      }
    }
  }

  /** Resolves when the queue is empty, or after `ms`. */
  async settle(ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    while (this.#busy && Date.now() < deadline) {
      const timer = new AbortController();
      await Promise.race([
        this.#idle,
        sleep(deadline - Date.now(), undefined, { signal: timer.signal }),
      ]).catch(() => undefined);
      timer.abort();
    }
  }

  /** Waits up to `ms`, then gives up on what is left (counted unsent) and closes the sink. */
  async close(ms: number): Promise<void> {
    await this.settle(ms);
    this.#stopping.abort();
    this.report.dropped.unsent += this.#queue.length;
    this.#queue.length = 0;
    await this.#idle.catch(() => undefined);
    this.report.pending = 0;
    await this.sink.close?.().catch(() => undefined);
  }
}

/** Publishes each event to every sink's queue. */
export class EventDelivery {
  readonly #queues: SinkQueue[];
  readonly #options: Required<DeliveryOptions>;

  constructor(sinks: readonly EventSink[], options: DeliveryOptions = {}) {
    this.#options = {
      queueSize: options.queueSize ?? 1000,
      retries: options.retries ?? 3,
      backoffMs: options.backoffMs ?? 100,
      maxBackoffMs: options.maxBackoffMs ?? 2000,
      drainMs: options.drainMs ?? 3000,
    };
    this.#queues = sinks.map((sink) => new SinkQueue(sink, this.#options));
  }

  /** Never waits: each sink's queue takes the events or counts them dropped. */
  publish(events: readonly OperationLifecycleEvent[]): void {
    for (const queue of this.#queues) for (const event of events) queue.push(event);
  }

  reports(): SinkReport[] {
    return this.#queues.map((q) => structuredClone(q.report));
  }

  /** Waits until every queue is empty, or `ms` passed; the reports then. */
  async settle(ms = this.#options.drainMs): Promise<SinkReport[]> {
    await Promise.all(this.#queues.map((q) => q.settle(ms)));
    return this.reports();
  }

  /** Lets the queues drain for up to `drainMs`, counts what is left unsent, closes the sinks. */
  async close(): Promise<SinkReport[]> {
    await Promise.all(this.#queues.map((q) => q.close(this.#options.drainMs)));
    return this.reports();
  }
}
