// The reference adapter: POST /v1/chat/completions, OpenAI-compatible, in front of any compatible
// upstream. Each request becomes a ModelCallRequest of the gateway's persona; the executor routes it
// through the persona's chain and reserves its estimate; the response streams through the meter,
// which cuts the stream when a budget runs out; a provider that fails before answering moves the call
// to the next entry. node:http serves (one route, streamed with backpressure and close events), the
// runtime's fetch calls upstream, eventsource-parser reads the upstream's server-sent events.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Executor, MeteredCall, MeterOptions, Refusal } from "@workspace-ops/executor";
import { newModelCallId, newTraceparent } from "@workspace-ops/executor";
import { redactText } from "@workspace-ops/redact";
import { createParser, type EventSourceMessage } from "eventsource-parser";
import type { CredentialResolver } from "./credentials.js";
import {
  type ChatRequest,
  errorBody,
  estimateInputTokens,
  maxOutputTokens,
  producesOutput,
  requiredCapabilities,
  type UsageCounts,
  upstreamBody,
  usageOf,
} from "./openai.js";

export interface GatewayOptions {
  executor: Executor;
  /** The persona every call is made for: the gateway's, never the client's choice. */
  persona: string;
  /** Provider name (as bindings name it) → base URL of its OpenAI-compatible API (…/v1). */
  upstreams: Readonly<Record<string, string>>;
  credentials: CredentialResolver;
  /** Output tokens to expect of a request that sets no max_tokens (default 1024). */
  defaultMaxTokens?: number;
  meter?: MeterOptions;
  /** One line per call (ids, route, outcome, tokens) — never a secret. */
  log?: (line: string) => void;
  /** Largest request body accepted (default 16 MiB). */
  maxBodyBytes?: number;
}

/** HTTP status of a refusal: 412 capability_unmet, 429 budget_exhausted, 503 unavailable, 403 any other deny. */
export const refusalStatus: Readonly<Record<string, number>> = {
  request_invalid: 400,
  capability_unmet: 412,
  budget_exhausted: 429,
  no_provider: 503,
  policy_unavailable: 503,
  decision_malformed: 503,
};

const TRACEPARENT = /^00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}$/;
const CONTEXT_HEADERS = {
  sessionId: "x-wsops-session-id",
  agentRunId: "x-wsops-agent-run-id",
  agentRunStepId: "x-wsops-agent-run-step-id",
  operationId: "x-wsops-operation-id",
} as const;

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

/** A request handler for node:http. */
export function gatewayHandler(options: GatewayOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const gateway = new Gateway(options);
  return (req, res) => {
    gateway.handle(req, res).catch((error: unknown) => {
      options.log?.(`gateway: internal error: ${redactText(String(error)).text}`);
      if (!res.headersSent) send(res, 500, errorBody("internal error", "server_error", "internal_error"));
      else res.end();
    });
  };
}

/** Listens on host:port (port 0: any free one) until closed. */
export async function startGateway(
  options: GatewayOptions & { host?: string; port?: number },
): Promise<{ url: string; server: Server; close: () => Promise<void> }> {
  const server = createServer(gatewayHandler(options));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(":") ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(body);
}

/** Resolves when the client has taken what was written (or is gone). */
function drained(res: ServerResponse): Promise<void> {
  if (res.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}

const sse = (event: EventSourceMessage): string =>
  `${event.event ? `event: ${event.event}\n` : ""}${event.data
    .split("\n")
    .map((line) => `data: ${line}`)
    .join("\n")}\n\n`;

type Attempt =
  | { ok: true; response: Response; abort: AbortController; secrets: string[] }
  | { ok: false; code: string; message: string };

class Gateway {
  readonly #o: GatewayOptions;

  constructor(options: GatewayOptions) {
    this.#o = options;
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? "/", "http://gateway").pathname;
    if (path !== "/v1/chat/completions")
      return send(res, 404, errorBody(`no route ${path}`, "invalid_request_error", "not_found"));
    if (req.method !== "POST")
      return send(res, 405, errorBody("use POST", "invalid_request_error", "method_not_allowed"), {
        allow: "POST",
      });
    let body: ChatRequest;
    try {
      body = await this.#readJson(req);
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      return send(res, error.status, errorBody(error.message, error.type, error.type));
    }
    const request = this.#modelCallRequest(req, body);
    const start = await this.#o.executor.modelCall(request, this.#o.meter);
    if (!start.ok) return this.#refuse(res, request.modelCallId, start.refusal, start.decision?.decisionId);
    const call = start.call;
    // The client going away ends the call: the upstream request is aborted, the usage recorded.
    let clientGone = false;
    res.on("close", () => {
      clientGone = !res.writableFinished;
    });
    for (;;) {
      if (clientGone)
        return this.#finish(call, { outcome: "cancelled", reported: { tokensIn: 0, tokensOut: 0 } });
      const attempt = await this.#forward(call, body);
      if (attempt.ok) return this.#serve(call, attempt, res, body.stream === true, () => clientGone);
      this.#log(
        `model call ${call.modelCallId}: ${call.route.provider}/${call.route.model} failed: ${attempt.code}: ${attempt.message}`,
      );
      const moved = await call.failed({ code: attempt.code, message: attempt.message });
      if (!moved.ok) return this.#refuse(res, call.modelCallId, moved.refusal);
    }
  }

  async #readJson(req: IncomingMessage): Promise<ChatRequest> {
    const max = this.#o.maxBodyBytes ?? 16 * 1024 * 1024;
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > max)
        throw new HttpError(413, "invalid_request_error", `the body is larger than ${max} bytes`);
      chunks.push(chunk as Buffer);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    } catch {
      throw new HttpError(400, "invalid_request_error", "the body is not JSON");
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
      throw new HttpError(400, "invalid_request_error", "the body must be a JSON object");
    if (!Array.isArray((parsed as ChatRequest).messages))
      throw new HttpError(400, "invalid_request_error", "messages must be an array");
    return parsed as ChatRequest;
  }

  #modelCallRequest(req: IncomingMessage, body: ChatRequest) {
    const header = (name: string) => {
      const value = req.headers[name];
      return typeof value === "string" && value !== "" ? value : undefined;
    };
    const traceparent = header("traceparent");
    const context: Record<string, string> = {};
    for (const [field, name] of Object.entries(CONTEXT_HEADERS)) {
      const value = header(name);
      if (value) context[field] = value;
    }
    const asked = typeof body.model === "string" ? body.model : "auto";
    return {
      kind: "ModelCallRequest",
      apiVersion: "workspace-ops.dev/v1",
      modelCallId: newModelCallId(),
      requestedAt: new Date().toISOString(),
      persona: this.#o.persona,
      // A client that names the persona, or nothing, asks for the persona's chain from its start.
      model: asked === this.#o.persona || asked === "" ? "auto" : asked,
      requiredCapabilities: requiredCapabilities(body),
      estimate: {
        tokensIn: estimateInputTokens(body),
        tokensOut: maxOutputTokens(body, this.#o.defaultMaxTokens ?? 1024),
      },
      ...(Object.keys(context).length ? { context } : {}),
      correlation: {
        traceparent: traceparent && TRACEPARENT.test(traceparent) ? traceparent : newTraceparent(),
      },
    };
  }

  #refuse(res: ServerResponse, modelCallId: string, refusal: Refusal, decisionId?: string): void {
    const status = refusalStatus[refusal.code] ?? 403;
    this.#log(`model call ${modelCallId}: refused (${status} ${refusal.code}): ${refusal.message}`);
    if (res.headersSent) {
      res.end(`data: ${errorBody(refusal.message, refusal.code, refusal.code)}\n\n`);
      return;
    }
    send(res, status, errorBody(refusal.message, refusal.code, refusal.code), {
      "x-wsops-model-call-id": modelCallId,
      ...(decisionId ? { "x-wsops-decision-id": decisionId } : {}),
      ...(status === 429 ? { "retry-after": "60" } : {}),
    });
  }

  /** Calls the route's upstream; a failure to resolve, reach or get an answer from it is a failed attempt. */
  async #forward(call: MeteredCall, body: ChatRequest): Promise<Attempt> {
    const { provider, model, credentialRef } = call.route;
    const base = Object.hasOwn(this.#o.upstreams, provider) ? this.#o.upstreams[provider] : undefined;
    if (!base)
      return { ok: false, code: "upstream_missing", message: `no upstream is configured for ${provider}` };
    const secrets: string[] = [];
    if (credentialRef) {
      const resolved = await this.#o.credentials.resolve(credentialRef);
      if (!resolved.ok) return { ok: false, code: resolved.code, message: resolved.message };
      secrets.push(resolved.secret);
    }
    const abort = new AbortController();
    let response: Response;
    try {
      response = await fetch(`${base.replace(/\/+$/, "")}/chat/completions`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: body.stream === true ? "text/event-stream" : "application/json",
          ...(call.decision.traceparent ? { traceparent: call.decision.traceparent } : {}),
          ...(secrets[0] ? { authorization: `Bearer ${secrets[0]}` } : {}),
        },
        body: upstreamBody(body, model),
        signal: abort.signal,
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      return {
        ok: false,
        code: "upstream_error",
        message: scrub(
          `cannot reach ${provider}: ${cause?.code ?? cause?.message ?? String(error)}`,
          secrets,
        ),
      };
    }
    // Overloaded, rate limited or broken: another entry may serve the call. Other 4xx are the
    // request's own problem and go back to the client.
    if (response.status >= 500 || response.status === 429 || response.status === 408) {
      const text = await response.text().catch(() => "");
      return {
        ok: false,
        code: "upstream_error",
        message: scrub(`HTTP ${response.status} from ${provider}: ${text.slice(0, 512)}`, secrets),
      };
    }
    return { ok: true, response, abort, secrets };
  }

  async #serve(
    call: MeteredCall,
    attempt: Extract<Attempt, { ok: true }>,
    res: ServerResponse,
    stream: boolean,
    clientGone: () => boolean,
  ): Promise<void> {
    const { response, secrets } = attempt;
    const headers = {
      "x-wsops-model-call-id": call.modelCallId,
      "x-wsops-decision-id": call.decision.decisionId,
      "x-wsops-route": `${call.route.provider}/${call.route.model}`,
    };
    const type = response.headers.get("content-type") ?? "";
    if (response.status !== 200) {
      const text = scrub(await response.text(), secrets);
      await this.#finish(call, { outcome: "failed", reported: { tokensIn: 0, tokensOut: 0 } });
      return send(res, response.status, text, { ...headers, "content-type": type || "application/json" });
    }
    if (!stream || !type.startsWith("text/event-stream")) {
      const text = await response.text();
      let usage: UsageCounts | undefined;
      try {
        usage = usageOf(JSON.parse(text));
      } catch {
        usage = undefined;
      }
      // An answer arrives whole: nothing is left to cut. It is charged, and the budget refuses the next call.
      if (usage) await call.charge(usage);
      await this.#finish(call, usage ? { reported: usage } : {});
      return send(res, 200, text, { ...headers, "content-type": type || "application/json" });
    }
    res.writeHead(200, { ...headers, "content-type": "text/event-stream", "cache-control": "no-cache" });
    await this.#meterStream(call, attempt, res, clientGone);
  }

  /** Relays the upstream's events, charging each chunk's tokens; cuts the stream when a budget runs out. */
  async #meterStream(
    call: MeteredCall,
    { response, abort }: Extract<Attempt, { ok: true }>,
    res: ServerResponse,
    clientGone: () => boolean,
  ): Promise<void> {
    const events: EventSourceMessage[] = [];
    const parser = createParser({ onEvent: (event) => events.push(event) });
    const decoder = new TextDecoder();
    // What was charged, as the meter counts it: the upstream's cumulative usage when a chunk reports
    // it, else one token per chunk that carries output.
    const counted: UsageCounts = { tokensIn: 0, tokensOut: 0 };
    let reported: UsageCounts | undefined;
    /** Charges one event's tokens and relays it; false when the stream was cut instead. */
    const relay = async (event: EventSourceMessage): Promise<boolean> => {
      let chunk: unknown;
      try {
        chunk = event.data === "[DONE]" ? undefined : JSON.parse(event.data);
      } catch {
        chunk = undefined;
      }
      const usage = usageOf(chunk);
      const output = producesOutput(chunk);
      const delta = { tokensIn: 0, tokensOut: output ? 1 : 0 };
      if (usage) {
        delta.tokensIn = Math.max(0, usage.tokensIn - counted.tokensIn);
        delta.tokensOut = Math.max(0, usage.tokensOut - counted.tokensOut);
        reported = usage;
      }
      counted.tokensIn += delta.tokensIn;
      counted.tokensOut += delta.tokensOut;
      const charged = await call.charge(delta);
      // The usage-only chunk at the end adds nothing the client has not had: it is never cut.
      if (!charged.ok && output) {
        const cut = errorBody(
          `the stream was cut: ${charged.message}`,
          "budget_exhausted",
          "budget_exhausted",
        );
        res.end(`data: ${cut}\n\n`);
        abort.abort();
        return false;
      }
      res.write(sse(event));
      return true;
    };
    const onClose = () => abort.abort();
    res.once("close", onClose);
    let outcome: "cut" | "failed" | "cancelled" | undefined;
    try {
      for await (const bytes of response.body as unknown as AsyncIterable<Uint8Array>) {
        parser.feed(decoder.decode(bytes, { stream: true }));
        // The events of one read leave in one write.
        res.cork();
        try {
          while (events.length > 0 && outcome === undefined)
            if (!(await relay(events.shift() as EventSourceMessage))) outcome = "cut";
        } finally {
          res.uncork();
        }
        if (outcome) break;
        if (res.writableNeedDrain) await drained(res);
      }
    } catch (error) {
      // Leaving the loop early may fail too (the upstream was aborted): only a failure before counts.
      if (outcome === undefined) {
        outcome = clientGone() ? "cancelled" : "failed";
        const message = scrub(`the upstream stream failed: ${(error as Error).message}`, []);
        if (outcome === "failed" && !res.writableEnded)
          res.end(`data: ${errorBody(message, "upstream_error", "upstream_error")}\n\n`);
      }
    } finally {
      res.off("close", onClose);
    }
    if (!res.writableEnded) res.end();
    await this.#finish(call, { ...(outcome ? { outcome } : {}), ...(reported ? { reported } : {}) });
  }

  async #finish(call: MeteredCall, options: Parameters<MeteredCall["finish"]>[0]): Promise<void> {
    const { usage, summary } = await call.finish(options);
    this.#log(
      `model call ${call.modelCallId}: ${summary.outcome}${summary.exhausted ? ` (${summary.exhausted} budget exhausted)` : ""} on ${usage.provider}/${usage.model}, ${usage.tokensIn} tokens in, ${usage.tokensOut} out`,
    );
  }

  #log(line: string): void {
    this.#o.log?.(line);
  }
}

/** Text from an upstream, without the credential it was sent and without anything else that looks secret. */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret) out = out.split(secret).join("[REDACTED:credential]");
  return redactText(out).text;
}
