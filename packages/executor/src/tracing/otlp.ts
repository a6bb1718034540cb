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

export function otlpTracerProvider(): BasicTracerProvider {
  // service.name is "wsops" unless OTEL_SERVICE_NAME or OTEL_RESOURCE_ATTRIBUTES say otherwise.
  const resource = defaultResource()
    .merge(resourceFromAttributes({ "service.name": "wsops" }))
    .merge(detectResources({ detectors: [envDetector] }));
  return new BasicTracerProvider({
    resource,
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())],
  });
}
