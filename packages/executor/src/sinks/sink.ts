// What an event sink is, and how a target (`-`, a file, an http(s) URL) becomes one.
import { open } from "node:fs/promises";
import { resolve } from "node:path";
import type { OperationLifecycleEvent } from "@workspace-ops/contracts";
import { httpSink } from "./http-sink.js";

/** Where lifecycle events go besides the store, which always has them. */
export interface EventSink {
  /** What it delivers to, as reports name it: "-", a file's path, or a URL without its credentials. */
  readonly target: string;
  /**
   * One attempt to deliver one event; rejects with a SinkFailure when the event did not arrive.
   * `signal` aborts the attempt (the process is ending).
   */
  deliver(event: OperationLifecycleEvent, signal: AbortSignal): Promise<void>;
  /** Releases what the sink holds (a file handle), after its last delivery. */
  close?(): Promise<void>;
}

/** An in-process listener: called with each event, in order, after the commit that made it durable. */
export type EventListener = (event: OperationLifecycleEvent) => void | Promise<void>;

/** Why one delivery attempt failed; `retry` is false when another attempt cannot do better (a 4xx). */
export class SinkFailure extends Error {
  override readonly name = "SinkFailure";
  constructor(
    readonly code: string,
    message: string,
    readonly retry: boolean,
  ) {
    super(message);
  }
}

/** A target that cannot be a sink: an unknown scheme, a malformed URL, a file that cannot be opened. */
export class SinkTargetError extends Error {
  override readonly name = "SinkTargetError";
  constructor(
    readonly code: "sink_invalid" | "sink_unavailable",
    message: string,
  ) {
    super(message);
  }
}

export interface SinkTargetOptions {
  /** HTTP: CloudEvents structured mode (default: the event as the JSON body) or binary (ce-* headers, data as body). */
  httpMode?: "structured" | "binary";
  /** HTTP: how long one attempt may take (default 5000 ms). */
  httpTimeoutMs?: number;
}

/** `-` is stdout, `http://…` and `https://…` an HTTP endpoint, anything else a file (appended to). */
export async function openEventSink(target: string, options: SinkTargetOptions = {}): Promise<EventSink> {
  if (target === "-") return stdoutSink();
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(target)?.[1]?.toLowerCase();
  if (scheme === "http" || scheme === "https") {
    let url: URL;
    try {
      url = new URL(target);
    } catch {
      throw new SinkTargetError("sink_invalid", `${JSON.stringify(target)} is not a valid URL`);
    }
    return httpSink(url, options);
  }
  if (scheme !== undefined)
    throw new SinkTargetError(
      "sink_invalid",
      `events can go to -, a file or an http(s):// URL, not a ${scheme}:// URL`,
    );
  return fileSink(resolve(target));
}

/** Opens each target in turn; when one fails, those already open are closed again. */
export async function openEventSinks(
  sinks: readonly (string | EventSink | EventListener)[],
  options: SinkTargetOptions = {},
): Promise<EventSink[]> {
  const opened: EventSink[] = [];
  try {
    for (const sink of sinks)
      opened.push(
        typeof sink === "string"
          ? await openEventSink(sink, options)
          : typeof sink === "function"
            ? listenerSink(sink)
            : sink,
      );
    return opened;
  } catch (error) {
    await Promise.all(opened.map((sink) => sink.close?.()));
    throw error;
  }
}

/** The event as one line of JSON (structured mode). */
const line = (event: OperationLifecycleEvent) => `${JSON.stringify(event)}\n`;

export function stdoutSink(): EventSink {
  return {
    target: "-",
    deliver: (event) =>
      new Promise((done, fail) =>
        process.stdout.write(line(event), (error) =>
          error ? fail(new SinkFailure("write_failed", error.message, false)) : done(),
        ),
      ),
  };
}

/** Appends JSONL to a file, opened (and created) now, so that a bad path is an error up front. */
export async function fileSink(path: string): Promise<EventSink> {
  let handle: import("node:fs/promises").FileHandle;
  try {
    handle = await open(path, "a", 0o600);
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    throw new SinkTargetError("sink_unavailable", `cannot open ${path} for events: ${code ?? message}`);
  }
  return {
    target: path,
    async deliver(event) {
      try {
        await handle.appendFile(line(event));
      } catch (error) {
        const { code, message } = error as NodeJS.ErrnoException;
        throw new SinkFailure("write_failed", `${path}: ${code ?? message}`, true);
      }
    },
    close: () => handle.close(),
  };
}

export function listenerSink(listener: EventListener): EventSink {
  return {
    target: "listener",
    async deliver(event) {
      try {
        await listener(event);
      } catch (error) {
        throw new SinkFailure("listener_failed", String(error), false);
      }
    },
  };
}
