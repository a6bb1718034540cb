// Smoke test of the benchmark harness: `run.mjs --quick --json FILE` produces well-formed figures.
// It checks shape and arithmetic only, never speed (targets are goals, not assertions).
// Assumes the packages are built (npx turbo run build).
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const root = fileURLToPath(new URL("../../", import.meta.url));
const runner = join(root, "test", "bench", "run.mjs");

const keys = ["anchor", "anchorValue", "name", "ratio", "suite", "unit", "value"];

const expectedNames = [
  "validate throughput, valid ToolExecutionRequest (higher is better)",
  "validate throughput, invalid ToolExecutionRequest, verdict via isContract (higher is better)",
  "validate throughput, invalid ToolExecutionRequest, validate with errors read (higher is better)",
  "validate throughput, valid WorkspaceOperationContract (higher is better)",
  "validate throughput, invalid WorkspaceOperationContract, verdict via isContract (higher is better)",
  "validate throughput, invalid WorkspaceOperationContract, validate with errors read (higher is better)",
  "cold start to first validation, import/compile in a fresh process (lower is better)",
  "cold start to first validation, whole-process wall time (lower is better)",
  "decision latency p50, tool_execution, vs plain SDK (lower is better)",
  "decision latency p99, tool_execution, vs plain SDK (lower is better)",
  "eval-path latency p50 without checks/zod/record: runtime fast path replicated vs plain SDK (lower is better)",
  "decision latency p50, ours vs its own fast path without checks/zod/record (lower is better)",
  "decision throughput, tool_execution, vs plain SDK (higher is better)",
  "decision latency p50, tool_execution, vs OPA Go evaluator (lower is better)",
  "decision latency p99, tool_execution, vs OPA Go evaluator (lower is better)",
  "decision throughput, tool_execution, vs OPA Go evaluator (higher is better)",
  "decision latency p50, tool_execution, vs OPA server round trip (lower is better)",
  "decision latency p99, tool_execution, vs OPA server round trip (lower is better)",
  "decision throughput, tool_execution, vs OPA server sequential (higher is better)",
  "rss growth over 50,000 decisions (lower is better)",
  "gate per call p50, validate + decide + record, durability relaxed (lower is better)",
  "gate per call p99, validate + decide + record, durability relaxed (lower is better)",
  "gate per call p50, validate + decide + record, durability full (lower is better)",
  "gate per call p99, validate + decide + record, durability full (lower is better)",
  "governed exec of /bin/true p50, durability relaxed (lower is better)",
  "governed exec of /bin/true p50, durability full (as shipped) (lower is better)",
  "approval wake-up across processes, SQLite, p50 (lower is better)",
  "cold start, wsops --help, p50 (lower is better)",
  "cold start, wsops exec --help, p50 (lower is better)",
  "cold start, wsops audit --help, p50 (lower is better)",
  "cold start, wsops exec --sandbox process -- /bin/true, p50 (lower is better)",
  "cold start, wsops exec --durability relaxed --sandbox process -- /bin/true, p50 (lower is better)",
  "cold start, wsops hook claude-code, PreToolUse Read (stdin to stdout), p50 (lower is better)",
  "cold start, wsops hook claude-code, PreToolUse Bash (stdin to stdout), p50 (lower is better)",
  "cold start, wsops hook claude-code --server, PreToolUse Read (stdin to stdout, the server warm), p50 (lower is better)",
  "cold start, wsops hook claude-code --server, PreToolUse Bash (stdin to stdout, the server warm), p50 (lower is better)",
  "cold start, wsops hook claude-code, PostToolUse (stdin to stdout), p50 (lower is better)",
  "cold start, wsops decide (one request on stdin), p50 (lower is better)",
  "cold start, wsops policy eval (a cold decision, no state), p50 (lower is better)",
  "cold start, wsops status ID, p50 (lower is better)",
  "cold start, wsops audit verify, p50 (lower is better)",
  ...(process.env.WSOPS_TEST_PG_URL
    ? [
        "PostgreSQL, 8 executor processes × 10 governed execs, commits per second, durability full (as shipped) (higher is better)",
        "PostgreSQL, 8 executor processes × 10 governed execs, commits per second, durability relaxed (higher is better)",
        "approval wake-up across processes, PostgreSQL (LISTEN/NOTIFY), p50 (lower is better)",
      ]
    : []),
  "decide over HTTP on loopback p50 (POST /api/v1/decide to wsops serve) (lower is better)",
  "decide over HTTP on loopback p99 (POST /api/v1/decide to wsops serve) (lower is better)",
  "a governed call's two commits p50, redacted at the write boundary vs straight to the store, durability relaxed (lower is better)",
  "a governed call's two commits p50, audit head signed vs unsigned, durability relaxed (lower is better)",
  "a governed call's two commits p50, redacted at the write boundary vs straight to the store, durability full (lower is better)",
  "a governed call's two commits p50, audit head signed vs unsigned, durability full (lower is better)",
  "Ed25519 verification of an audit head signature vs signing it, µs per operation (lower is better)",
  "analysis + decision p50, 200-character compound shell string vs plain argv (lower is better)",
  "export --format sft, throughput (higher is better)",
  "export --format trajectory, throughput (higher is better)",
  "export --format rl, throughput (higher is better)",
  "export --format sft, peak RSS (lower is better)",
  "export --format trajectory, peak RSS (lower is better)",
  "export --format rl, peak RSS (lower is better)",
  "decision p50, plain argv, analysis + per-program lookup vs main's pattern scan (lower is better)",
  "gate (a denied curl: validate, analyse, decide, one commit, its event) p50 with tracing on, durability relaxed (lower is better)",
  "governed exec of /bin/true p50 with tracing on, durability relaxed (lower is better)",
  "tracing off: the span calls of one governed exec on the no-op tracing (lower is better)",
  "model call decision p50, policy evaluation, vs a tool_execution decision (lower is better)",
  "model call start p50, decide + reserve, SQLite durability full, vs one bare commit (lower is better)",
  "meter overhead per charged chunk, amortized over 1000-token streams with 256-token blocks (lower is better)",
  "meter overhead per charged chunk, within the reservation (lower is better)",
  "streamed chunk through wsops gateway (route, meter, relay) vs straight from the upstream, p50 (lower is better)",
];

describe("bench harness (--quick)", () => {
  let dir = "";
  let figures: unknown;
  let stdout = "";

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "wsops-bench-"));
    const file = join(dir, "figures.json");
    ({ stdout } = await run(process.execPath, [runner, "--quick", "--json", file], {
      cwd: root,
      timeout: 240_000,
      maxBuffer: 16 * 1024 * 1024,
    }));
    figures = JSON.parse(await readFile(file, "utf8"));
  }, 300_000);

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("writes one JSON array of figures with exactly the seven keys", () => {
    expect(Array.isArray(figures)).toBe(true);
    const list = figures as Record<string, unknown>[];
    expect(list.length).toBeGreaterThan(0);
    for (const f of list) {
      expect(typeof f).toBe("object");
      expect(Object.keys(f).sort()).toEqual(keys);
      for (const k of ["suite", "name", "unit", "anchor"]) {
        expect(typeof f[k], `${k} of ${f.name}`).toBe("string");
        expect((f[k] as string).length, `${k} of ${f.name}`).toBeGreaterThan(0);
      }
      for (const k of ["value", "anchorValue", "ratio"]) {
        expect(typeof f[k], `${k} of ${f.name}`).toBe("number");
        expect(Number.isFinite(f[k]), `${k} of ${f.name}`).toBe(true);
      }
    }
  });

  it("computes ratio as ours divided by the anchor's", () => {
    for (const f of figures as { name: string; value: number; anchorValue: number; ratio: number }[]) {
      expect(f.anchorValue, f.name).not.toBe(0);
      const expected = f.value / f.anchorValue;
      expect(Math.abs(f.ratio - expected), f.name).toBeLessThanOrEqual(1e-9 * Math.abs(expected));
    }
  });

  it("says in every name whether higher or lower is better", () => {
    for (const f of figures as { name: string }[]) expect(f.name).toMatch(/\((higher|lower) is better\)$/);
  });

  it("reports every suite's figures: analysis, contracts, policy, executor, model calls, serve, startup, tracing, trajectory, write-boundary (and postgres with a server)", () => {
    const list = figures as { suite: string; name: string }[];
    expect([...new Set(list.map((f) => f.suite))].sort()).toEqual(
      [
        "analysis",
        "contracts",
        "executor",
        "model-calls",
        "policy",
        ...(process.env.WSOPS_TEST_PG_URL ? ["postgres"] : []),
        "serve",
        "startup",
        "tracing",
        "trajectory",
        "write-boundary",
      ].sort(),
    );
    expect(list.map((f) => f.name)).toEqual(expect.arrayContaining(expectedNames));
  });

  it("prints the machine and a table", () => {
    expect(stdout).toMatch(/^machine: .+ cores, .+ GiB RAM, .+ node v\d+/m);
    expect(stdout).toContain("ratio");
    for (const name of expectedNames) expect(stdout).toContain(name);
  });

  it("refuses an unknown flag with a usage message and exit code 2", async () => {
    const error = await run(process.execPath, [runner, "--no-such-flag"], { cwd: root }).then(
      () => undefined,
      (e: { code?: number; stderr?: string }) => e,
    );
    expect(error?.code).toBe(2);
    expect(error?.stderr).toContain("usage:");
  });
});
