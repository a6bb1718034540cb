// `wsops validate` results as a report check: a case per file, a finding per error.
import type { FileResult } from "@workspace-ops/contracts/files";
import type { CheckResult, TestCase } from "./model.js";

export function validationCheck(results: readonly FileResult[], durationMs = 0): CheckResult {
  const cases: TestCase[] = results.map((r) => ({
    name: `${r.file}${r.contract ? ` (${r.contract})` : ""}`,
    file: r.file,
    findings: r.errors.map((e) => ({
      ruleId: `contract-${e.keyword}`,
      level: "error",
      message: `${e.pointer || "/"}: ${e.message}`,
      file: r.file,
      line: e.line,
      column: e.column,
      properties: { contract: r.contract, pointer: e.pointer, keyword: e.keyword },
    })),
  }));
  const invalid = results.filter((r) => !r.valid).length;
  return {
    id: "validate",
    title: "payloads satisfy their contracts",
    status: results.some((r) => r.unreadable) ? "error" : invalid ? "failed" : "passed",
    summary: `${results.length} file(s): ${results.length - invalid} valid, ${invalid} invalid`,
    durationMs,
    cases,
  };
}
