// Every example behaves as recorded, as a check.
import { relative } from "node:path";
import { checkExamples, type ExampleProblem, type ExamplesReport } from "@workspace-ops/contracts/authoring";
import { type CheckResult, type Finding, statusOf, type TestCase } from "../report/index.js";

export async function examplesCheck(options: {
  root: string;
  contractsDir: string;
  examplesDir: string;
}): Promise<{ check: CheckResult; report: ExamplesReport }> {
  const started = performance.now();
  const report = await checkExamples(options);
  const finding = (p: ExampleProblem, contract?: string): Finding => ({
    ruleId: "example-mismatch",
    level: "error",
    message: `${p.file}: ${p.message}`,
    file: p.file,
    line: p.line,
    column: p.column,
    properties: { pointer: p.pointer, ...(contract ? { contract } : {}) },
  });
  const cases: TestCase[] = report.examples.map((e) => ({
    name: `${e.contract}: ${e.file}`,
    file: e.file,
    findings: e.problems.map((p) => finding(p, e.contract)),
  }));
  if (report.problems.length)
    cases.push({ name: "examples layout", findings: report.problems.map((p) => finding(p)) });
  const bad = report.examples.filter((e) => e.problems.length).length;
  return {
    report,
    check: {
      id: "examples",
      title: "examples behave as recorded",
      status: statusOf(cases),
      summary: `${report.examples.length} example(s) of ${report.contracts.length} schema(s) in ${relative(options.root, options.examplesDir) || "."}: ${report.examples.length - bad} as recorded, ${bad} not${report.problems.length ? `; ${report.problems.length} other problem(s)` : ""}`,
      durationMs: performance.now() - started,
      cases,
    },
  };
}
