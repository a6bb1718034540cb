// Real HTTP servers for tests: an event receiver that accepts, answers slowly, holds or fails as told,
// and an OTLP/HTTP trace receiver (the JSON encoding the OTLP HTTP exporter sends).
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** How to answer one request: a status after a delay, or not at all until `release()`. */
export type Answer = { status: number; delayMs?: number } | "hold";

export interface Receiver {
  url: string;
  requests: ReceivedRequest[];
  /** Answers every held request with 200. */
  release(): void;
  /** Resolves once `n` requests arrived (whatever their answer). */
  waitFor(n: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** An HTTP server that records every request and answers as `answer` says (default: 200 at once). */
export async function startReceiver(
  answer: (request: ReceivedRequest, n: number) => Answer = () => ({ status: 200 }),
): Promise<Receiver> {
  const requests: ReceivedRequest[] = [];
  const held: (() => void)[] = [];
  const waiters: (() => void)[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const request: ReceivedRequest = {
        method: req.method ?? "",
        path: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      };
      requests.push(request);
      for (const wake of waiters.splice(0)) wake();
      const reply = answer(request, requests.length);
      const send = (status: number) => {
        res.writeHead(status, { "content-type": "text/plain" });
        res.end(status < 300 ? "ok" : "no");
      };
      if (reply === "hold") held.push(() => send(200));
      else setTimeout(() => send(reply.status), reply.delayMs ?? 0);
    });
  });
  const url = await listen(server);
  return {
    url,
    requests,
    release: () => {
      for (const send of held.splice(0)) send();
    },
    async waitFor(n, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (requests.length < n) {
        if (Date.now() > deadline) throw new Error(`${requests.length} of ${n} requests arrived`);
        await new Promise<void>((wake) => {
          waiters.push(wake);
          setTimeout(wake, 100);
        });
      }
    },
    close: async () => {
      for (const send of held.splice(0)) send();
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}

/** One span as an OTLP/HTTP JSON export carries it, flattened. */
export interface ReceivedSpan {
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  attributes: Record<string, string | number | boolean>;
  status: { code?: number; message?: string };
  resource: Record<string, string | number | boolean>;
}

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
  doubleValue?: number;
}
type OtlpAttributes = { key: string; value: OtlpValue }[] | undefined;

const otlpValue = (v: OtlpValue) => v.stringValue ?? v.boolValue ?? v.doubleValue ?? Number(v.intValue);
const attributesOf = (list: OtlpAttributes) =>
  Object.fromEntries((list ?? []).map(({ key, value }) => [key, otlpValue(value)]));

/** The spans of every OTLP/HTTP JSON trace export a receiver got. */
export function spansOf(requests: readonly ReceivedRequest[]): ReceivedSpan[] {
  return requests
    .filter((r) => r.path === "/v1/traces")
    .flatMap((r) => {
      const body = JSON.parse(r.body) as {
        resourceSpans?: {
          resource?: { attributes?: OtlpAttributes };
          scopeSpans?: {
            spans?: {
              name: string;
              traceId: string;
              spanId: string;
              parentSpanId?: string;
              attributes?: OtlpAttributes;
              status?: { code?: number; message?: string };
            }[];
          }[];
        }[];
      };
      return (body.resourceSpans ?? []).flatMap((rs) =>
        (rs.scopeSpans ?? []).flatMap((ss) =>
          (ss.spans ?? []).map((span) => ({
            name: span.name,
            traceId: span.traceId,
            spanId: span.spanId,
            parentSpanId: span.parentSpanId ?? "",
            attributes: attributesOf(span.attributes),
            status: span.status ?? {},
            resource: attributesOf(rs.resource?.attributes),
          })),
        ),
      );
    });
}
