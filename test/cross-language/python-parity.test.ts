// Services in other languages validate these payloads too, so every example under examples/ must get the
// same verdict from Python's jsonschema (Draft 2020-12, formats checked) as from @workspace-ops/contracts.
// packages/conformance/validators/validate_examples.py does the Python side; `npm test` installs its pinned requirements into
// .tools/venv first (tools/setup/python.mjs).
// The interpreter is $PYTHON when set, else .tools/venv/bin/python when present, else python3. A missing interpreter or jsonschema fails this test
// (it never skips): a parity check that silently does not run proves nothing.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type ContractName, contractNames, validate } from "@workspace-ops/contracts";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));
const script = "packages/conformance/validators/validate_examples.py";
const installHint =
  "node tools/setup/python.mjs (npm test runs it), or pip install -r test/python/requirements.txt";
const venvPython = join(root, ".tools/venv/bin/python");
const timeout = 120_000;

interface PythonResult {
  contract: string;
  file: string;
  valid: boolean;
  pointers: string[];
  errors?: { pointer: string; keyword: string; message: string }[];
}

interface PythonReport {
  python: string;
  jsonschema: string;
  results: PythonResult[];
}

interface Example {
  contract: string;
  file: string;
  expectValid: boolean;
  value: unknown;
}

interface Expectations {
  invalid: Record<string, { because: string; errors: { pointer: string; keyword: string }[] }>;
}

const readJson = (file: string): unknown => JSON.parse(readFileSync(join(root, file), "utf8"));

/** examples/<Contract>/{valid,invalid}/*.json, as repo-relative paths: exactly what is on disk. */
function examplesOnDisk(): Example[] {
  const examples: Example[] = [];
  for (const contract of readdirSync(join(root, "examples")).sort()) {
    for (const verdict of ["valid", "invalid"] as const) {
      let names: string[];
      try {
        names = readdirSync(join(root, "examples", contract, verdict));
      } catch {
        continue;
      }
      for (const name of names.filter((n) => n.endsWith(".json")).sort()) {
        const file = `examples/${contract}/${verdict}/${name}`;
        examples.push({ contract, file, expectValid: verdict === "valid", value: readJson(file) });
      }
    }
  }
  return examples;
}

let report: PythonReport | Error | undefined;

/** Runs the Python validator once; throws (failing the test) with the install hint when it cannot run. */
function python(): PythonReport {
  report ??= runPython();
  if (report instanceof Error) throw report;
  return report;
}

function runPython(): PythonReport | Error {
  const interpreter = process.env.PYTHON || (existsSync(venvPython) ? venvPython : "python3");
  const run = spawnSync(interpreter, [script], {
    cwd: root,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
    timeout: timeout - 10_000,
  });
  if (run.error) {
    return new Error(
      `cannot run ${interpreter} ${script}: ${run.error.message}. ` +
        `Install Python 3 and then: ${installHint} (or set PYTHON to an interpreter that has it).`,
    );
  }
  if (run.status !== 0) {
    return new Error(
      `${interpreter} ${script} exited with ${run.status ?? run.signal}:\n${run.stderr.trim()}\n` +
        `Install the Python side with: ${installHint} (or set PYTHON to an interpreter that has it).`,
    );
  }
  try {
    return JSON.parse(run.stdout) as PythonReport;
  } catch (error) {
    return new Error(`${interpreter} ${script} did not print one JSON document: ${String(error)}`);
  }
}

const isContractName = (name: string): name is ContractName =>
  (contractNames as readonly string[]).includes(name);

/** True when pointer `a` is a proper ancestor of pointer `b` ("" is the ancestor of every other pointer). */
const isAncestor = (a: string, b: string): boolean => a !== b && b.startsWith(`${a}/`);

describe("Python jsonschema (Draft 2020-12) gives the examples the same verdicts as @workspace-ops/contracts", () => {
  const examples = examplesOnDisk();

  it("finds the examples on disk", () => {
    expect(examples.length).toBeGreaterThan(0);
    expect(examples.some((e) => e.expectValid)).toBe(true);
    expect(examples.some((e) => !e.expectValid)).toBe(true);
  });

  it(
    "reports every example file on disk exactly once, and nothing else",
    () => {
      const { results } = python();
      const reported = results.map((r) => r.file);
      expect(reported.length).toBe(examples.length);
      expect(new Set(reported).size).toBe(reported.length);
      expect([...reported].sort()).toEqual(examples.map((e) => e.file).sort());
      for (const r of results) expect(r.file.startsWith(`examples/${r.contract}/`), r.file).toBe(true);
    },
    timeout,
  );

  it(
    "gives every example the verdict Node gives it",
    () => {
      const byFile = new Map(python().results.map((r) => [r.file, r]));
      const disagreements: string[] = [];
      for (const example of examples) {
        if (!isContractName(example.contract)) {
          disagreements.push(`${example.file}: ${example.contract} is not a contract`);
          continue;
        }
        const node = validate(example.contract, example.value);
        const py = byFile.get(example.file);
        if (!py) disagreements.push(`${example.file}: not reported by Python`);
        else if (py.valid !== node.ok)
          disagreements.push(
            `${example.file}: Node says ${node.ok ? "valid" : "invalid"}, Python says ${py.valid ? "valid" : "invalid"}` +
              ` (Node: ${JSON.stringify(node.ok ? [] : node.errors.map((e) => [e.pointer, e.keyword]))},` +
              ` Python: ${JSON.stringify((py.errors ?? []).map((e) => [e.pointer, e.keyword, e.message]))})`,
          );
      }
      expect(disagreements).toEqual([]);
    },
    timeout,
  );

  it(
    "finds every valid example valid and every invalid example invalid",
    () => {
      const byFile = new Map(python().results.map((r) => [r.file, r]));
      const wrong = examples
        .filter((e) => byFile.get(e.file)?.valid !== e.expectValid)
        .map((e) => {
          const py = byFile.get(e.file);
          const errors = (py?.errors ?? []).map((x) => `${x.pointer || "(root)"}: ${x.message}`);
          return `${e.file}: expected ${e.expectValid ? "valid" : "invalid"}${errors.length ? `; ${errors.join("; ")}` : ""}`;
        });
      expect(wrong).toEqual([]);
    },
    timeout,
  );

  // Where the errors are: for each invalid example, every pointer E recorded in its expectations.json (what
  // ajv reports) must be matched by some pointer P that Python reports, where
  //   P === E, or P is an ancestor of E, or E is an ancestor of P.
  // Exact equality is the norm. The ancestor directions are there because the two libraries place some
  // errors one level apart for the same failure: Python's jsonschema reports a failing `false` subschema
  // (`"properties": {"argv": false}` in an if/then) at the object holding the forbidden property, not at
  // the property itself (Validator.descend yields the false-schema error before prefixing the property to
  // its path), and it reports additionalProperties at the object; and a library may report a failure at a
  // deeper location than the other. An error elsewhere in the document (a sibling or an unrelated branch)
  // never matches, so an invalid example that Python rejects for a different reason still fails here.
  it(
    "locates the errors of every invalid example where expectations.json records them",
    () => {
      const byFile = new Map(python().results.map((r) => [r.file, r]));
      const misplaced: string[] = [];
      const expectationsOf = new Map<string, Expectations>();
      for (const example of examples.filter((e) => !e.expectValid)) {
        let expectations = expectationsOf.get(example.contract);
        if (!expectations) {
          expectations = readJson(`examples/${example.contract}/expectations.json`) as Expectations;
          expectationsOf.set(example.contract, expectations);
        }
        const name = example.file.slice(example.file.lastIndexOf("/") + 1);
        const expected = expectations.invalid[name]?.errors ?? [];
        if (expected.length === 0) {
          misplaced.push(`${example.file}: expectations.json records no expected error for it`);
          continue;
        }
        const actual = byFile.get(example.file)?.pointers ?? [];
        for (const { pointer: e, keyword } of expected) {
          const matched = actual.some((p) => p === e || isAncestor(p, e) || isAncestor(e, p));
          if (!matched)
            misplaced.push(
              `${example.file}: expected an error at ${JSON.stringify(e)} (${keyword}); Python reports ${JSON.stringify(actual)}`,
            );
        }
      }
      expect(misplaced).toEqual([]);
    },
    timeout,
  );
});
