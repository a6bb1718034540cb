// The policy checks as report checks: opa test with coverage, the decision fixtures through OPA's Go
// evaluator and the WASM runtime, and formatting/compile checks.
import { join, relative } from "node:path";
import type { LintProblem, PolicyTestReport } from "@workspace-ops/policy/authoring";
import { type CheckResult, type Finding, statusOf, type TestCase } from "./model.js";

const fileLine = (location: string): { file?: string; line?: number } => {
  const match = /^(.*):(\d+)$/.exec(location);
  return match ? { file: match[1] as string, line: Number(match[2]) } : {};
};

const compact = (value: unknown) => JSON.stringify(value);

/** How a failing table case reads: its name, input, and expected vs actual as a compact diff. */
export function describeCase(c: { name: string; input: unknown; diff: string[] }): string {
  return [
    `case ${JSON.stringify(c.name)}`,
    `  input: ${compact(c.input)}`,
    ...c.diff.map((d) => `  ${d}`),
  ].join("\n");
}

export function policyTestChecks(
  report: PolicyTestReport,
  where: { root: string; fixturesDir: string; durationMs: number },
): CheckResult[] {
  const rel = (path: string) => relative(where.root, path) || ".";
  const { opaTest } = report;
  const failedByName = new Map(opaTest.failed.map((f) => [f.name, f]));
  const testCases: TestCase[] = opaTest.tests.map((name) => {
    const failure = failedByName.get(name);
    if (!failure) return { name, findings: [] };
    const at = fileLine(failure.location);
    const file = at.file ? rel(at.file) : undefined;
    const findings: Finding[] = failure.cases.length
      ? failure.cases.map((c) => ({
          ruleId: "opa-test-failed",
          level: "error",
          message: `${name}: ${describeCase(c)}`,
          ...(file ? { file, line: at.line as number } : {}),
          properties: { case: c.name, expected: c.expected, actual: c.actual },
        }))
      : [
          {
            ruleId: "opa-test-failed",
            level: "error",
            message: `${name} failed${failure.output ? `: ${failure.output}` : ""}`,
            ...(file ? { file, line: at.line as number } : {}),
          },
        ];
    return { name, ...(file ? { file } : {}), findings };
  });
  const coverage = opaTest.coverage;
  testCases.push({
    name: `coverage ≥ ${opaTest.threshold}%`,
    findings:
      coverage === null
        ? [
            {
              ruleId: "coverage-unmeasured",
              level: "error",
              message: "coverage was not measured: opa test prints no coverage report while tests fail",
            },
          ]
        : coverage < opaTest.threshold
          ? [
              {
                ruleId: "coverage-below-threshold",
                level: "error",
                message: `statement coverage ${coverage.toFixed(1)}% is below ${opaTest.threshold}%`,
              },
            ]
          : [],
  });
  const fixtureCases: TestCase[] = report.fixtures.map((f) => {
    const file = rel(join(where.fixturesDir, f.fixture.name));
    return {
      name: f.fixture.name,
      file,
      findings: f.ok
        ? []
        : [
            {
              ruleId: f.problems.includes("go ≠ wasm") ? "wasm-parity" : "fixture-mismatch",
              level: "error",
              message: `${f.fixture.name} (${f.problems.join(", ")}): ${f.fixture.description}\n  expected: ${compact(f.fixture.expected)}\n  go:       ${compact(f.go)}\n  wasm:     ${compact(f.wasm)}`,
              file,
              line: 1,
            },
          ],
    };
  });
  const failedFixtures = report.fixtures.filter((f) => !f.ok).length;
  return [
    {
      id: "policy-tests",
      title: "policy tests and coverage",
      status: statusOf(testCases),
      summary: `opa test: ${opaTest.passed} passed, ${opaTest.failed.length} failed; coverage ${coverage === null ? "not measured" : `${coverage.toFixed(1)}%`} (threshold ${opaTest.threshold}%)`,
      durationMs: where.durationMs,
      cases: testCases,
    },
    {
      id: "policy-fixtures",
      title: "decision fixtures and WASM parity",
      status: statusOf(fixtureCases),
      summary: `${report.fixtures.length - failedFixtures} of ${report.fixtures.length} fixture(s) agree (expected = Go = WASM)`,
      durationMs: 0,
      cases: fixtureCases,
    },
  ];
}

export function policyLintCheck(
  problems: LintProblem[],
  where: { root: string; durationMs: number },
): CheckResult {
  const rel = (path: string) => (path.startsWith("/") ? relative(where.root, path) || "." : path);
  const cases: TestCase[] = [
    {
      name: "opa fmt",
      findings: problems
        .filter((p) => p.check === "fmt")
        .map((p) => ({
          ruleId: "rego-format",
          level: "error",
          message: `${rel(p.file)}: ${p.message}`,
          file: rel(p.file),
        })),
    },
    {
      name: "opa check --strict",
      findings: problems
        .filter((p) => p.check === "check")
        .map((p) => ({
          ruleId: "rego-compile",
          level: "error",
          message: `${rel(p.file)}${p.line ? `:${p.line}` : ""}: ${p.message}`,
          file: rel(p.file),
          ...(p.line ? { line: p.line } : {}),
        })),
    },
  ];
  return {
    id: "policy-lint",
    title: "policies formatted and compiling",
    status: statusOf(cases),
    summary: problems.length ? `${problems.length} problem(s)` : "opa fmt and opa check --strict clean",
    durationMs: where.durationMs,
    cases,
  };
}
