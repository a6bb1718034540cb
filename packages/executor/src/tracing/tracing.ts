// Spans for each tool call, decision, approval wait, run and operation step — when the standard
// OTEL_* variables ask for OTLP export (or the caller brings a TracerProvider). Off, nothing of
// OpenTelemetry is loaded and a span is a constant-time no-op that hands the caller's traceparent on.
import type { TracerProvider } from "@opentelemetry/api";

/** Span attributes; undefined values are left out. Ids, decisions, outcomes and codes only: never argv or env. */
export type Attributes = Record<string, string | number | boolean | undefined>;

export interface Span {
  /** The W3C traceparent a child continues from (what a command receives); the caller's when off. */
  readonly traceparent: string;
  set(attributes: Attributes): void;
  /** Marks the span failed with a short code (never a message that may hold a value). */
  fail(code: string): void;
  /** Ends the span (once; later calls do nothing). */
  end(): void;
}

export interface Tracing {
  readonly enabled: boolean;
  /**
   * Runs `fn` in a new span: a child of the span the code already runs in, else of `parent` (a W3C
   * traceparent; an invalid one starts a new trace). Spans started inside `fn` are its children.
   */
  span<T>(name: string, parent: string, attributes: Attributes, fn: (span: Span) => Promise<T>): Promise<T>;
  /** A span the caller ends, parented like `span`, in which nothing else runs. */
  start(name: string, parent: string, attributes: Attributes): Span;
  /** The traceparent of the span the code runs in, if any. */
  current(): string | undefined;
  /** Exports what is left (waiting at most `ms`) and stops, when the executor made the provider. */
  shutdown(ms: number): Promise<void>;
}

/**
 * `env` (default): OTLP over HTTP when the OTEL_* variables ask for it (see otlpRequested), else off;
 * `off`; or a TracerProvider of the caller's (then the caller flushes and shuts it down).
 */
export type TracingOption = "env" | "off" | { tracerProvider: TracerProvider };

const offSpan = (traceparent: string): Span => ({ traceparent, set() {}, fail() {}, end() {} });

export const tracingOff: Tracing = {
  enabled: false,
  span: (_name, parent, _attributes, fn) => fn(offSpan(parent)),
  start: (_name, parent) => offSpan(parent),
  current: () => undefined,
  shutdown: async () => {},
};

/**
 * Whether the standard variables ask for OTLP trace export: OTEL_TRACES_EXPORTER lists `otlp`, or it is
 * unset and OTEL_EXPORTER_OTLP_TRACES_ENDPOINT or OTEL_EXPORTER_OTLP_ENDPOINT is set; never when
 * OTEL_SDK_DISABLED is true.
 */
export function otlpRequested(env: NodeJS.ProcessEnv): boolean {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === "true") return false;
  const exporters = (env.OTEL_TRACES_EXPORTER ?? "")
    .split(",")
    .map((name) => name.trim().toLowerCase())
    .filter(Boolean);
  if (exporters.length > 0) return exporters.includes("otlp");
  return Boolean(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT);
}

export async function openTracing(option: TracingOption = "env", env = process.env): Promise<Tracing> {
  if (option === "off" || (option === "env" && !otlpRequested(env))) return tracingOff;
  const { otelTracing } = await import("./otel.js");
  if (option !== "env") return otelTracing(option.tracerProvider);
  const { otlpTracerProvider } = await import("./otlp.js");
  const provider = otlpTracerProvider();
  return otelTracing(provider, () => provider.shutdown());
}
