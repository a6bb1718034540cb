// Tracing on: spans of an OpenTelemetry TracerProvider, parented by the span the code runs in (kept in
// an AsyncLocalStorage of our own, so no global context manager is needed) or by the caller's traceparent.
import { AsyncLocalStorage } from "node:async_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import {
  type Context,
  isSpanContextValid,
  type Span as OtelSpan,
  ROOT_CONTEXT,
  type SpanContext,
  SpanStatusCode,
  TraceFlags,
  type TracerProvider,
  trace,
} from "@opentelemetry/api";
import { redact } from "@workspace-ops/redact";
import type { Attributes, Span, Tracing } from "./tracing.js";

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** The context a caller's traceparent names: its remote span as the parent, or none (a new trace). */
function parentContext(traceparent: string): Context {
  const match = TRACEPARENT.exec(traceparent);
  if (!match) return ROOT_CONTEXT;
  const remote: SpanContext = {
    traceId: match[1] ?? "",
    spanId: match[2] ?? "",
    traceFlags: Number.parseInt(match[3] ?? "0", 16) & TraceFlags.SAMPLED,
    isRemote: true,
  };
  return isSpanContextValid(remote) ? trace.setSpanContext(ROOT_CONTEXT, remote) : ROOT_CONTEXT;
}

const traceparentOf = (span: OtelSpan): string => {
  const { traceId, spanId, traceFlags } = span.spanContext();
  return `00-${traceId}-${spanId}-${traceFlags & TraceFlags.SAMPLED ? "01" : "00"}`;
};

/** The attributes that have a value, redacted like everything the executor stores. */
function defined(attributes: Attributes): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [name, value] of Object.entries(attributes)) if (value !== undefined) out[name] = value;
  return redact(out).value;
}

function wrap(span: OtelSpan): Span {
  let ended = false;
  return {
    traceparent: traceparentOf(span),
    set: (attributes) => void span.setAttributes(defined(attributes)),
    fail: (code) => void span.setStatus({ code: SpanStatusCode.ERROR, message: code }),
    end() {
      if (ended) return;
      ended = true;
      span.end();
    },
  };
}

/** `stop` flushes and shuts down the provider when the executor made it (none for a caller's own). */
export function otelTracing(provider: TracerProvider, stop?: () => Promise<void>): Tracing {
  const tracer = provider.getTracer("@workspace-ops/executor");
  const active = new AsyncLocalStorage<OtelSpan>();
  const open = (name: string, parent: string, attributes: Attributes) => {
    const current = active.getStore();
    const context = current ? trace.setSpan(ROOT_CONTEXT, current) : parentContext(parent);
    return tracer.startSpan(name, { attributes: defined(attributes) }, context);
  };
  return {
    enabled: true,
    async span(name, parent, attributes, fn) {
      const span = open(name, parent, attributes);
      const handle = wrap(span);
      try {
        return await active.run(span, () => fn(handle));
      } catch (error) {
        // The error's name only: its message may quote a value.
        handle.fail(error instanceof Error ? error.name : "error");
        throw error;
      } finally {
        handle.end();
      }
    },
    start: (name, parent, attributes) => wrap(open(name, parent, attributes)),
    current() {
      const span = active.getStore();
      return span ? traceparentOf(span) : undefined;
    },
    async shutdown(ms) {
      if (!stop) return;
      const timer = new AbortController();
      await Promise.race([
        stop().catch(() => undefined),
        sleep(ms, undefined, { signal: timer.signal }).catch(() => undefined),
      ]);
      timer.abort();
    },
  };
}
