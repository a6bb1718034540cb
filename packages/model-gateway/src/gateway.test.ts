// The gateway over real HTTP, in front of local fake upstreams that stream real server-sent events:
// the governed executor (real policy bundle, SQLite store) routes and meters every call.
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ModelProviderBinding, UsageRecord } from "@workspace-ops/contracts";
import { Executor } from "@workspace-ops/executor";
import { afterEach, describe, expect, it } from "vitest";
import { bind, chainBinding } from "../../executor/dist/testing/model-calls.js";
import { credentialResolver } from "./credentials.js";
import { startGateway } from "./gateway.js";
import { type FakeUpstream, type FakeUpstreamOptions, startFakeUpstream } from "./testing/fake-upstream.js";

const ANTHROPIC_KEY = "sk-ant-api03-PLANTEDanthropicSECRET0123456789abcdef";
const OPENAI_KEY = "sk-proj-PLANTEDopenaiSECRET0123456789abcdefghij";
const env = { ANTHROPIC_API_KEY: ANTHROPIC_KEY, OPENAI_API_KEY: OPENAI_KEY };

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Setup {
  executor: Executor;
  url: string;
  upstreams: Record<string, FakeUpstream>;
  log: string[];
  stateDir: string;
}

async function setup(
  binding: ModelProviderBinding = chainBinding(),
  upstreamOptions: Record<string, FakeUpstreamOptions> = {},
  blockTokens = 32,
): Promise<Setup> {
  const executor = await Executor.open({
    workspaceRoot: mkdtempSync(join(tmpdir(), "wsops-gateway-")),
    mode: "governed",
    sandbox: { backend: "process" },
  });
  cleanups.push(() => executor.close());
  await bind(executor, binding);
  const upstreams: Record<string, FakeUpstream> = {};
  for (const provider of ["anthropic", "openai", "ollama"]) {
    upstreams[provider] = await startFakeUpstream(upstreamOptions[provider] ?? {});
    cleanups.push(() => (upstreams[provider] as FakeUpstream).close());
  }
  const log: string[] = [];
  const gateway = await startGateway({
    executor,
    persona: "coder",
    upstreams: Object.fromEntries(Object.entries(upstreams).map(([name, u]) => [name, u.url])),
    credentials: credentialResolver({ env }),
    meter: { blockTokens },
    defaultMaxTokens: 64,
    log: (line) => log.push(line),
  });
  cleanups.push(gateway.close);
  return { executor, url: gateway.url, upstreams, log, stateDir: executor.context.stateDir };
}

const chat = (extra: object = {}) => ({
  model: "auto",
  messages: [{ role: "user", content: "Say tok." }],
  ...extra,
});

function post(url: string, body: object, headers: Record<string, string> = {}) {
  return fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: "Bearer client-key-ignored", ...headers },
    body: JSON.stringify(body),
  });
}

/** The data lines of an SSE body. */
const events = (text: string) =>
  text
    .split("\n\n")
    .filter((block) => block.startsWith("data: "))
    .map((block) => block.slice("data: ".length));

const usageOf = async (executor: Executor) =>
  (await executor.context.store.usageSince("coder", new Date(0))) as UsageRecord[];

const summaries = async (executor: Executor) =>
  (await executor.context.store.readAudit())
    .filter((r) => r.type === "model_call")
    .map(
      (r) =>
        r.data as {
          outcome: string;
          exhausted?: string;
          attempts: { provider: string; failure?: { code: string; message: string } }[];
        },
    );

describe("wsops gateway: chat completions", () => {
  it("streams the bound model's answer through, with its credential, the routed model and usage reported", async () => {
    const { executor, url, upstreams } = await setup(chainBinding(), { anthropic: { tokens: 12 } });
    const traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    const response = await post(url, chat({ stream: true, max_tokens: 40 }), {
      traceparent,
      "x-wsops-session-id": "sess-gw",
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/event-stream");
    expect(response.headers.get("x-wsops-route")).toBe("anthropic/claude-sonnet-4-5");
    const data = events(await response.text());
    expect(data.at(-1)).toBe("[DONE]");
    expect(data.filter((d) => d.includes('"content":"tok "')).length).toBe(12);
    expect(upstreams.anthropic?.received).toEqual([
      {
        authorization: `Bearer ${ANTHROPIC_KEY}`,
        traceparent,
        body: {
          ...chat({ stream: true, max_tokens: 40 }),
          model: "claude-sonnet-4-5",
          stream_options: { include_usage: true },
        },
      },
    ]);
    expect(await usageOf(executor)).toMatchObject([
      {
        provider: "anthropic",
        model: "claude-sonnet-4-5",
        tokensIn: 50,
        tokensOut: 12,
        capabilitiesUsed: ["streaming"],
        sessionId: "sess-gw",
      },
    ]);
    expect(await summaries(executor)).toMatchObject([{ outcome: "completed" }]);
  });

  it("passes a non-streaming answer through and records the usage it reports", async () => {
    const { executor, url } = await setup(chainBinding(), { anthropic: { tokens: 7, promptTokens: 9 } });
    const response = await post(url, chat());
    expect(response.status).toBe(200);
    const body = (await response.json()) as { object: string; usage: object };
    expect(body).toMatchObject({
      object: "chat.completion",
      usage: { prompt_tokens: 9, completion_tokens: 7 },
    });
    expect(await usageOf(executor)).toMatchObject([{ tokensIn: 9, tokensOut: 7, costUsd: 0.000132 }]);
  });

  it("answers 412 capability_unmet when no entry offers what the request needs", async () => {
    const { executor, url, upstreams } = await setup(chainBinding({ fallbackChain: [] }));
    const response = await post(
      url,
      chat({ messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "data:," } }] }] }),
    );
    expect(response.status).toBe(412);
    expect(await response.json()).toEqual({
      error: {
        message: "no entry of binding bind-coder-chain offers what the call needs: tool_use, vision",
        type: "capability_unmet",
        param: null,
        code: "capability_unmet",
      },
    });
    expect(response.headers.get("x-wsops-decision-id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(upstreams.anthropic?.received).toEqual([]);
    expect(await summaries(executor)).toMatchObject([{ outcome: "refused" }]);
  });

  it("falls back to the next entry when the provider fails, without the credential in any record", async () => {
    const { executor, url, upstreams, stateDir } = await setup(chainBinding(), {
      anthropic: { failWith: 503 },
    });
    const response = await post(url, chat({ stream: true }));
    expect(response.status).toBe(200);
    expect(response.headers.get("x-wsops-route")).toBe("openai/gpt-4.1-mini");
    expect(events(await response.text()).at(-1)).toBe("[DONE]");
    expect(upstreams.anthropic?.received.length).toBe(1);
    expect(upstreams.openai?.received[0]?.authorization).toBe(`Bearer ${OPENAI_KEY}`);
    const [summary] = await summaries(executor);
    expect(summary?.attempts.map((a) => [a.provider, a.failure?.code])).toEqual([
      ["anthropic", "upstream_error"],
      ["openai", undefined],
    ]);
    expect(summary?.attempts[0]?.failure?.message).toMatch(
      /^HTTP 503 from anthropic: .*overloaded; you sent Bearer \[REDACTED:/,
    );
    // The next call skips the provider that just failed.
    const next = await post(url, chat());
    expect(next.headers.get("x-wsops-route")).toBe("openai/gpt-4.1-mini");
    await next.text();
    let exported = "";
    for await (const chunk of executor.context.store.exportAudit()) exported += chunk;
    const files = readdirSync(stateDir).map((f) => readFileSync(join(stateDir, f)).toString("latin1"));
    for (const text of [exported, ...files]) {
      expect(text).not.toContain(ANTHROPIC_KEY);
      expect(text).not.toContain(OPENAI_KEY);
    }
  });

  it("cuts a stream mid-way when the persona's budget runs out, and refuses the next call with 429", async () => {
    const tight = chainBinding({
      fallbackChain: [],
      perMinuteBudget: { tokensPerMinute: 300, costUsdPerMinute: 1, requestsPerMinute: 30 },
    });
    const { executor, url, upstreams, log } = await setup(tight, {
      anthropic: { tokens: 400, usagePerChunk: true, delayMs: 1 },
    });
    const response = await post(url, chat({ stream: true, max_tokens: 100 }));
    expect(response.status).toBe(200);
    const data = events(await response.text());
    expect(data.at(-1)).toMatch(/^\{"error":\{"message":"the stream was cut: .*","type":"budget_exhausted"/);
    expect(data).not.toContain("[DONE]");
    const relayed = data.filter((d) => d.includes('"content":"tok "')).length;
    const [usage] = await usageOf(executor);
    // Every relayed chunk was within the budget; the one that crossed it was spent, not relayed.
    expect(usage).toMatchObject({ tokensIn: 50, tokensOut: relayed + 1 });
    expect((usage?.tokensIn ?? 0) + (usage?.tokensOut ?? 0)).toBe(301);
    expect(await summaries(executor)).toMatchObject([{ outcome: "cut", exhausted: "tokens" }]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(upstreams.anthropic?.streams[0]).toMatchObject({ aborted: true });
    expect(upstreams.anthropic?.streams[0]?.written).toBeLessThan(400);
    const refused = await post(url, chat({ stream: true }));
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("60");
    expect(await refused.json()).toMatchObject({ error: { code: "budget_exhausted" } });
    expect(log.filter((line) => line.includes("internal error"))).toEqual([]);
  });

  it("lets two concurrent streams of the persona share one budget", async () => {
    const shared = chainBinding({
      fallbackChain: [],
      perMinuteBudget: { tokensPerMinute: 600, costUsdPerMinute: 1, requestsPerMinute: 30 },
    });
    const { executor, url, log } = await setup(shared, { anthropic: { tokens: 500, delayMs: 1 } });
    const bodies = await Promise.all(
      [0, 1].map(async () => (await post(url, chat({ stream: true, max_tokens: 50 }))).text()),
    );
    for (const body of bodies) expect(events(body).at(-1)).toMatch(/"type":"budget_exhausted"/);
    const usage = await usageOf(executor);
    const total = usage.reduce((n, u) => n + u.tokensIn + u.tokensOut, 0);
    // Each stream counts one token per chunk; the store never let their reservations pass 600, and
    // each spent at most the one chunk that crossed it.
    expect(total).toBeLessThanOrEqual(600 + 2);
    expect(total).toBeGreaterThan(600 - 2 * 32);
    expect((await summaries(executor)).map((s) => s.outcome)).toEqual(["cut", "cut"]);
    expect(log.filter((line) => line.includes("internal error"))).toEqual([]);
  });

  it("ends the call, aborting the upstream, when the client goes away mid-stream", async () => {
    const { executor, url, upstreams } = await setup(chainBinding(), {
      anthropic: { tokens: 400, delayMs: 2 },
    });
    const client = new AbortController();
    const response = await fetch(`${url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(chat({ stream: true })),
      signal: client.signal,
    });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    client.abort();
    for (let i = 0; i < 200 && (await summaries(executor)).length === 0; i++)
      await new Promise((resolve) => setTimeout(resolve, 10));
    expect(await summaries(executor)).toMatchObject([{ outcome: "cancelled" }]);
    for (let i = 0; i < 200 && !upstreams.anthropic?.streams[0]?.aborted; i++)
      await new Promise((resolve) => setTimeout(resolve, 10));
    expect(upstreams.anthropic?.streams[0]).toMatchObject({ aborted: true });
    expect(upstreams.anthropic?.streams[0]?.written).toBeLessThan(400);
  });

  it("moves on when a credential does not resolve, and says why", async () => {
    const { executor, url, upstreams } = await setup(
      chainBinding({ credentialRef: "env://NOT_SET_ANYWHERE" }),
    );
    const response = await post(url, chat());
    expect(response.headers.get("x-wsops-route")).toBe("openai/gpt-4.1-mini");
    await response.text();
    expect(upstreams.anthropic?.received).toEqual([]);
    expect((await summaries(executor))[0]?.attempts[0]?.failure).toEqual({
      code: "credential_unavailable",
      message: "env://NOT_SET_ANYWHERE is not set",
    });
  });

  it("refuses what is not a chat completion", async () => {
    const { url } = await setup();
    expect((await fetch(`${url}/v1/models`)).status).toBe(404);
    expect((await fetch(`${url}/v1/chat/completions`)).status).toBe(405);
    const notJson = await fetch(`${url}/v1/chat/completions`, { method: "POST", body: "{" });
    expect({ status: notJson.status, body: await notJson.json() }).toEqual({
      status: 400,
      body: {
        error: {
          message: "the body is not JSON",
          type: "invalid_request_error",
          param: null,
          code: "invalid_request_error",
        },
      },
    });
    const badModel = await post(url, chat({ model: "no such model!" }));
    expect(badModel.status).toBe(400);
    expect(await badModel.json()).toMatchObject({ error: { code: "request_invalid" } });
  });
});
