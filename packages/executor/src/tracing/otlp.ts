// The tracer provider for `tracing: "env"`: spans batched and exported over OTLP/HTTP (JSON), with the
// endpoint, headers and timeout the standard OTEL_EXPORTER_OTLP_* variables give.
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import {
  defaultResource,
  detectResources,
  envDetector,
  resourceFromAttributes,
} from "@opentelemetry/resources";
import { BasicTracerProvider, BatchSpanProcessor } from "@opentelemetry/sdk-trace-base";

/** An export (with its retries) gives up after this, unless OTEL_EXPORTER_OTLP_(TRACES_)TIMEOUT says otherwise. */
const EXPORT_TIMEOUT_MS = 3000;

export function otlpTracerProvider(env = process.env): BasicTracerProvider {
  // service.name is "wsops" unless OTEL_SERVICE_NAME or OTEL_RESOURCE_ATTRIBUTES say otherwise.
  const resource = defaultResource()
    .merge(resourceFromAttributes({ "service.name": "wsops" }))
    .merge(detectResources({ detectors: [envDetector] }));
  return new BasicTracerProvider({
    resource,
    // The exporter's own default (10 s, retries included) would keep a short-lived wsops alive that
    // long after its work when the collector does not answer.
    spanProcessors: [
      new BatchSpanProcessor(
        new OTLPTraceExporter(
          env.OTEL_EXPORTER_OTLP_TRACES_TIMEOUT || env.OTEL_EXPORTER_OTLP_TIMEOUT
            ? {}
            : { timeoutMillis: EXPORT_TIMEOUT_MS },
        ),
      ),
    ],
  });
}
