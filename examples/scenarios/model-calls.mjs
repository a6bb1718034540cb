// Scenario 4: governed model calls through wsops gateway's library, offline: a persona bound to a
// chain of two providers, local fake upstreams (the first fails, the second streams), one call that
// falls back from the failing provider, one stream cut by the persona's per-minute budget, and the
// minute's spend against the budget.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Executor, usageReport } from "@workspace-ops/executor";
import { credentialResolver, startGateway } from "@workspace-ops/model-gateway";
import { startFakeUpstream } from "../../packages/model-gateway/dist/testing/fake-upstream.js";
import { operation } from "./governed-execution.mjs";

const binding = {
  kind: "ModelProviderBinding",
  apiVersion: "workspace-ops.dev/v1",
  bindingId: "bind-demo-coder",
  persona: "coder",
  provider: "anthropic",
  model: "claude-sonnet-4-5",
  offeredCapabilities: ["tool_use", "streaming"],
  requiredCapabilities: [],
  pricing: { inputUsdPerMillionTokens: 3, outputUsdPerMillionTokens: 15 },
  credentialRef: "env://ANTHROPIC_API_KEY",
  fallbackChain: [
    {
      provider: "openai",
      model: "gpt-4.1-mini",
      offeredCapabilities: ["tool_use", "streaming"],
      pricing: { inputUsdPerMillionTokens: 0.4, outputUsdPerMillionTokens: 1.6 },
      credentialRef: "env://OPENAI_API_KEY",
    },
  ],
  perMinuteBudget: { tokensPerMinute: 700, costUsdPerMinute: 1, requestsPerMinute: 10 },
};

const profile = {
  kind: "AgentMachineProfile",
  apiVersion: "workspace-ops.dev/v1",
  profileId: "profile-demo-models",
  persona: "coder",
  allowedOperationTypes: ["agent_machine.model_provider.bind"],
  sandbox: { network: "none", filesystem: "workspace-write", backend: "auto" },
  envAllowlist: ["PATH", "HOME"],
  defaultBudget: { maxWallClockSeconds: 600, maxSteps: 20 },
};

/** Streams one chat completion through the gateway; what came back. */
async function chat(url) {
  const response = await fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      model: "auto",
      stream: true,
      messages: [{ role: "user", content: "Count to 400." }],
    }),
  });
  const data = (await response.text())
    .split("\n\n")
    .filter((b) => b.startsWith("data: "))
    .map((b) => b.slice(6));
  return {
    status: response.status,
    route: response.headers.get("x-wsops-route"),
    chunks: data.filter((d) => d.includes('"content":"tok "')).length,
    end: data.at(-1) === "[DONE]" ? "[DONE]" : (JSON.parse(data.at(-1) ?? "{}").error?.code ?? "?"),
  };
}

export async function modelCallsScenario() {
  console.log("\n5. Model calls: a persona's chain behind wsops gateway, against local fake upstreams\n");
  const executor = await Executor.open({
    workspaceRoot: mkdtempSync(join(tmpdir(), "wsops-demo-models-")),
    stateDir: mkdtempSync(join(tmpdir(), "wsops-demo-models-state-")),
    mode: "governed",
  });
  const anthropic = await startFakeUpstream({ failWith: 503 });
  const openai = await startFakeUpstream({ tokens: 400, usagePerChunk: true, delayMs: 1 });
  const problems = [];
  const lines = [];
  try {
    for (const [type, artifact] of [
      ["agent_machine.profile.create", profile],
      ["agent_machine.model_provider.bind", binding],
    ]) {
      const outcome = await executor.submit(operation(type, artifact));
      if (outcome.kind !== "finished" || outcome.state !== "succeeded")
        return [`${type}: ${JSON.stringify(outcome)}`];
    }
    const gateway = await startGateway({
      executor,
      persona: "coder",
      upstreams: { anthropic: anthropic.url, openai: openai.url },
      // Demo keys: the gateway puts them in the upstream's Authorization header, nowhere else.
      credentials: credentialResolver({
        env: { ANTHROPIC_API_KEY: "sk-ant-demo", OPENAI_API_KEY: "sk-demo" },
      }),
      // What a request without max_tokens is expected to spend: the reservation starts there and
      // grows while the answer streams, until the budget has nothing left.
      defaultMaxTokens: 100,
      log: (line) => lines.push(line),
    });
    const first = await chat(gateway.url);
    const second = await chat(gateway.url);
    await gateway.close();
    const report = await usageReport(executor.context.store, { persona: "coder" });
    const verdict = await executor.context.store.verifyAudit();
    console.log(
      `  call 1: ${first.status}, routed to ${first.route} after anthropic answered 503: ${first.chunks} chunks, ended ${first.end}`,
    );
    console.log(
      `  call 2: ${second.status}, ${second.route} at once (anthropic cools down): cut after ${second.chunks} chunks, ended ${second.end} (budget 700 tokens/min)`,
    );
    for (const line of lines) console.log(`    gateway: ${line}`);
    const tokens = report.personas[0]?.budgets[0]?.tokens;
    console.log(
      `  spend this minute: ${tokens?.used} of ${tokens?.limit} tokens; audit log ${verdict.ok ? "intact" : "BROKEN"}`,
    );
    if (first.route !== "openai/gpt-4.1-mini" || first.end !== "[DONE]")
      problems.push(`call 1 did not fall back: ${JSON.stringify(first)}`);
    if (second.end !== "budget_exhausted" || second.chunks === 0 || second.chunks >= 400)
      problems.push(`call 2 was not cut mid-way: ${JSON.stringify(second)}`);
    if (!verdict.ok) problems.push("the audit log does not verify");
    for (const line of lines.filter((l) => l.includes("internal error"))) problems.push(line);
  } finally {
    await anthropic.close();
    await openai.close();
    await executor.close();
  }
  return problems;
}
