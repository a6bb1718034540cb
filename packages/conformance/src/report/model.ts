// One report shape for every command CI reads (validate, policy test, contracts diff, conformance),
// so --json, --format junit, sarif and github print the same facts in each.

export type Level = "error" | "warning" | "note";

export interface Finding {
  /** Stable id of what was found (a diff rule, `example-mismatch`, `opa-test-failed`, …). */
  ruleId: string;
  level: Level;
  message: string;
  /** Path relative to the repository root (forward slashes), when the finding has a place. */
  file?: string;
  line?: number;
  column?: number;
  /** Set when a configuration says to ignore it: reported, never counted. */
  ignored?: { reason: string };
  /** Anything else a reader may want (contract, pointer, breaking…). */
  properties?: Record<string, unknown>;
}

/** One thing a check examined: a file, a test, a fixture, a contract. */
export interface TestCase {
  name: string;
  file?: string;
  findings: Finding[];
  /** Set when the case was not run, saying why. */
  skipped?: string;
}

export type CheckStatus = "passed" | "failed" | "skipped" | "error";

export interface CheckResult {
  id: string;
  title: string;
  /** failed: it found problems; error: it could not run (a missing tool, a bad configuration). */
  status: CheckStatus;
  /** One line for the summary table. */
  summary: string;
  durationMs: number;
  cases: TestCase[];
}

export interface Report {
  /** The command that produced it, e.g. "wsops conformance". */
  command: string;
  version: string;
  checks: CheckResult[];
}

/** Rule descriptions, for SARIF's rule list; ids without one get their id as description. */
export type RuleCatalog = Readonly<Record<string, { summary: string }>>;

export const counted = (f: Finding) => !f.ignored;

/** A check fails when any finding that counts is an error. */
export function statusOf(cases: readonly TestCase[]): CheckStatus {
  if (cases.some((c) => c.findings.some((f) => counted(f) && f.level === "error"))) return "failed";
  if (cases.length > 0 && cases.every((c) => c.skipped !== undefined)) return "skipped";
  return "passed";
}

export const findingsOf = (report: Report): Finding[] =>
  report.checks.flatMap((c) => c.cases.flatMap((t) => t.findings));

/** 0 passed (warnings allowed), 1 a check failed, 2 a check could not run. */
export function exitCodeOf(report: Report): 0 | 1 | 2 {
  if (report.checks.some((c) => c.status === "error")) return 2;
  if (report.checks.some((c) => c.status === "failed")) return 1;
  return 0;
}
