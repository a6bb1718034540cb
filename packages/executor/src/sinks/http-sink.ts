// Delivers each event to an HTTP endpoint as a CloudEvents HTTP message (structured or binary mode),
// built by the official SDK. One attempt per call; the queue in front of it retries.
import type { OperationLifecycleEvent } from "@workspace-ops/contracts";
import { cloudEvents } from "../events.js";
import { type EventSink, SinkFailure, type SinkTargetOptions } from "./sink.js";

/** Statuses worth another attempt: the receiver is overloaded or briefly away. */
const RETRYABLE = new Set([408, 425, 429, 500, 502, 503, 504]);

export function httpSink(url: URL, options: SinkTargetOptions = {}): EventSink {
  const mode = options.httpMode ?? "structured";
  const timeoutMs = options.httpTimeoutMs ?? 5000;
  // fetch refuses a URL with credentials: they become a Basic Authorization header, and never appear
  // in reports.
  const endpoint = new URL(url);
  const authorization =
    endpoint.username || endpoint.password
      ? `Basic ${Buffer.from(`${decodeURIComponent(endpoint.username)}:${decodeURIComponent(endpoint.password)}`).toString("base64")}`
      : undefined;
  endpoint.username = "";
  endpoint.password = "";
  const target = endpoint.toString();
  return {
    target,
    async deliver(event: OperationLifecycleEvent, signal: AbortSignal) {
      const { CloudEvent, HTTP } = cloudEvents();
      const message = (mode === "binary" ? HTTP.binary : HTTP.structured)(
        new CloudEvent({ ...event } as Record<string, unknown>, true),
      );
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(message.headers))
        if (typeof value === "string") headers[name] = value;
      if (authorization) headers.authorization = authorization;
      // Our own timer rather than AbortSignal.timeout: a timeout signal inside AbortSignal.any can be
      // garbage-collected before it fires, and the attempt would then wait for the receiver forever.
      const attempt = new AbortController();
      const timer = setTimeout(() => attempt.abort(new SinkFailure("timeout", "", true)), timeoutMs);
      const stop = () => attempt.abort(signal.reason);
      signal.addEventListener("abort", stop, { once: true });
      let response: Response;
      try {
        response = await fetch(target, {
          method: "POST",
          headers,
          body: message.body as string,
          // A redirect could send the event somewhere nobody configured.
          redirect: "manual",
          signal: attempt.signal,
        });
        // Read the body so the connection can be reused.
        await response.arrayBuffer();
      } catch (error) {
        const timedOut = attempt.signal.reason instanceof SinkFailure;
        const { cause } = error as { cause?: { code?: string; message?: string } };
        throw new SinkFailure(
          timedOut ? "timeout" : "unreachable",
          timedOut
            ? `no answer from ${target} within ${timeoutMs} ms`
            : `${target}: ${cause?.code ?? cause?.message ?? (error as Error).message}`,
          true,
        );
      } finally {
        clearTimeout(timer);
        signal.removeEventListener("abort", stop);
      }
      if (response.ok) return;
      throw new SinkFailure(
        `http_${response.status}`,
        `${target} answered ${response.status}${response.status >= 300 && response.status < 400 ? " (redirects are not followed)" : ""}`,
        RETRYABLE.has(response.status),
      );
    },
  };
}
