// `wsops conformance`: every check CI needs, in one run — examples, cross-language agreement, policy
// lint, tests with coverage, fixtures with WASM parity, the repository's own commands (codegen drift,
// linters), and with a base revision, breaking contract changes.
import { existsSync } from "node:fs";
import { relative } from "node:path";
import { checkPolicies, lintPolicies, locateOpa } from "@workspace-ops/policy/authoring";
import { commandCheck } from "./checks/commands.js";
import {
  crossLanguageCheck,
  findGoValidator,
  findPython,
  pythonScript,
  type Validator,
} from "./checks/cross-language.js";
import { examplesCheck } from "./checks/examples.js";

import type { ResolvedConfig } from "./config.js";
import { contractsDiff } from "./contracts-diff.js";
import { type CheckResult, policyLintCheck, policyTestChecks, type Report } from "./report/index.js";

export const checkIds = [
  "examples",
  "cross-language",
  "policy-lint",
  "policy-tests",
  "policy-fixtures",
  "commands",
  "contracts-diff",
] as const;

export interface ConformanceOptions {
  config: ResolvedConfig;
  /** Compare the contracts with this revision (contracts-diff runs only with one). */
  base?: string;
  head?: string;
  /** Check ids to leave out (see checkIds; "commands" leaves out every configured command). */
  skip?: readonly string[];
  version: string;
  /** Called as each check ends, for progress output. */
  onCheck?: (check: CheckResult) => void;
}

const skipped = (id: string, title: string, why: string): CheckResult => ({
  id,
  title,
  status: "skipped",
  summary: why,
  durationMs: 0,
  cases: [],
});

const failedToRun = (id: string, title: string, why: string): CheckResult => ({
  id,
  title,
  status: "error",
  summary: why,
  durationMs: 0,
  cases: [],
});

export async function runConformance(options: ConformanceOptions): Promise<Report> {
  const { config } = options;
  const checks: CheckResult[] = [];
  const add = (check: CheckResult) => {
    checks.push(check);
    options.onCheck?.(check);
  };
  const wanted = (id: string) => !options.skip?.includes(id);
  const rel = (path: string) => relative(config.root, path) || ".";
  /** A folder the configuration names must exist; a default one that does not just skips its checks. */
  const folder = (what: { dir: string; configured: boolean }, ids: [string, string][]): boolean => {
    if (existsSync(what.dir)) return true;
    for (const [id, title] of ids)
      if (wanted(id))
        add(
          what.configured
            ? failedToRun(id, title, `${rel(what.dir)} does not exist (configured in ${config.file})`)
            : skipped(id, title, `no ${rel(what.dir)}/ folder`),
        );
    return false;
  };

  const exampleIds: [string, string][] = [
    ["examples", "examples behave as recorded"],
    ["cross-language", "ajv, Python and Go agree"],
  ];
  if (folder(config.contracts, exampleIds) && folder(config.examples, exampleIds)) {
    const dirs = { root: config.root, contractsDir: config.contracts.dir, examplesDir: config.examples.dir };
    const examples = await examplesCheck(dirs);
    if (wanted("examples")) add(examples.check);
    if (wanted("cross-language")) {
      const validators: Validator[] = [];
      const python = findPython(config.root, config.crossLanguage.python?.interpreter);
      const go = findGoValidator(config.root, config.crossLanguage.go?.binary);
      const missing: string[] = [];
      if (python)
        validators.push({
          language: "python",
          command: [python, pythonScript],
          required: config.crossLanguage.python?.required ?? false,
        });
      else if (config.crossLanguage.python?.required)
        missing.push("no Python interpreter (set WSOPS_PYTHON)");
      if (go)
        validators.push({
          language: "go",
          command: [go],
          required: config.crossLanguage.go?.required ?? false,
        });
      else if (config.crossLanguage.go?.required)
        missing.push(
          "no Go validator (build it with node tools/go-validator/install.mjs, or set WSOPS_JSONSCHEMA_GO_BIN)",
        );
      const check = await crossLanguageCheck({ ...dirs, ajv: examples.report, validators });
      add(missing.length ? { ...check, status: "error", summary: missing.join("; ") } : check);
    }
  }

  const policyIds: [string, string][] = [
    ["policy-lint", "policies formatted and compiling"],
    ["policy-tests", "policy tests and coverage"],
    ["policy-fixtures", "decision fixtures and WASM parity"],
  ];
  if (policyIds.some(([id]) => wanted(id)) && folder(config.policies, policyIds)) {
    const opa = await locateOpa(config.root);
    if (!opa.ok)
      for (const [id, title] of policyIds) if (wanted(id)) add(failedToRun(id, title, opa.error.message));
    if (opa.ok) {
      if (wanted("policy-lint")) {
        const started = performance.now();
        const problems = await lintPolicies({
          opa: opa.opa.path,
          policiesDir: config.policies.dir,
          ...(config.policy.capabilities ? { capabilities: config.policy.capabilities } : {}),
          ...(config.policy.inputSchemas ? { inputSchemas: config.policy.inputSchemas } : {}),
        });
        add(policyLintCheck(problems, { root: config.root, durationMs: performance.now() - started }));
      }
      if (wanted("policy-tests") || wanted("policy-fixtures")) {
        const started = performance.now();
        const report = await checkPolicies({
          opa: opa.opa.path,
          policiesDir: config.policies.dir,
          fixturesDir: config.policyFixtures.dir,
          threshold: config.policy.threshold ?? 90,
          ...(config.policy.entrypoints ? { entrypoints: config.policy.entrypoints } : {}),
        });
        if ("code" in report) {
          for (const [id, title] of policyIds.slice(1))
            if (wanted(id)) add(failedToRun(id, title, report.message));
        } else {
          const [tests, fixtures] = policyTestChecks(report, {
            root: config.root,
            fixturesDir: config.policyFixtures.dir,
            durationMs: performance.now() - started,
          }) as [CheckResult, CheckResult];
          if (wanted("policy-tests")) add(tests);
          if (wanted("policy-fixtures")) add(fixtures);
        }
      }
    }
  }

  if (wanted("commands"))
    for (const command of config.commands)
      if (wanted(`command:${command.name}`)) add(await commandCheck(command, config.root));

  if (wanted("contracts-diff")) {
    if (!options.base)
      add(skipped("contracts-diff", "breaking contract changes", "no --base revision given"));
    else if (folder(config.contracts, [["contracts-diff", "breaking contract changes"]])) {
      try {
        const diff = await contractsDiff({
          cwd: config.root,
          contractsDir: config.contracts.dir,
          base: options.base,
          ...(options.head ? { head: options.head } : {}),
          ignore: config.diffIgnore,
        });
        add(diff.check);
      } catch (error) {
        add(failedToRun("contracts-diff", "breaking contract changes", (error as Error).message));
      }
    }
  }
  return { command: "wsops conformance", version: options.version, checks };
}
