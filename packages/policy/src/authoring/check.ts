// `wsops policy test`: opa test with enforced coverage, then every decision fixture through both
// evaluators — OPA's Go evaluator (opa eval) and the WASM runtime — against the expected decision.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { PolicyRuntime } from "../runtime.js";
import { buildBundle, loadIgnores } from "./build.js";
import { type Fixture, loadFixtures } from "./fixtures.js";
import { type AuthoringError, runOpa } from "./opa.js";

export interface OpaTestResult {
  passed: number;
  failed: { name: string; location: string; output: string }[];
  coverage: number;
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
}

// The same files the bundle is built from, so Go and WASM evaluate the same library and data.
const ignore = loadIgnores.flatMap((pattern) => ["--ignore", pattern]);

export async function runOpaTests(
  opa: string,
  policiesDir: string,
  threshold: number,
): Promise<OpaTestResult | AuthoringError> {
  // opa test needs the _test.rego files, so it ignores everything else build ignores.
  const testIgnores = loadIgnores
    .filter((p) => p !== "*_test.rego")
    .flatMap((pattern) => ["--ignore", pattern]);
  const tests = await runOpa(opa, ["test", "--format", "json", ...testIgnores, policiesDir]);
  let results: {
    name: string;
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
  const failed = results
    .filter((r) => r.fail || r.error)
    .map((r) => ({
      name: r.name,
      location: r.location ? `${r.location.file}:${r.location.row}` : "",
      output: r.error ? JSON.stringify(r.error) : (r.output ?? ""),
    }));
  const cov = await runOpa(opa, ["test", "--coverage", ...testIgnores, policiesDir]);
  let coverage: number;
  try {
    coverage = (JSON.parse(cov.stdout) as { coverage: number }).coverage;
  } catch {
    return {
      code: "opa_failed",
      message: `opa test --coverage failed:\n${(cov.stderr || cov.stdout).trim()}`,
      pointer: "",
    };
  }
  return { passed: results.length - failed.length, failed, coverage, threshold };
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
    const built = await buildBundle({ opa, policiesDir, outDir: bundleDir });
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
    const ok = opaTest.failed.length === 0 && opaTest.coverage >= threshold && fixtures.every((f) => f.ok);
    return { ok, opaTest, fixtures };
  } finally {
    await rm(bundleDir, { recursive: true, force: true });
  }
}
