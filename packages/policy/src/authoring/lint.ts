// Formatting and compile checks of a policies/ folder, as `opa fmt --list` and `opa check --strict`
// with the runtime's capabilities (and, when given, input schemas) run them.
import { defaultCapabilities, loadIgnores } from "./build.js";
import { runOpa } from "./opa.js";

export interface LintProblem {
  check: "fmt" | "check";
  /** The file, when OPA names one; line 0 when it names none. */
  file: string;
  line: number;
  message: string;
}

export interface LintOptions {
  opa: string;
  policiesDir: string;
  /** Default: the capabilities of the runtime this package ships. */
  capabilities?: string;
  /** A folder of input schemas (`opa check --schema`). */
  inputSchemas?: string;
}

export async function lintPolicies(options: LintOptions): Promise<LintProblem[]> {
  const { opa, policiesDir } = options;
  const problems: LintProblem[] = [];
  const hidden = loadIgnores.filter((p) => p !== "*_test.rego").flatMap((p) => ["--ignore", p]);
  const fmt = await runOpa(opa, ["fmt", "--list", policiesDir]);
  for (const file of fmt.stdout.split("\n").filter(Boolean))
    problems.push({ check: "fmt", file, line: 0, message: "not formatted: run opa fmt -w on it" });
  if (fmt.code !== 0 && problems.length === 0)
    problems.push({ check: "fmt", file: policiesDir, line: 0, message: fmt.stderr.trim() });

  const check = await runOpa(opa, [
    "check",
    "--strict",
    "--format",
    "json",
    "--capabilities",
    options.capabilities ?? defaultCapabilities,
    ...(options.inputSchemas ? ["--schema", options.inputSchemas] : []),
    ...hidden,
    policiesDir,
  ]);
  if (check.code !== 0) {
    let errors: { message: string; location?: { file: string; row: number } }[] = [];
    try {
      errors = (JSON.parse(check.stderr || check.stdout) as { errors: typeof errors }).errors ?? [];
    } catch {
      errors = [{ message: (check.stderr || check.stdout).trim() }];
    }
    for (const e of errors)
      problems.push({
        check: "check",
        file: e.location?.file ?? policiesDir,
        line: e.location?.row ?? 0,
        message: e.message,
      });
  }
  return problems;
}
