// The Rego library as CI sees it: opa test with coverage ≥ 90%, and every decision fixture agreeing
// three ways — the fixture's expected decision, OPA's Go evaluator, and the WASM runtime.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { checkPolicies, findOpa, type PolicyTestReport } from "@workspace-ops/policy/authoring";
import { beforeAll, describe, expect, it } from "vitest";

const root = new URL("../../", import.meta.url).pathname;
let report: PolicyTestReport;

beforeAll(async () => {
  const opa = findOpa(root);
  if (!opa) throw new Error("no OPA: npm run build installs it (tools/opa/install.mjs)");
  const result = await checkPolicies({ opa, policiesDir: join(root, "policies"), threshold: 90 });
  if ("code" in result) throw new Error(`${result.code}: ${result.message}`);
  report = result;
}, 240_000);

describe("the policy library", () => {
  it("passes opa test", () => {
    expect(report.opaTest.failed).toEqual([]);
    expect(report.opaTest.passed).toBeGreaterThan(0);
  });

  it("keeps statement coverage at or above 90%", () => {
    expect(report.opaTest.coverage).toBeGreaterThanOrEqual(90);
  });

  it("has at least 60 decision fixtures, covering all four entrypoints and every decision", () => {
    expect(report.fixtures.length).toBeGreaterThanOrEqual(60);
    const entrypoints = new Set(report.fixtures.map((f) => f.fixture.entrypoint));
    expect([...entrypoints].sort()).toEqual([
      "workspace_ops/approval/decision",
      "workspace_ops/model_call/decision",
      "workspace_ops/operation/decision",
      "workspace_ops/tool_execution/decision",
    ]);
    const decisions = new Set(
      report.fixtures.map((f) => (f.fixture.expected as { decision: string }).decision),
    );
    expect([...decisions].sort()).toEqual(["allow", "approval_required", "deny"]);
  });

  it("gives every fixture the same decision from the expectation, OPA's Go evaluator and the WASM runtime", () => {
    const disagreements = report.fixtures
      .filter((f) => !f.ok)
      .map((f) => ({
        fixture: f.fixture.name,
        problems: f.problems,
        expected: f.fixture.expected,
        go: f.go,
        wasm: f.wasm,
      }));
    expect(disagreements).toEqual([]);
  });

  it("gives the fixtures the command analysis the analyzer computes (tools/policy/fixture-analysis.mjs --check)", () => {
    const run = spawnSync(process.execPath, [join(root, "tools/policy/fixture-analysis.mjs"), "--check"], {
      encoding: "utf8",
    });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
  });
});
