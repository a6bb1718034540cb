// @ts-check
// Governed model calls: what deciding a call and metering its stream cost.
//
// Decision: PolicyRuntime.evaluate of workspace_ops/model_call/decision on the input of
// policy-fixtures/model_call/allow-fallback-entry-budget.json (a chain of three, one unavailable, one
// over its own budget, usage in the window) against the tool_execution decision of
// policy-fixtures/tool_execution/allow-read-only-git-status.json, same runtime, interleaved rounds.
//
// Call start: Executor.modelCall on its SQLite store (durability full, as shipped) — validate the
// ModelCallRequest, read the binding, the window's usage and live reservations, evaluate, and commit
// the decision with the reservation of the estimate — against one bare store commit of one audit
// record on the same store (the commit a call start needs at least); p50 of interleaved rounds.
//
// Meter: per charged chunk of one token, over streams of 1000 chunks with blocks of 256 tokens (so
// about four reservation commits per stream, durability full), against JSON.parse of one
// chat.completion.chunk (what the gateway does to every chunk anyway); and the fast path alone (a
// charge the reservation already covers).
//
// Gateway: a stream of 2000 chunks through wsops gateway's handler (node:http, the meter, SSE parsing
// and relaying) against the same stream straight from the fake upstream, per chunk, p50.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { median, significant } from "../lib/measure.mjs";
import { interleaved, percentile } from "../lib/rounds.mjs";

export const suite = "model-calls";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..", "..");
const fixture = (/** @type {string} */ path) =>
  JSON.parse(readFileSync(join(root, "policy-fixtures", path), "utf8")).input;

/** @param {string} name */
async function load(name) {
  return import(name).catch((error) => {
    throw new Error(`cannot import ${name}; build first: npx turbo run build`, { cause: error });
  });
}

const chunkText = JSON.stringify({
  id: "chatcmpl-1",
  object: "chat.completion.chunk",
  created: 1,
  model: "gpt-4.1-mini",
  choices: [{ index: 0, delta: { content: "tok " }, finish_reason: null }],
});

/** @param {number} ms */
const fmt = (ms) => (ms >= 10 ? ms.toFixed(1) : ms >= 1 ? ms.toFixed(2) : ms.toFixed(4));

/** @param {import("../run.mjs").Context} ctx */
export async function run(ctx) {
  const { Executor } = await load("@workspace-ops/executor");
  const { PolicyRuntime, defaultBundleDir } = await load("@workspace-ops/policy");
  const { bind, chainBinding, modelCall } = await load(
    join(root, "packages/executor/dist/testing/model-calls.js"),
  );
  const { startGateway, credentialResolver } = await load("@workspace-ops/model-gateway");
  const { startFakeUpstream } = await load(
    join(root, "packages/model-gateway/dist/testing/fake-upstream.js"),
  );

  const plan = ctx.quick
    ? { decide: { rounds: 3, each: 50 }, start: { rounds: 3, each: 5 }, streams: 3, fast: 20_000, gateway: 3 }
    : {
        decide: { rounds: 12, each: 400 },
        start: { rounds: 12, each: 20 },
        streams: 15,
        fast: 500_000,
        gateway: 15,
      };

  /** @type {import("../run.mjs").SuiteFigure[]} */
  const figures = [];
  const scratch = mkdtempSync(join(tmpdir(), "wsops-bench-model-"));
  try {
    // ---- the decision alone -------------------------------------------------------------------------
    const loaded = await PolicyRuntime.load(defaultBundleDir);
    if (!loaded.ok) throw new Error(`policy bundle: ${loaded.error.code} ${loaded.error.message}`);
    const policy = loaded.runtime;
    const modelInput = fixture("model_call/allow-fallback-entry-budget.json");
    const toolInput = fixture("tool_execution/allow-read-only-git-status.json");
    const timed = (/** @type {string} */ entrypoint, /** @type {object} */ input) => async () => {
      const t = performance.now();
      const r = policy.evaluate(entrypoint, input);
      const ms = performance.now() - t;
      if (!r.ok || r.decision.decision !== "allow") throw new Error(`${entrypoint}: ${JSON.stringify(r)}`);
      return ms;
    };
    const decisions = await interleaved(
      {
        model: timed("workspace_ops/model_call/decision", modelInput),
        tool: timed("workspace_ops/tool_execution/decision", toolInput),
      },
      { model: plan.decide.each, tool: plan.decide.each },
      plan.decide.rounds,
    );
    const decideP50 = median(decisions.model ?? []);
    const toolP50 = median(decisions.tool ?? []);
    ctx.progress(`model_call decision p50 ${fmt(decideP50)} ms; tool_execution ${fmt(toolP50)} ms`);
    figures.push({
      name: "model call decision p50, policy evaluation, vs a tool_execution decision (lower is better)",
      value: significant(decideP50),
      unit: "ms",
      anchor: "tool_execution decision of a read-only git status, same runtime",
      anchorValue: significant(toolP50),
    });

    // ---- a call's start through the executor ---------------------------------------------------------
    const executor = await Executor.open({
      workspaceRoot: join(scratch, "workspace"),
      stateDir: join(scratch, "state"),
      mode: "governed",
      sandbox: { backend: "process" },
    });
    const wide = { tokensPerMinute: 100_000_000, costUsdPerMinute: 100_000, requestsPerMinute: 1_000_000 };
    await bind(executor, chainBinding({ perMinuteBudget: wide }));
    const store = executor.context.store;
    const starts = await interleaved(
      {
        start: async () => {
          const request = modelCall(["vision"]);
          const t = performance.now();
          const started = await executor.modelCall(request);
          const ms = performance.now() - t;
          if (!started.ok) throw new Error(`model call refused: ${JSON.stringify(started.refusal)}`);
          await started.call.finish();
          return ms;
        },
        commit: async () => {
          const t = performance.now();
          await store.commit({ audit: [{ type: "bench", subject: "bench", data: { at: t } }] });
          return performance.now() - t;
        },
      },
      { start: plan.start.each, commit: plan.start.each },
      plan.start.rounds,
    );
    const startP50 = median(starts.start ?? []);
    const commitP50 = median(starts.commit ?? []);
    ctx.progress(
      `model call start p50 ${fmt(startP50)} ms (p99 ${fmt(percentile(starts.start ?? [], 0.99))}); one commit ${fmt(commitP50)} ms`,
    );
    figures.push({
      name: "model call start p50, decide + reserve, SQLite durability full, vs one bare commit (lower is better)",
      value: significant(startP50),
      unit: "ms",
      anchor: "one store commit of one audit record, same store",
      anchorValue: significant(commitP50),
    });

    // ---- the meter per chunk ------------------------------------------------------------------------
    /** @type {number[]} */
    const perChunk = [];
    /** @type {number[]} */
    const parsePerChunk = [];
    for (let s = 0; s < plan.streams; s++) {
      const started = await executor.modelCall(modelCall([], { tokensIn: 10, tokensOut: 0 }), {
        blockTokens: 256,
      });
      if (!started.ok) throw new Error(`model call refused: ${JSON.stringify(started.refusal)}`);
      const call = started.call;
      let t = performance.now();
      for (let i = 0; i < 1000; i++) {
        const charged = await call.charge({ tokensOut: 1 });
        if (!charged.ok) throw new Error(`cut: ${charged.message}`);
      }
      perChunk.push(((performance.now() - t) / 1000) * 1000);
      await call.finish();
      let sink = 0;
      t = performance.now();
      for (let i = 0; i < 1000; i++) sink += JSON.parse(chunkText).created;
      parsePerChunk.push(((performance.now() - t) / 1000) * 1000);
      if (sink !== 1000) throw new Error("the parse loop was optimised away");
    }
    const fast = await executor.modelCall(modelCall([], { tokensIn: 10, tokensOut: plan.fast }));
    if (!fast.ok) throw new Error(`model call refused: ${JSON.stringify(fast.refusal)}`);
    let t = performance.now();
    for (let i = 0; i < plan.fast; i++) await fast.call.charge({ tokensOut: 1 });
    const fastUs = ((performance.now() - t) / plan.fast) * 1000;
    await fast.call.finish();
    t = performance.now();
    let sink = 0;
    for (let i = 0; i < plan.fast; i++) sink += JSON.parse(chunkText).created;
    const parseUs = ((performance.now() - t) / plan.fast) * 1000;
    if (sink !== plan.fast) throw new Error("the parse loop was optimised away");
    const meterUs = median(perChunk);
    ctx.progress(
      `meter per chunk ${meterUs.toFixed(2)} µs amortized (block 256), fast path ${fastUs.toFixed(3)} µs; JSON.parse of a chunk ${median(parsePerChunk).toFixed(3)} µs`,
    );
    figures.push(
      {
        name: "meter overhead per charged chunk, amortized over 1000-token streams with 256-token blocks (lower is better)",
        value: significant(meterUs),
        unit: "µs",
        anchor: "JSON.parse of one chat.completion.chunk",
        anchorValue: significant(median(parsePerChunk)),
      },
      {
        name: "meter overhead per charged chunk, within the reservation (lower is better)",
        value: significant(fastUs),
        unit: "µs",
        anchor: "JSON.parse of one chat.completion.chunk",
        anchorValue: significant(parseUs),
      },
    );

    // ---- the gateway per chunk ----------------------------------------------------------------------
    const upstream = await startFakeUpstream({ tokens: 2000 });
    const gateway = await startGateway({
      executor,
      persona: "coder",
      upstreams: { anthropic: upstream.url, openai: upstream.url, ollama: upstream.url },
      credentials: credentialResolver({ env: { ANTHROPIC_API_KEY: "bench", OPENAI_API_KEY: "bench" } }),
    });
    const body = JSON.stringify({ model: "auto", stream: true, messages: [{ role: "user", content: "go" }] });
    const stream = (/** @type {string} */ base) => async () => {
      const t0 = performance.now();
      const response = await fetch(`${base}/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: body.replace('"auto"', '"claude-sonnet-4-5"'),
      });
      const text = await response.text();
      if (!text.endsWith("data: [DONE]\n\n")) throw new Error(`stream did not finish: ${text.slice(-200)}`);
      return (performance.now() - t0) / 2000;
    };
    const relayed = await interleaved(
      { gateway: stream(`${gateway.url}/v1`), direct: stream(upstream.url) },
      { gateway: 1, direct: 1 },
      plan.gateway,
    );
    await gateway.close();
    await upstream.close();
    await executor.close();
    const viaGateway = median(relayed.gateway ?? []) * 1000;
    const direct = median(relayed.direct ?? []) * 1000;
    ctx.progress(
      `a 2000-chunk stream: ${viaGateway.toFixed(2)} µs per chunk through the gateway, ${direct.toFixed(2)} direct`,
    );
    figures.push({
      name: "streamed chunk through wsops gateway (route, meter, relay) vs straight from the upstream, p50 (lower is better)",
      value: significant(viaGateway),
      unit: "µs",
      anchor: "the same 2000-chunk stream read straight from the upstream",
      anchorValue: significant(direct),
    });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return figures;
}
