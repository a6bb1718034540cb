// A local OpenAI-compatible upstream for tests, the demo and the benchmark: a real HTTP server that
// answers POST /v1/chat/completions with real server-sent events (one chunk per token, each with
// the usage so far when asked, then the usage-only chunk of stream_options.include_usage and
// [DONE]), or one JSON completion; or fails the way providers fail. It records what it received.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface FakeUpstreamOptions {
  /** The model name it answers with (default: the requested one). */
  model?: string;
  /** Output tokens of an answer (default 20). */
  tokens?: number;
  /** Prompt tokens it reports (default 50). */
  promptTokens?: number;
  /** Each chunk carries the usage so far, as vLLM's continuous usage stats do (default false). */
  usagePerChunk?: boolean;
  /** Milliseconds between chunks (default 0). */
  delayMs?: number;
  /** Answer every request with this status and an error body that echoes the Authorization header. */
  failWith?: number;
}

export interface ReceivedRequest {
  authorization: string | undefined;
  traceparent: string | undefined;
  body: Record<string, unknown>;
}

export interface FakeUpstream {
  /** Base URL of its API: …/v1. */
  url: string;
  received: ReceivedRequest[];
  /** Chunks written per streamed request, and whether the client hung up before the end. */
  streams: { written: number; aborted: boolean }[];
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function startFakeUpstream(options: FakeUpstreamOptions = {}): Promise<FakeUpstream> {
  const received: ReceivedRequest[] = [];
  const streams: FakeUpstream["streams"] = [];
  const tokens = options.tokens ?? 20;
  const promptTokens = options.promptTokens ?? 50;

  async function answer(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>;
    const header = (name: string) =>
      typeof req.headers[name] === "string" ? (req.headers[name] as string) : undefined;
    received.push({ authorization: header("authorization"), traceparent: header("traceparent"), body });
    if (options.failWith) {
      res.writeHead(options.failWith, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          error: { message: `overloaded; you sent ${header("authorization") ?? "nothing"}` },
        }),
      );
      return;
    }
    const model = options.model ?? String(body.model);
    const id = `chatcmpl-fake-${received.length}`;
    const usage = (out: number) => ({
      prompt_tokens: promptTokens,
      completion_tokens: out,
      total_tokens: promptTokens + out,
    });
    if (body.stream !== true) {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          id,
          object: "chat.completion",
          created: 1,
          model,
          choices: [
            {
              index: 0,
              message: { role: "assistant", content: "tok ".repeat(tokens) },
              finish_reason: "stop",
            },
          ],
          usage: usage(tokens),
        }),
      );
      return;
    }
    const stream = { written: 0, aborted: false };
    streams.push(stream);
    res.on("close", () => {
      if (!res.writableFinished) stream.aborted = true;
    });
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    const send = (payload: unknown) => {
      if (stream.aborted) return;
      res.write(`data: ${typeof payload === "string" ? payload : JSON.stringify(payload)}\n\n`);
      stream.written++;
    };
    const chunk = (delta: object, out: number, finish: string | null = null) => ({
      id,
      object: "chat.completion.chunk",
      created: 1,
      model,
      choices: [{ index: 0, delta, finish_reason: finish }],
      ...(options.usagePerChunk ? { usage: usage(out) } : {}),
    });
    send(chunk({ role: "assistant", content: "" }, 0));
    for (let i = 1; i <= tokens && !stream.aborted; i++) {
      if (options.delayMs) await sleep(options.delayMs);
      send(chunk({ content: "tok " }, i));
    }
    send(chunk({}, tokens, "stop"));
    const asked = body.stream_options as { include_usage?: boolean } | undefined;
    if (asked?.include_usage)
      send({ id, object: "chat.completion.chunk", created: 1, model, choices: [], usage: usage(tokens) });
    send("[DONE]");
    res.end();
  }

  const server = createServer((req, res) => {
    if (req.method !== "POST" || req.url !== "/v1/chat/completions") {
      res.writeHead(404).end();
      return;
    }
    answer(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    received,
    streams,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
