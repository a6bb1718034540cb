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
      let response: Response;
      try {
        response = await fetch(target, {
          method: "POST",
          headers,
          body: message.body as string,
          // A redirect could send the event somewhere nobody configured.
          redirect: "manual",
          signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
        });
      } catch (error) {
        const reason = error instanceof Error && error.name === "TimeoutError" ? "timeout" : "unreachable";
        const cause = (error as { cause?: { code?: string } }).cause?.code;
        throw new SinkFailure(
          reason,
          reason === "timeout"
            ? `no answer from ${target} within ${timeoutMs} ms`
            : `${target}: ${cause ?? (error as Error).message}`,
          true,
        );
      }
      // Read the body so the connection can be reused.
      await response.arrayBuffer().catch(() => undefined);
      if (response.ok) return;
      throw new SinkFailure(
        `http_${response.status}`,
        `${target} answered ${response.status}${response.status >= 300 && response.status < 400 ? " (redirects are not followed)" : ""}`,
        RETRYABLE.has(response.status),
      );
    },
  };
}
