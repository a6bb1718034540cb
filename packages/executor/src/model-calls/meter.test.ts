// Governed model calls through the executor: real policy bundle, real SQLite store, the real clock.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ModelCallDecision, type UsageRecord, validate } from "@workspace-ops/contracts";
import type { Batch, Store } from "@workspace-ops/store";
import { afterEach, describe, expect, it } from "vitest";
import { Executor } from "../executor.js";
import { bind, chainBinding, modelCall } from "../testing/model-calls.js";
import type { MeteredCall, ModelCallStart } from "./meter.js";
import { usageReport } from "./usage-report.js";

const opened: Executor[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((e) => e.close()));
});

async function open(binding = chainBinding()) {
  const executor = await Executor.open({
    workspaceRoot: mkdtempSync(join(tmpdir(), "wsops-model-")),
    mode: "governed",
    sandbox: { backend: "process" },
  });
  opened.push(executor);
  await bind(executor, binding);
  return executor;
}

/** Counts the store's commits (the real store, observed). */
function countCommits(store: Store): { commits: Batch[] } {
  const seen = { commits: [] as Batch[] };
  const commit = store.commit.bind(store);
  store.commit = (batch) => {
    seen.commits.push(batch);
    return commit(batch);
  };
  return seen;
}

function started(start: ModelCallStart): MeteredCall {
  if (!start.ok) throw new Error(`expected a call, got ${JSON.stringify(start)}`);
  return start.call;
}

const auditOf = async (executor: Executor, subject: string) =>
  (await executor.context.store.readAudit()).filter((r) => r.subject === subject);

describe("a governed model call", () => {
  it("routes to the bound model, holds its estimate, charges within it without a write, and records its usage once", async () => {
    const executor = await open();
    const request = modelCall(["streaming"], { tokensIn: 400, tokensOut: 600 });
    const call = started(await executor.modelCall(request));
    expect(call.route).toEqual({
      entry: 0,
      provider: "anthropic",
      model: "claude-sonnet-4-5",
      bindingId: "bind-coder-chain",
      credentialRef: "env://ANTHROPIC_API_KEY",
      pricing: { inputUsdPerMillionTokens: 3, outputUsdPerMillionTokens: 15 },
    });
    expect(validate("ModelCallDecision", call.decision)).toMatchObject({ ok: true });
    expect(call.decision).toMatchObject({ decision: "allow", attempt: 1, skipped: [], reasons: [] });
    const store = executor.context.store;
    expect(await store.reservations("coder")).toMatchObject([
      {
        persona: "coder",
        entry: "anthropic/claude-sonnet-4-5",
        amounts: { tokens: 1000, costMicroUsd: 10200, requests: 1 },
      },
    ]);
    const seen = countCommits(store);
    for (let i = 0; i < 12; i++) expect(await call.charge({ tokensOut: 50 })).toEqual({ ok: true });
    expect(seen.commits).toEqual([]);
    const { usage, summary } = await call.finish({ reported: { tokensIn: 380, tokensOut: 600 } });
    expect(seen.commits.length).toBe(1);
    expect(validate("UsageRecord", usage)).toMatchObject({ ok: true });
    expect(usage).toMatchObject({
      persona: "coder",
      provider: "anthropic",
      model: "claude-sonnet-4-5",
      tokensIn: 380,
      tokensOut: 600,
      costUsd: 0.01014,
      requests: 1,
      capabilitiesUsed: ["streaming"],
      sessionId: "sess-model",
    });
    expect(summary).toEqual({
      modelCallId: request.modelCallId,
      persona: "coder",
      outcome: "completed",
      attempts: [
        {
          attempt: 1,
          decisionId: call.decision.decisionId,
          provider: "anthropic",
          model: "claude-sonnet-4-5",
          entry: 0,
          usageId: usage.usageId,
        },
      ],
      traceparent: request.correlation.traceparent,
      sessionId: "sess-model",
      agentRunId: "run-model",
    });
    expect(await store.reservations("coder")).toEqual([]);
    expect((await auditOf(executor, request.modelCallId)).map((r) => r.type)).toEqual([
      "model_call_decision",
      "model_call",
    ]);
    expect((await store.usageSince("coder", new Date(0))) as UsageRecord[]).toEqual([usage]);
    expect(await store.verifyAudit()).toMatchObject({ ok: true });
  });

  it("skips the bound model for a capability it lacks and names why", async () => {
    const executor = await open();
    const call = started(await executor.modelCall(modelCall(["vision"])));
    expect(call.route).toMatchObject({ entry: 1, provider: "openai", credentialRef: "env://OPENAI_API_KEY" });
    expect(call.decision.skipped).toEqual([
      {
        entry: 0,
        provider: "anthropic",
        model: "claude-sonnet-4-5",
        reason: {
          code: "capability_unmet",
          message: "anthropic/claude-sonnet-4-5 does not offer vision",
          policy: "workspace_ops.rules.routing",
        },
      },
    ]);
    await call.finish();
  });

  it("skips an entry whose budget the persona's usage has spent", async () => {
    const executor = await open();
    const recorded = await executor.recordUsage({
      kind: "UsageRecord",
      apiVersion: "workspace-ops.dev/v1",
      usageId: "use-earlier",
      persona: "coder",
      provider: "openai",
      model: "gpt-4.1-mini",
      tokensIn: 4000,
      tokensOut: 900,
      costUsd: 0.003,
      occurredAt: new Date().toISOString(),
    });
    expect(recorded.ok).toBe(true);
    const call = started(await executor.modelCall(modelCall(["vision"])));
    expect(call.route).toMatchObject({ entry: 2, provider: "ollama" });
    expect(call.decision.skipped.map((s) => [s.entry, s.reason.code, s.reason.message])).toEqual([
      [0, "capability_unmet", "anthropic/claude-sonnet-4-5 does not offer vision"],
      [
        1,
        "budget_exhausted",
        "persona coder on openai/gpt-4.1-mini: entry budget: 4900 tokens used + 200 estimated exceed 5000 per minute",
      ],
    ]);
    await call.finish();
  });

  it("moves to the next entry when the provider fails, records why, and routes the next call past it", async () => {
    const executor = await open();
    const request = modelCall();
    const call = started(await executor.modelCall(request));
    expect(await call.charge({ tokensOut: 10 })).toEqual({ ok: true });
    const secret = "sk-ant-api03-plantedSECRETplantedSECRETplanted";
    const moved = await call.failed({
      code: "upstream_error",
      message: `HTTP 503 from upstream: {"error":"overloaded","echo":"Authorization: Bearer ${secret}"}`,
    });
    expect(moved).toMatchObject({ ok: true, route: { entry: 1, provider: "openai" } });
    expect(call.decision).toMatchObject({ attempt: 2, route: { entry: 1 } });
    expect(call.decision.skipped[0]?.reason).toMatchObject({ code: "provider_unavailable" });
    const { summary } = await call.finish();
    expect(summary.attempts.map((a) => [a.attempt, a.provider, a.failure?.code])).toEqual([
      [1, "anthropic", "upstream_error"],
      [2, "openai", undefined],
    ]);
    const usage = (await executor.context.store.usageSince("coder", new Date(0))) as UsageRecord[];
    expect(usage.map((u) => [u.provider, u.tokensIn, u.tokensOut])).toEqual([
      ["anthropic", 0, 10],
      ["openai", 100, 0],
    ]);
    expect((await auditOf(executor, request.modelCallId)).map((r) => r.type)).toEqual([
      "model_call_decision",
      "model_call_failover",
      "model_call_decision",
      "model_call",
    ]);
    const next = started(await executor.modelCall(modelCall()));
    expect(next.route.provider).toBe("openai");
    await next.finish();
    let text = "";
    for await (const chunk of executor.context.store.exportAudit()) text += chunk;
    expect(text).not.toContain(secret);
    expect(text).toContain("[REDACTED:");
  });

  it("cuts a stream when the persona's token budget runs out, within one chunk", async () => {
    const executor = await open(
      chainBinding({
        perMinuteBudget: { tokensPerMinute: 1000, costUsdPerMinute: 1, requestsPerMinute: 30 },
      }),
    );
    const call = started(
      await executor.modelCall(modelCall([], { tokensIn: 100, tokensOut: 100 }), { blockTokens: 64 }),
    );
    let charged = 100;
    let result = await call.charge({ tokensOut: 40 });
    while (result.ok) {
      charged += 40;
      result = await call.charge({ tokensOut: 40 });
    }
    charged += 40;
    expect(result).toEqual({
      ok: false,
      exhausted: "tokens",
      message: expect.stringContaining("would exceed 1000"),
    });
    expect(charged).toBe(1020); // the chunk that crossed 1000 was already spent
    expect(await call.charge({ tokensOut: 40 })).toMatchObject({ ok: false, exhausted: "tokens" });
    const { usage, summary } = await call.finish();
    expect(summary).toMatchObject({ outcome: "cut", exhausted: "tokens" });
    expect(usage).toMatchObject({ tokensIn: 100, tokensOut: 960 });
    const refused = await executor.modelCall(modelCall());
    expect(refused).toMatchObject({ ok: false, refusal: { code: "budget_exhausted" } });
  });

  it("lets two concurrent calls of one persona share one budget", async () => {
    const executor = await open(
      chainBinding({
        fallbackChain: [],
        perMinuteBudget: { tokensPerMinute: 2000, costUsdPerMinute: 1, requestsPerMinute: 30 },
      }),
    );
    const calls = [
      started(
        await executor.modelCall(modelCall([], { tokensIn: 100, tokensOut: 100 }), { blockTokens: 100 }),
      ),
      started(
        await executor.modelCall(modelCall([], { tokensIn: 100, tokensOut: 100 }), { blockTokens: 100 }),
      ),
    ];
    const charged = [100, 100]; // the estimated input is spent as soon as a call is made
    const cut = [false, false];
    while (!cut[0] || !cut[1]) {
      await Promise.all(
        calls.map(async (call, i) => {
          if (cut[i]) return;
          const result = await call.charge({ tokensOut: 25 });
          charged[i] = (charged[i] ?? 0) + 25;
          if (!result.ok) cut[i] = true;
        }),
      );
      const held = (await executor.context.store.reservations("coder")).reduce(
        (n, r) => n + r.amounts.tokens,
        0,
      );
      expect(held).toBeLessThanOrEqual(2000);
    }
    const finished = await Promise.all(calls.map((call) => call.finish()));
    const total = finished.reduce((n, f) => n + f.usage.tokensIn + f.usage.tokensOut, 0);
    // Every token each call was granted, plus the one chunk per call that crossed the budget.
    expect(total).toBe((charged[0] ?? 0) + (charged[1] ?? 0));
    expect(total).toBeGreaterThan(2000 - 2 * 100);
    expect(total).toBeLessThanOrEqual(2000 + 2 * 25);
    expect(finished.map((f) => f.summary.outcome)).toEqual(["cut", "cut"]);
  });

  it("decides again when another call took the budget between its decision and its reservation", async () => {
    const executor = await open(
      chainBinding({
        fallbackChain: [],
        perMinuteBudget: { tokensPerMinute: 300, costUsdPerMinute: 1, requestsPerMinute: 30 },
      }),
    );
    const store = executor.context.store;
    const refused: string[] = [];
    const commit = store.commit.bind(store);
    store.commit = (batch) =>
      commit(batch).catch((error: { code?: string }) => {
        refused.push(String(error.code));
        throw error;
      });
    const requests = [modelCall(), modelCall()];
    // Both decide on the same state; the store lets one reservation through, the other decides again.
    const starts = await Promise.all(requests.map((r) => executor.modelCall(r)));
    expect(refused).toEqual(["limit_exceeded"]);
    expect(starts.map((s) => (s.ok ? "held" : s.refusal.code)).sort()).toEqual(["budget_exhausted", "held"]);
    const loser = requests[starts.findIndex((s) => !s.ok)]?.modelCallId as string;
    expect(
      (await auditOf(executor, loser)).map((r) => [r.type, (r.data as { decision?: string }).decision]),
    ).toEqual([
      ["model_call_decision", "deny"],
      ["model_call", undefined],
    ]);
    expect((await executor.context.store.reservations("coder")).map((r) => r.amounts.tokens)).toEqual([200]);
  });

  it("refuses what it cannot route, and audits the refusal", async () => {
    const executor = await open();
    const unmet = modelCall(["computer_use"]);
    const refusal = await executor.modelCall(unmet);
    expect(refusal).toMatchObject({
      ok: false,
      refusal: {
        code: "capability_unmet",
        message: "no entry of binding bind-coder-chain offers what the call needs: computer_use, tool_use",
      },
      decision: { decision: "deny" },
    });
    if (refusal.ok || !refusal.decision) throw new Error("expected a denial");
    expect(validate("ModelCallDecision", refusal.decision as ModelCallDecision)).toMatchObject({ ok: true });
    expect(
      (await auditOf(executor, unmet.modelCallId)).map((r) => [
        r.type,
        (r.data as { outcome?: string }).outcome,
      ]),
    ).toEqual([
      ["model_call_decision", undefined],
      ["model_call", "refused"],
    ]);
    expect(await executor.modelCall(modelCall([], undefined, { persona: "nobody" }))).toMatchObject({
      ok: false,
      refusal: { code: "binding_missing", message: "persona nobody has no model provider binding" },
    });
    const invalid = await executor.modelCall({ ...modelCall(), estimate: { tokensIn: -1, tokensOut: 0 } });
    expect(invalid).toMatchObject({
      ok: false,
      refusal: { code: "request_invalid" },
      errors: [{ pointer: "/estimate/tokensIn", keyword: "minimum" }],
    });
  });

  it("reports the window's spend against each budget", async () => {
    const executor = await open();
    const call = started(await executor.modelCall(modelCall(["vision"], { tokensIn: 300, tokensOut: 200 })));
    const report = await usageReport(executor.context.store, { persona: "coder" });
    expect(report).toEqual({
      at: expect.any(String),
      windowSeconds: 60,
      personas: [
        {
          persona: "coder",
          bindingId: "bind-coder-chain",
          budgets: [
            {
              scope: "binding",
              tokens: { used: 0, reserved: 500, limit: 20000 },
              costMicroUsd: { used: 0, reserved: 440, limit: 1000000 },
              requests: { used: 0, reserved: 1, limit: 30 },
            },
            {
              scope: "openai/gpt-4.1-mini",
              tokens: { used: 0, reserved: 500, limit: 5000 },
              costMicroUsd: { used: 0, reserved: 440, limit: 1000000 },
              requests: { used: 0, reserved: 1, limit: 10 },
            },
          ],
        },
      ],
    });
    await call.finish({ reported: { tokensIn: 300, tokensOut: 150 } });
    const after = await usageReport(executor.context.store);
    expect(after.personas[0]?.budgets[0]).toMatchObject({
      tokens: { used: 450, reserved: 0 },
      costMicroUsd: { used: 360, reserved: 0 },
      requests: { used: 1, reserved: 0 },
    });
  });
});
