// Governed model calls as a user runs them: a binding submitted with `wsops submit`, `wsops gateway` as
// its own process in front of local fake upstreams that stream real server-sent events, `wsops usage`,
// and credentials planted in a secrets file and the gateway's environment that must never reach the
// database, the audit export, the events, any output or any client.
import { spawn } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bindingOperations, chainBinding } from "../../packages/executor/dist/testing/model-calls.js";
import {
  type FakeUpstream,
  startFakeUpstream,
} from "../../packages/model-gateway/dist/testing/fake-upstream.js";
import { cliEnv, repoRoot, stateDirOf, wsops } from "../cli/run-cli.js";

const ANTHROPIC_KEY = "sk-ant-api03-PLANTED-in-a-file-7c1e0f5d9a8b4c3e2f1a0b9c8d7e6f5a";
const OPENAI_KEY = "sk-proj-PLANTED-in-the-environment-3b2a1c0d9e8f7a6b5c4d3e2f1a0b";
const bin = join(repoRoot, "packages/cli/bin/wsops.js");

const dir = mkdtempSync(join(tmpdir(), "wsops-gateway-e2e-"));
const secretsDir = join(dir, "secrets");
const eventsFile = join(dir, "events.jsonl");
const upstreams: Record<string, FakeUpstream> = {};
const responses: string[] = [];
let gateway: { url: string; stop: () => Promise<{ code: number | null; stdout: string; stderr: string }> };

async function startGatewayProcess(args: string[]) {
  const child = spawn(process.execPath, [bin, "gateway", ...args], {
    cwd: dir,
    env: { ...cliEnv, OPENAI_API_KEY: OPENAI_KEY },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stderr.on("data", (b) => (stderr += b));
  const listening = new Promise<string>((resolve, reject) => {
    child.stdout.on("data", (b) => {
      stdout += b;
      const line = stdout.split("\n")[0];
      if (stdout.includes("\n") && line) resolve((JSON.parse(line) as { url: string }).url);
    });
    child.on("close", (code) => reject(new Error(`wsops gateway exited (${code}): ${stderr}`)));
  });
  const closed = new Promise<{ code: number | null }>((resolve) =>
    child.on("close", (code) => resolve({ code })),
  );
  const url = await listening;
  return {
    url,
    stop: async () => {
      child.kill("SIGTERM");
      const { code } = await closed;
      return { code, stdout, stderr };
    },
  };
}

async function chat(body: object) {
  const response = await fetch(`${gateway.url}/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model: "auto", messages: [{ role: "user", content: "Say tok." }], ...body }),
  });
  const text = await response.text();
  responses.push(text);
  return { status: response.status, route: response.headers.get("x-wsops-route"), text };
}

const dataLines = (text: string) =>
  text
    .split("\n\n")
    .filter((b) => b.startsWith("data: "))
    .map((b) => b.slice(6));

beforeAll(async () => {
  upstreams.anthropic = await startFakeUpstream({ failWith: 503 });
  upstreams.openai = await startFakeUpstream({ tokens: 600, usagePerChunk: true, delayMs: 1 });
  upstreams.ollama = await startFakeUpstream({ tokens: 5 });
  mkdirSync(secretsDir);
  writeFileSync(join(secretsDir, "anthropic.key"), `${ANTHROPIC_KEY}\n`);
  chmodSync(join(secretsDir, "anthropic.key"), 0o600);
  const binding = chainBinding({ credentialRef: "secretref://file/anthropic.key" });
  const openai = binding.fallbackChain[0];
  if (openai) openai.perMinuteBudget = { tokensPerMinute: 400, costUsdPerMinute: 1, requestsPerMinute: 10 };
  for (const [i, operation] of bindingOperations(binding).entries()) {
    const file = join(dir, `operation-${i}.json`);
    writeFileSync(file, JSON.stringify(operation));
    const submitted = wsops(["submit", file, "--events", eventsFile], { cwd: dir });
    expect(submitted).toMatchObject({ code: 0, stderr: "" });
  }
  gateway = await startGatewayProcess([
    "--persona",
    "coder",
    ...Object.entries(upstreams).flatMap(([name, u]) => ["--upstream", `${name}=${u.url}`]),
    "--listen",
    "127.0.0.1:0",
    "--secrets-dir",
    secretsDir,
    "--block-tokens",
    "32",
    "--max-tokens",
    "50",
    "--json",
  ]);
}, 60_000);

afterAll(async () => {
  await Promise.all(Object.values(upstreams).map((u) => u.close()));
});

describe("wsops gateway", () => {
  it("falls back from a provider that fails, and cuts the stream at the fallback's own budget", async () => {
    const { status, route, text } = await chat({ stream: true });
    expect({ status, route }).toEqual({ status: 200, route: "openai/gpt-4.1-mini" });
    const data = dataLines(text);
    expect(data.at(-1)).toMatch(/"type":"budget_exhausted"/);
    expect(data).not.toContain("[DONE]");
    expect(upstreams.anthropic?.received[0]?.authorization).toBe(`Bearer ${ANTHROPIC_KEY}`);
    expect(upstreams.openai?.received[0]?.authorization).toBe(`Bearer ${OPENAI_KEY}`);
  });

  it("routes the next call past the failed provider and the spent entry, to the free local model", async () => {
    const { status, route, text } = await chat({});
    expect({ status, route }).toEqual({ status: 200, route: "ollama/qwen2.5-coder:32b" });
    expect(JSON.parse(text)).toMatchObject({ object: "chat.completion", usage: { completion_tokens: 5 } });
  });

  it("shows the minute's spend against each budget with wsops usage", () => {
    const shown = wsops(["usage", "--persona", "coder", "--json"], { cwd: dir });
    expect(shown.code).toBe(0);
    const report = JSON.parse(shown.stdout) as {
      personas: { budgets: { scope: string; tokens: { used: number; reserved: number; limit: number } }[] }[];
    };
    const [binding, openai] = report.personas[0]?.budgets ?? [];
    expect(openai).toMatchObject({
      scope: "openai/gpt-4.1-mini",
      tokens: { used: 401, reserved: 0, limit: 400 },
    });
    // The failed attempt on anthropic spent nothing; openai 401 (the chunk that crossed 400); ollama 50 + 5.
    expect(binding).toMatchObject({ scope: "binding", tokens: { used: 456, reserved: 0, limit: 20000 } });
    const text = wsops(["usage"], { cwd: dir });
    expect(text.code).toBe(0);
    expect(text.stdout.split("\n").slice(0, 2)).toEqual([
      expect.stringMatching(/^persona coder \(binding bind-coder-chain\), the 60 s before /),
      "  budget               tokens used+held/limit  cost USD used+held/limit  requests used+held/limit",
    ]);
    expect(wsops(["usage", "--persona", "nobody"], { cwd: dir })).toMatchObject({
      code: 1,
      stdout: "persona nobody: no model provider binding\n",
    });
  });

  it("keeps the planted credentials out of the database, the audit export, the events and every output", async () => {
    const stopped = await gateway.stop();
    expect(stopped.code).toBe(0);
    expect(stopped.stderr).toMatch(/failed: upstream_error: HTTP 503 from anthropic: .*Bearer \[REDACTED:/);
    expect(stopped.stderr).toMatch(/cut \(tokens budget exhausted\) on openai\/gpt-4\.1-mini/);
    const exported = wsops(["audit", "export"], { cwd: dir });
    expect(exported.code).toBe(0);
    expect(exported.stdout).toContain('"type":"model_call_failover"');
    const verified = wsops(["audit", "verify"], { cwd: dir });
    expect(verified.code).toBe(0);
    const stateDir = stateDirOf(dir);
    const places: Record<string, string> = {
      "audit export": exported.stdout,
      events: readFileSync(eventsFile, "utf8"),
      "gateway stdout": stopped.stdout,
      "gateway stderr": stopped.stderr,
      "wsops usage": wsops(["usage", "--json"], { cwd: dir }).stdout,
      "client responses": responses.join("\n"),
      ...Object.fromEntries(
        readdirSync(stateDir).map((f) => [`state ${f}`, readFileSync(join(stateDir, f)).toString("latin1")]),
      ),
    };
    expect(Object.keys(places)).toContain("state state.db");
    for (const [place, text] of Object.entries(places)) {
      expect({ place, anthropic: text.includes(ANTHROPIC_KEY), openai: text.includes(OPENAI_KEY) }).toEqual({
        place,
        anthropic: false,
        openai: false,
      });
    }
  });
});
