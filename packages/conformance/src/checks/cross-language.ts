// Three languages agree: ajv (what @workspace-ops/contracts uses), Python's jsonschema and Go's
// santhosh-tekuri/jsonschema give every example the same verdict, and place the errors of every invalid
// one where ajv places them (the same pointer, or one level apart: see pointersAgree).
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { ExamplesReport } from "@workspace-ops/contracts/authoring";
import { findTool } from "@workspace-ops/policy/authoring";
import { type CheckResult, type Finding, statusOf, type TestCase } from "../report/index.js";

/** The Python side, shipped with this package. */
export const pythonScript = fileURLToPath(new URL("../../validators/validate_examples.py", import.meta.url));
export const goValidatorName = "wsops-jsonschema-go";

export interface ValidatorReport {
  validator?: string;
  results: {
    contract: string;
    file: string;
    valid: boolean;
    pointers: string[];
    errors?: { pointer: string; keyword: string; message: string }[];
  }[];
}

export interface Validator {
  language: "python" | "go";
  /** The argv that runs it, before --contracts/--examples/--root. */
  command: string[];
  required: boolean;
}

/** Python: the configured interpreter, $WSOPS_PYTHON, .tools/venv/bin/python, else python3 on PATH. */
export const findPython = (root: string, configured?: string): string | null =>
  findTool({ configured, envVar: "WSOPS_PYTHON", tools: "venv/bin/python", onPath: "python3", from: root })
    ?.path ?? null;

/** Go: the configured binary, $WSOPS_JSONSCHEMA_GO_BIN, .tools/bin/wsops-jsonschema-go, else PATH. */
export const findGoValidator = (root: string, configured?: string): string | null =>
  findTool({
    configured,
    envVar: "WSOPS_JSONSCHEMA_GO_BIN",
    tools: `bin/${goValidatorName}`,
    onPath: goValidatorName,
    from: root,
  })?.path ?? null;

function run(
  argv: string[],
  cwd: string,
): Promise<{ code: number | null; stdout: string; stderr: string; error?: Error }> {
  return new Promise((done) => {
    const [file, ...args] = argv as [string, ...string[]];
    const child = spawn(file, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("error", (error) => done({ code: null, stdout: "", stderr: "", error }));
    child.on("close", (code) =>
      done({
        code,
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
      }),
    );
  });
}

/** Runs one validator over the examples; an Error says why it could not. */
export async function runValidator(
  validator: Pick<Validator, "command">,
  dirs: { root: string; contractsDir: string; examplesDir: string },
): Promise<ValidatorReport | Error> {
  const argv = [
    ...validator.command,
    "--contracts",
    dirs.contractsDir,
    "--examples",
    dirs.examplesDir,
    "--root",
    dirs.root,
  ];
  const r = await run(argv, dirs.root);
  if (r.error) return new Error(`cannot run ${argv[0]}: ${r.error.message}`);
  if (r.code !== 0)
    return new Error(`${argv.slice(0, 2).join(" ")} exited with ${r.code}: ${r.stderr.trim()}`);
  try {
    return JSON.parse(r.stdout) as ValidatorReport;
  } catch (error) {
    return new Error(`${argv[0]} did not print one JSON document: ${(error as Error).message}`);
  }
}

/** True when `a` is a proper ancestor of `b` ("" is the ancestor of every other pointer). */
const isAncestor = (a: string, b: string) => a !== b && b.startsWith(`${a}/`);

/**
 * A recorded pointer is found when the other library reports the same pointer, or one of its ancestors
 * or descendants: libraries place some failures one level apart (Python reports a `false` subschema and
 * additionalProperties at the object, not at the property). An error elsewhere never matches.
 */
export const pointersAgree = (recorded: string, reported: readonly string[]) =>
  reported.some((p) => p === recorded || isAncestor(p, recorded) || isAncestor(recorded, p));

export async function crossLanguageCheck(options: {
  root: string;
  contractsDir: string;
  examplesDir: string;
  ajv: ExamplesReport;
  validators: Validator[];
}): Promise<CheckResult> {
  const started = performance.now();
  const cases: TestCase[] = [];
  const ran: string[] = [];
  let couldNotRun: string | null = null;
  for (const validator of options.validators) {
    const report = await runValidator(validator, options);
    if (report instanceof Error) {
      if (validator.required) couldNotRun = `${validator.language}: ${report.message}`;
      cases.push({ name: `${validator.language} validator`, findings: [], skipped: report.message });
      continue;
    }
    ran.push(`${validator.language}${report.validator ? ` (${report.validator})` : ""}`);
    const byFile = new Map(report.results.map((r) => [r.file, r]));
    for (const example of options.ajv.examples) {
      const theirs = byFile.get(example.file);
      const findings: Finding[] = [];
      const say = (message: string) =>
        findings.push({
          ruleId: "cross-language-disagreement",
          level: "error",
          message,
          file: example.file,
          properties: { language: validator.language },
        });
      if (!theirs) say(`${example.file}: not reported by the ${validator.language} validator`);
      else if (theirs.valid !== example.valid)
        say(
          `${example.file}: ajv says ${example.valid ? "valid" : "invalid"}, ${validator.language} says ${theirs.valid ? "valid" : "invalid"}` +
            ` (ajv: ${JSON.stringify(example.errors.map((e) => [e.pointer, e.keyword]))}; ${validator.language}: ${JSON.stringify((theirs.errors ?? []).map((e) => [e.pointer, e.keyword]))})`,
        );
      else
        for (const e of example.errors)
          if (!pointersAgree(e.pointer, theirs.pointers))
            say(
              `${example.file}: ajv reports ${JSON.stringify(e.pointer)} (${e.keyword}); ${validator.language} reports ${JSON.stringify(theirs.pointers)}`,
            );
      cases.push({ name: `${validator.language}: ${example.file}`, file: example.file, findings });
    }
    const extra = report.results.filter((r) => !options.ajv.examples.some((e) => e.file === r.file));
    for (const r of extra)
      cases.push({
        name: `${validator.language}: ${r.file}`,
        file: r.file,
        findings: [
          {
            ruleId: "cross-language-disagreement",
            level: "error",
            message: `${r.file}: the ${validator.language} validator reports an example ajv did not see`,
            file: r.file,
          },
        ],
      });
  }
  const disagreements = cases.reduce((n, c) => n + c.findings.length, 0);
  return {
    id: "cross-language",
    title: "ajv, Python and Go agree",
    status: couldNotRun ? "error" : statusOf(cases),
    summary:
      couldNotRun ??
      (ran.length
        ? `${options.ajv.examples.length} example(s), ajv vs ${ran.join(" and ")}: ${disagreements} disagreement(s)`
        : "no other validator available (skipped)"),
    durationMs: performance.now() - started,
    cases,
  };
}
