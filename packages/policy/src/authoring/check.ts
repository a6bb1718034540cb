// `wsops policy test`: opa test with enforced coverage, then every decision fixture through both
// evaluators — OPA's Go evaluator (opa eval) and the WASM runtime — against the expected decision.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { entrypoints } from "../entrypoints.js";
import { PolicyRuntime } from "../runtime.js";
import { buildBundle, loadIgnores } from "./build.js";
import { type Fixture, loadFixtures } from "./fixtures.js";
import { jsonDiff } from "./json-diff.js";
import { type AuthoringError, runOpa } from "./opa.js";

/** One failing case of a table-driven test package (its `failures` rule, its `_cases` input). */
export interface TableCaseFailure {
  name: string;
  /** The case's input as the table states it (`_cases[name].input`); null when the package has none. */
  input: unknown;
  expected: unknown;
  actual: unknown;
  /** Compact diff: "- " lines only expected has, "+ " lines only actual has. */
  diff: string[];
}

export interface OpaTestFailure {
  /** data.<package>.<test>. */
  name: string;
  location: string;
  output: string;
  /** For a table-driven package (one with a `failures` rule): each failing case. */
  cases: TableCaseFailure[];
}

export interface OpaTestResult {
  passed: number;
  /** Every test, passed or not, by its full name. */
  tests: string[];
  failed: OpaTestFailure[];
  /** Statement coverage in percent; null when it could not be measured because tests fail. */
  coverage: number | null;
  threshold: number;
}

export interface FixtureResult {
  fixture: Fixture;
  /** What each evaluator returned: the decision document, or an error description. */
  go: unknown;
  wasm: unknown;
  ok: boolean;
  /** Why it failed: "expected ≠ go", "expected ≠ wasm", "go ≠ wasm". */
  problems: string[];
}

export interface PolicyTestReport {
  ok: boolean;
  opaTest: OpaTestResult;
  fixtures: FixtureResult[];
}

export interface CheckOptions {
  opa: string;
  policiesDir: string;
  /** Default: policy-fixtures/ beside policiesDir. */
  fixturesDir?: string;
  /** Minimum statement coverage of `opa test`, in percent. */
  threshold?: number;
  /** Entrypoints to build; default: those the fixtures name, else the library's. */
  entrypoints?: readonly string[];
}

// The same files the bundle is built from, so Go and WASM evaluate the same library and data.
const ignore = loadIgnores.flatMap((pattern) => ["--ignore", pattern]);

const hiddenOnly = loadIgnores.filter((p) => p !== "*_test.rego").flatMap((pattern) => ["--ignore", pattern]);

/**
 * opa test gives each test 5 s; a large table (tool_risk's takes about 0.6 s alone) can pass that on a
 * loaded two-core machine. A safety net, never a speed assertion.
 */
const testTimeout = ["--timeout", "60s"];

export async function runOpaTests(
  opa: string,
  policiesDir: string,
  threshold: number,
): Promise<OpaTestResult | AuthoringError> {
  // opa test needs the _test.rego files, so it ignores everything else build ignores.
  const tests = await runOpa(opa, ["test", "--format", "json", ...testTimeout, ...hiddenOnly, policiesDir]);
  let results: {
    name: string;
    package?: string;
    location?: { file: string; row: number };
    fail?: boolean;
    error?: unknown;
    output?: string;
  }[];
  try {
    results = JSON.parse(tests.stdout);
  } catch {
    return {
      code: "opa_failed",
      message: `opa test failed:\n${(tests.stderr || tests.stdout).trim()}`,
      pointer: "",
    };
  }
  const fullName = (r: { name: string; package?: string }) => (r.package ? `${r.package}.${r.name}` : r.name);
  const failed: OpaTestFailure[] = [];
  const casesOf = new Map<string, Promise<TableCaseFailure[]>>();
  for (const r of results.filter((x) => x.fail || x.error)) {
    const pkg = r.package ?? "";
    if (pkg && !casesOf.has(pkg)) casesOf.set(pkg, tableFailures(opa, policiesDir, pkg));
    failed.push({
      name: fullName(r),
      location: r.location ? `${r.location.file}:${r.location.row}` : "",
      output: r.error ? JSON.stringify(r.error) : (r.output ?? ""),
      cases: pkg ? await (casesOf.get(pkg) as Promise<TableCaseFailure[]>) : [],
    });
  }
  // With a failing test opa prints no coverage report: coverage is unknown, the rest still runs.
  let coverage: number | null = null;
  if (failed.length === 0) {
    const cov = await runOpa(opa, ["test", "--coverage", ...testTimeout, ...hiddenOnly, policiesDir]);
    try {
      coverage = (JSON.parse(cov.stdout) as { coverage: number }).coverage;
    } catch {
      return {
        code: "opa_failed",
        message: `opa test --coverage failed:\n${(cov.stderr || cov.stdout).trim()}`,
        pointer: "",
      };
    }
  }
  return {
    passed: results.length - failed.length,
    tests: results.map(fullName),
    failed,
    coverage,
    threshold,
  };
}

/**
 * The failing cases of a table-driven test package: its `failures` rule maps each failing case's name to
 * {expected, actual} (docs/policies.md, "Reading a failure"), its `_cases` holds each case's input.
 */
async function tableFailures(opa: string, policiesDir: string, pkg: string): Promise<TableCaseFailure[]> {
  const evaluate = async (ref: string): Promise<unknown> => {
    const run = await runOpa(opa, ["eval", "--format", "json", ...hiddenOnly, "-d", policiesDir, ref]);
    try {
      return JSON.parse(run.stdout).result?.[0]?.expressions?.[0]?.value;
    } catch {
      return undefined;
    }
  };
  const failures = await evaluate(`${pkg}.failures`);
  if (typeof failures !== "object" || failures === null || Array.isArray(failures)) return [];
  const cases = (await evaluate(`${pkg}._cases`)) as Record<string, { input?: unknown }> | undefined;
  return Object.entries(failures as Record<string, { expected?: unknown; actual?: unknown }>)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, { expected, actual }]) => ({
      name,
      input: cases?.[name]?.input ?? null,
      expected,
      actual,
      diff: jsonDiff(expected, actual),
    }));
}

/** Evaluates every fixture with `opa eval`, one process per entrypoint. */
async function evaluateWithGo(
  opa: string,
  policiesDir: string,
  fixtures: Fixture[],
): Promise<Map<string, unknown>> {
  const work = await mkdtemp(join(tmpdir(), "wsops-policy-eval-"));
  const results = new Map<string, unknown>();
  try {
    const byEntrypoint = new Map<string, Fixture[]>();
    for (const f of fixtures) byEntrypoint.set(f.entrypoint, [...(byEntrypoint.get(f.entrypoint) ?? []), f]);
    for (const [entrypoint, group] of byEntrypoint) {
      const inputs = join(work, "inputs.json");
      await writeFile(
        inputs,
        JSON.stringify({ wsops_fixture_inputs: Object.fromEntries(group.map((f) => [f.name, f.input])) }),
      );
      const ref = `data.${entrypoint.replaceAll("/", ".")}`;
      const query = `{k: v | some k, x in data.wsops_fixture_inputs; v := ${ref} with input as x}`;
      const run = await runOpa(opa, [
        "eval",
        "--format",
        "json",
        ...ignore,
        "-d",
        policiesDir,
        "-d",
        inputs,
        query,
      ]);
      let value: Record<string, unknown> = {};
      try {
        value = JSON.parse(run.stdout).result[0].expressions[0].value;
      } catch {
        for (const f of group)
          results.set(f.name, { error: `opa eval failed: ${(run.stderr || run.stdout).trim()}` });
        continue;
      }
      for (const f of group) results.set(f.name, f.name in value ? value[f.name] : { error: "undefined" });
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return results;
}

export async function checkPolicies(options: CheckOptions): Promise<PolicyTestReport | AuthoringError> {
  const { opa, policiesDir } = options;
  const threshold = options.threshold ?? 90;
  const opaTest = await runOpaTests(opa, policiesDir, threshold);
  if ("code" in opaTest) return opaTest;

  const loaded = await loadFixtures(options.fixturesDir ?? join(dirname(policiesDir), "policy-fixtures"));
  if (!loaded.ok) return loaded.error;
  const bundleDir = await mkdtemp(join(tmpdir(), "wsops-policy-bundle-"));
  try {
    const named = [...new Set(loaded.fixtures.map((f) => f.entrypoint))].sort();
    const built = await buildBundle({
      opa,
      policiesDir,
      outDir: bundleDir,
      entrypoints: options.entrypoints ?? (named.length ? named : entrypoints),
    });
    if (!built.ok) return built.error;
    const runtime = await PolicyRuntime.load(bundleDir);
    if (!runtime.ok)
      return { code: "bundle_invalid", message: runtime.error.message, pointer: runtime.error.pointer };
    const go = await evaluateWithGo(opa, policiesDir, loaded.fixtures);
    const fixtures = loaded.fixtures.map((fixture): FixtureResult => {
      const evaluation = runtime.runtime.evaluate(fixture.entrypoint, fixture.input);
      const wasm = evaluation.ok
        ? evaluation.decision
        : { error: `${evaluation.error.code}: ${evaluation.error.message}` };
      const fromGo = go.get(fixture.name);
      const problems: string[] = [];
      if (!isDeepStrictEqual(fixture.expected, fromGo)) problems.push("expected ≠ go");
      if (!isDeepStrictEqual(fixture.expected, wasm)) problems.push("expected ≠ wasm");
      if (!isDeepStrictEqual(fromGo, wasm)) problems.push("go ≠ wasm");
      return { fixture, go: fromGo, wasm, ok: problems.length === 0, problems };
    });
    const ok =
      opaTest.failed.length === 0 &&
      opaTest.coverage !== null &&
      opaTest.coverage >= threshold &&
      fixtures.every((f) => f.ok);
    return { ok, opaTest, fixtures };
  } finally {
    await rm(bundleDir, { recursive: true, force: true });
  }
}
