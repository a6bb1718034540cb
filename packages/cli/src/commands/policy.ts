import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { describeCase, policyTestChecks } from "@workspace-ops/conformance/report";
import { defaultBundleDir, type Entrypoint, entrypoints, PolicyRuntime } from "@workspace-ops/policy";
import { buildBundle, checkPolicies, locateOpa } from "@workspace-ops/policy/authoring";
import { z } from "zod";
import { parseCommand } from "../args.js";
import { ExitCode } from "../exit-codes.js";
import { type Io, SetupError, UsageError } from "../io.js";
import {
  formatHelp,
  formatOf,
  formatOptions,
  formatSchema,
  isReportFormat,
  printReport,
} from "../report-output.js";
import { version } from "../version.js";
import { staleBundleWarning } from "./stale-bundle.js";

/** `wsops policy eval` exit codes beyond the common ones (docs/cli.md). */
export const EvalExit = { allow: 0, deny: 1, approvalRequired: 3, noDecision: 4 } as const;

export const policyUsage = `Usage: wsops policy <build|test|eval> [options]

  wsops policy build [--policies DIR] [--out DIR] [--json]
      Compile the Rego library to a WebAssembly bundle (policy.wasm, data.json, manifest.json with
      the sha256 of each) using the capabilities of the runtime. Defaults: --policies policies,
      --out policy-bundle.
  wsops policy test [--policies DIR] [--fixtures DIR] [--threshold PERCENT] [--json | --format FORMAT]
      opa test with enforced coverage (default 90), then every decision fixture through OPA's Go
      evaluator and the WASM runtime; expected, Go and WASM must agree. A failing table test shows
      each failing case: its name, its input, and expected vs actual as a compact diff. A failing
      fixture shows the input, the expected and both actual decisions. The fixtures run even when
      a test fails.
  wsops policy eval --input FILE [--entrypoint NAME] [--bundle DIR] [--policies DIR] [--rebuild] [--json]
      Print the decision for one input (FILE or - for standard input). Default entrypoint
      ${entrypoints[0]}; default bundle: the one built into @workspace-ops/policy. When the
      policies folder (default ./policies) holds Rego that the bundle was not built from, a warning
      says so; --rebuild builds the bundle from that folder first and decides with it.

Options of test:
${formatHelp}

OPA comes from WSOPS_OPA_BIN, else .tools/bin/opa in this or a parent folder (node tools/opa/install.mjs
installs the pinned one), else opa on PATH; it must be OPA 1.x.
Exit codes: build/test 0 ok, 1 failures; eval 0 allow, 1 deny, 3 approval_required, 4 no decision
(bundle refused, trap, undefined or malformed result); 2 usage or internal error (or no usable OPA).
`;

const opaOrThrow = async () => {
  const found = await locateOpa();
  if (!found.ok) throw new SetupError(found.error.message);
  return found.opa.path;
};

const json = (io: Io, value: unknown) => io.stdout(`${JSON.stringify(value, null, 2)}\n`);
const pretty = (value: unknown) => JSON.stringify(value, null, 2).replaceAll("\n", "\n    ");

async function build(argv: string[], io: Io): Promise<number> {
  const { values } = parseCommand(
    argv,
    { policies: { type: "string" }, out: { type: "string" }, json: { type: "boolean" } },
    z.object({
      policies: z.string().default("policies"),
      out: z.string().default("policy-bundle"),
      json: z.boolean().optional(),
    }),
  );
  const result = await buildBundle({
    opa: await opaOrThrow(),
    policiesDir: resolve(values.policies),
    outDir: resolve(values.out),
  });
  if (values.json)
    json(io, result.ok ? { ok: true, outDir: result.outDir, manifest: result.manifest } : result);
  else if (result.ok)
    io.stdout(
      `built ${result.outDir} (revision ${result.manifest.revision}; ${result.manifest.entrypoints.join(", ")})\n`,
    );
  else io.stderr(`wsops policy build: ${result.error.message}\n`);
  return result.ok ? ExitCode.ok : ExitCode.problems;
}

async function test(argv: string[], io: Io): Promise<number> {
  const { values } = parseCommand(
    argv,
    {
      policies: { type: "string" },
      fixtures: { type: "string" },
      threshold: { type: "string" },
      ...formatOptions,
    },
    z.object({
      policies: z.string().default("policies"),
      fixtures: z.string().optional(),
      threshold: z.coerce.number({ error: "must be a percentage" }).min(0).max(100).default(90),
      ...formatSchema,
    }),
  );
  const format = formatOf(values);
  const policiesDir = resolve(values.policies);
  const fixturesDir = values.fixtures
    ? resolve(values.fixtures)
    : join(dirname(policiesDir), "policy-fixtures");
  const started = performance.now();
  const report = await checkPolicies({
    opa: await opaOrThrow(),
    policiesDir,
    fixturesDir,
    threshold: values.threshold,
  });
  if ("code" in report) {
    if (format === "json") json(io, { ok: false, error: report });
    else io.stderr(`wsops policy test: ${report.message}\n`);
    return ExitCode.problems;
  }
  if (isReportFormat(format)) {
    const checks = policyTestChecks(report, {
      root: process.cwd(),
      fixturesDir,
      durationMs: performance.now() - started,
    });
    printReport(io, format, { command: "wsops policy test", version: version(), checks });
    return report.ok ? ExitCode.ok : ExitCode.problems;
  }
  if (format === "json") {
    json(io, report);
    return report.ok ? ExitCode.ok : ExitCode.problems;
  }
  const { opaTest, fixtures } = report;
  const coverage =
    opaTest.coverage === null ? "not measured (tests fail)" : `${opaTest.coverage.toFixed(1)}%`;
  io.stdout(
    `opa test: ${opaTest.passed} passed, ${opaTest.failed.length} failed; coverage ${coverage} (threshold ${opaTest.threshold}%)\n`,
  );
  for (const f of opaTest.failed) {
    io.stdout(
      `  FAIL ${f.name} ${f.location.startsWith("/") ? relative(process.cwd(), f.location) : f.location}\n`,
    );
    if (f.cases.length === 0 && f.output) io.stdout(`    ${f.output}\n`);
    for (const c of f.cases) io.stdout(`${describeCase(c).replace(/^/gm, "    ")}\n`);
  }
  if (opaTest.coverage !== null && opaTest.coverage < opaTest.threshold)
    io.stdout(`  FAIL coverage ${opaTest.coverage.toFixed(1)}% is below ${opaTest.threshold}%\n`);
  const bad = fixtures.filter((f) => !f.ok);
  io.stdout(`fixtures: ${fixtures.length - bad.length} of ${fixtures.length} agree (expected = Go = WASM)\n`);
  for (const f of bad) {
    io.stdout(
      `  FAIL ${f.fixture.name} (${f.problems.join(", ")}): ${f.fixture.description}\n` +
        `    input:    ${pretty(f.fixture.input)}\n    expected: ${pretty(f.fixture.expected)}\n` +
        `    go:       ${pretty(f.go)}\n    wasm:     ${pretty(f.wasm)}\n`,
    );
  }
  io.stdout(report.ok ? "policy test: ok\n" : "policy test: FAILED\n");
  return report.ok ? ExitCode.ok : ExitCode.problems;
}

async function evaluate(argv: string[], io: Io): Promise<number> {
  const { values } = parseCommand(
    argv,
    {
      input: { type: "string" },
      entrypoint: { type: "string" },
      bundle: { type: "string" },
      policies: { type: "string" },
      rebuild: { type: "boolean" },
      json: { type: "boolean" },
    },
    z.object({
      input: z.string({ error: "is required: the input JSON file, or - for standard input" }),
      entrypoint: z.string().default(entrypoints[0]),
      bundle: z.string().optional(),
      policies: z.string().optional(),
      rebuild: z.boolean().optional(),
      json: z.boolean().optional(),
    }),
  );
  if (values.rebuild && values.bundle)
    throw new UsageError("--rebuild builds its own bundle; leave out --bundle");
  let text: string;
  try {
    text = values.input === "-" ? await io.readStdin() : await readFile(values.input, "utf8");
  } catch (error) {
    throw new UsageError(
      `cannot read ${values.input}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${values.input} is not JSON: ${(error as Error).message}`);
  }
  const policiesDir = resolve(values.policies ?? "policies");
  let bundleDir = values.bundle ? resolve(values.bundle) : defaultBundleDir;
  let rebuilt: string | null = null;
  if (values.rebuild) {
    rebuilt = await mkdtemp(join(tmpdir(), "wsops-policy-eval-"));
    const built = await buildBundle({ opa: await opaOrThrow(), policiesDir, outDir: rebuilt });
    if (!built.ok) {
      await rm(rebuilt, { recursive: true, force: true });
      if (values.json) json(io, { ok: false, error: built.error });
      else io.stderr(`wsops policy eval: no decision: ${built.error.message}\n`);
      return EvalExit.noDecision;
    }
    bundleDir = rebuilt;
  } else {
    const warning = await staleBundleWarning(bundleDir, policiesDir, values.policies !== undefined);
    if (warning)
      io.stderr(
        `wsops policy eval: warning: ${warning}; rerun with --rebuild to decide with the folder's policies\n`,
      );
  }
  const loaded = await PolicyRuntime.load(bundleDir);
  if (rebuilt) await rm(rebuilt, { recursive: true, force: true });
  if (!loaded.ok) {
    if (values.json) json(io, { ok: false, error: loaded.error });
    else io.stderr(`wsops policy eval: no decision: ${loaded.error.code}: ${loaded.error.message}\n`);
    return EvalExit.noDecision;
  }
  const result = loaded.runtime.evaluate(values.entrypoint as Entrypoint, input);
  if (values.json)
    json(io, result.ok ? { ok: true, decision: result.decision, record: result.record } : result);
  else if (result.ok) {
    const d = result.decision;
    io.stdout(`${d.decision}  (${values.entrypoint}, bundle ${loaded.runtime.revision})\n`);
    for (const r of d.reasons) io.stdout(`  ${r.code}: ${r.message} [${r.policy}]\n`);
    if (Object.keys(d.obligations).length) io.stdout(`  obligations: ${JSON.stringify(d.obligations)}\n`);
  } else io.stderr(`wsops policy eval: no decision: ${result.error.code}: ${result.error.message}\n`);
  if (!result.ok) return EvalExit.noDecision;
  return { allow: EvalExit.allow, deny: EvalExit.deny, approval_required: EvalExit.approvalRequired }[
    result.decision.decision
  ];
}

export async function policyCommand(argv: string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === "--help" || sub === "-h") {
    io.stdout(policyUsage);
    return sub === undefined ? ExitCode.usage : ExitCode.ok;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    io.stdout(policyUsage);
    return ExitCode.ok;
  }
  switch (sub) {
    case "build":
      return build(rest, io);
    case "test":
      return test(rest, io);
    case "eval":
      return evaluate(rest, io);
    default:
      throw new UsageError(`unknown policy command "${sub}"`);
  }
}
