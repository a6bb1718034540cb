// The third language: Go's santhosh-tekuri/jsonschema (tools/go-validator, built into .tools/bin by
// `node tools/go-validator/install.mjs`, which npm test runs) must give every example under examples/ the
// verdict ajv gives it — and Python's — and place the errors of every invalid example where
// expectations.json records them. A missing binary fails this test; it never skips.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  crossLanguageCheck,
  findGoValidator,
  findPython,
  pointersAgree,
  pythonScript,
  runValidator,
  type ValidatorReport,
} from "@workspace-ops/conformance";
import { type ContractName, validate } from "@workspace-ops/contracts";
import { checkExamples } from "@workspace-ops/contracts/authoring";
import { beforeAll, describe, expect, it } from "vitest";

const root = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");
const dirs = { root, contractsDir: join(root, "contracts"), examplesDir: join(root, "examples") };
const readJson = (file: string): unknown => JSON.parse(readFileSync(join(root, file), "utf8"));

interface Expectations {
  invalid: Record<string, { errors: { pointer: string; keyword: string }[] }>;
}

function examplesOnDisk(): { contract: string; file: string; expectValid: boolean }[] {
  return readdirSync(join(root, "examples"))
    .sort()
    .flatMap((contract) =>
      (["valid", "invalid"] as const).flatMap((verdict) => {
        let names: string[] = [];
        try {
          names = readdirSync(join(root, "examples", contract, verdict));
        } catch {}
        return names
          .filter((n) => n.endsWith(".json"))
          .sort()
          .map((n) => ({
            contract,
            file: `examples/${contract}/${verdict}/${n}`,
            expectValid: verdict === "valid",
          }));
      }),
    );
}

let go: ValidatorReport;
const examples = examplesOnDisk();

beforeAll(async () => {
  const binary = findGoValidator(root);
  if (!binary) throw new Error("no Go validator: run node tools/go-validator/install.mjs (npm test does)");
  const report = await runValidator({ command: [binary] }, dirs);
  if (report instanceof Error) throw report;
  go = report;
}, 120_000);

describe("Go jsonschema (Draft 2020-12) gives the examples the same verdicts as ajv and Python", () => {
  it("names the pinned library and reports every example on disk exactly once", () => {
    expect(go.validator).toMatch(/^santhosh-tekuri\/jsonschema v6\.0\.2 \(go1\.\d+/);
    expect(go.results.map((r) => r.file).sort()).toEqual(examples.map((e) => e.file).sort());
  });

  it("finds every valid example valid and every invalid one invalid, as ajv does", () => {
    const byFile = new Map(go.results.map((r) => [r.file, r]));
    const wrong = examples.flatMap((e) => {
      const ajv = validate(e.contract as ContractName, readJson(e.file)).ok;
      const verdict = byFile.get(e.file)?.valid;
      return verdict === e.expectValid && ajv === e.expectValid
        ? []
        : [`${e.file}: expected ${e.expectValid}, ajv ${ajv}, go ${verdict}`];
    });
    expect(wrong).toEqual([]);
  });

  it("locates the errors of every invalid example where expectations.json records them", () => {
    const byFile = new Map(go.results.map((r) => [r.file, r]));
    const misplaced = examples
      .filter((e) => !e.expectValid)
      .flatMap((e) => {
        const recorded = (readJson(`examples/${e.contract}/expectations.json`) as Expectations).invalid[
          e.file.split("/").pop() as string
        ];
        const reported = byFile.get(e.file)?.pointers ?? [];
        return (recorded?.errors ?? [{ pointer: "(none recorded)", keyword: "" }])
          .filter((r) => !pointersAgree(r.pointer, reported))
          .map(
            (r) =>
              `${e.file}: recorded ${JSON.stringify(r.pointer)} (${r.keyword}); Go reports ${JSON.stringify(reported)}`,
          );
      });
    expect(misplaced).toEqual([]);
  });

  it("agrees three ways in the conformance check, with Python and Go both required", async () => {
    const ajv = await checkExamples(dirs);
    const python = findPython(root);
    const binary = findGoValidator(root);
    expect(python && binary).toBeTruthy();
    const check = await crossLanguageCheck({
      ...dirs,
      ajv,
      validators: [
        { language: "python", command: [python as string, pythonScript], required: true },
        { language: "go", command: [binary as string], required: true },
      ],
    });
    expect(check.cases.flatMap((c) => c.findings)).toEqual([]);
    expect(check.cases).toHaveLength(2 * examples.length);
    expect(check.status).toBe("passed");
  }, 120_000);
});
