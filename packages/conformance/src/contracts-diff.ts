// `wsops contracts diff`: the schemas at a base revision against the working tree (or a head revision),
// with the findings a configuration ignores marked, never dropped.
import {
  type ContractComparison,
  type DiffFinding,
  type DiffRuleId,
  diffRules,
  diffSchemas,
} from "@workspace-ops/contracts/diff";
import type { DiffIgnore } from "./config.js";
import { filesAtCommit, filesOnDisk, GitError, repositoryRoot, resolveCommit } from "./git.js";
import { type CheckResult, type Finding, type RuleCatalog, statusOf, type TestCase } from "./report/index.js";

export interface ContractsDiffOptions {
  /** Any folder inside the repository. */
  cwd: string;
  contractsDir: string;
  base: string;
  /** Default: the working tree. */
  head?: string;
  ignore?: readonly DiffIgnore[];
}

export interface ContractsDiffResult {
  base: { ref: string; commit: string };
  head: { ref: string; commit: string | null };
  contracts: ContractComparison[];
  /** Every finding; those the configuration accepts carry the reason it gives. */
  findings: (DiffFinding & { ignored?: { reason: string } })[];
  /** The same as a report check (one case per contract). */
  check: CheckResult;
}

export const diffRuleCatalog: RuleCatalog = diffRules;

export async function contractsDiff(options: ContractsDiffOptions): Promise<ContractsDiffResult> {
  const started = performance.now();
  const root = await repositoryRoot(options.cwd);
  if (!root)
    throw new GitError(`${options.cwd} is not inside a git repository, so there is no base to compare with`);
  const baseCommit = await resolveCommit(root, options.base);
  const headCommit = options.head ? await resolveCommit(root, options.head) : null;
  const base = await filesAtCommit(root, baseCommit, options.contractsDir);
  const head = headCommit
    ? await filesAtCommit(root, headCommit, options.contractsDir)
    : await filesOnDisk(root, options.contractsDir);
  const report = diffSchemas({ base, head });
  const ignoredBy = (contract: string, ruleId: DiffRuleId) =>
    options.ignore?.find((i) => i.contract === contract && i.rules.includes(ruleId));
  const findings = report.findings.map((f): DiffFinding & { ignored?: { reason: string } } => {
    const rule = ignoredBy(f.contract, f.ruleId);
    return rule ? { ...f, ignored: { reason: rule.reason } } : f;
  });

  const cases: TestCase[] = report.contracts.map((c) => ({
    name: `${c.contract} (${c.role}, ${c.status})`,
    ...((c.headFile ?? c.baseFile) ? { file: (c.headFile ?? c.baseFile) as string } : {}),
    findings: [],
  }));
  const byContract = new Map(report.contracts.map((c, i) => [c.contract, cases[i] as TestCase]));
  for (const f of findings) {
    const finding: Finding = {
      ruleId: f.ruleId,
      level: f.severity,
      message: f.message,
      file: f.file,
      line: f.line,
      column: f.column,
      ...(f.ignored ? { ignored: f.ignored } : {}),
      properties: { contract: f.contract, role: f.role, pointer: f.pointer, breaking: f.breaking },
    };
    let target = byContract.get(f.contract);
    if (!target) {
      target = { name: f.contract, file: f.file, findings: [] };
      byContract.set(f.contract, target);
      cases.push(target);
    }
    target.findings.push(finding);
  }
  const all = cases.flatMap((c) => c.findings);
  const count = (level: Finding["level"]) => all.filter((f) => !f.ignored && f.level === level).length;
  const ignored = all.filter((f) => f.ignored).length;
  const check: CheckResult = {
    id: "contracts-diff",
    title: "breaking contract changes",
    status: statusOf(cases),
    summary:
      `${report.contracts.length} schema(s) against ${options.base}: ${count("error")} breaking without a major ` +
      `version bump, ${count("warning")} breaking with one, ${count("note")} compatible${ignored ? `, ${ignored} ignored` : ""}`,
    durationMs: performance.now() - started,
    cases,
  };
  return {
    base: { ref: options.base, commit: baseCommit },
    head: { ref: options.head ?? "working tree", commit: headCommit },
    contracts: report.contracts,
    findings,
    check,
  };
}
