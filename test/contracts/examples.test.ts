// Every example under examples/ fails or passes exactly as recorded.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { contractNames, validate } from "@workspace-ops/contracts";
import { describe, expect, it } from "vitest";

const examplesDir = new URL("../../examples/", import.meta.url).pathname;

interface Expectations {
  invalid: Record<string, { because: string; errors: { pointer: string; keyword: string }[] }>;
}

const read = (path: string): unknown => JSON.parse(readFileSync(path, "utf8"));
const jsonFiles = (dir: string) =>
  existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith(".json"))
        .sort()
    : [];

describe.each(contractNames)("examples of %s", (contract) => {
  const dir = join(examplesDir, contract);
  const valid = jsonFiles(join(dir, "valid"));
  const invalid = jsonFiles(join(dir, "invalid"));
  const expectations = read(join(dir, "expectations.json")) as Expectations;

  it("has at least 3 valid and 5 invalid examples, each invalid one recorded", () => {
    expect(valid.length).toBeGreaterThanOrEqual(3);
    expect(invalid.length).toBeGreaterThanOrEqual(5);
    expect(Object.keys(expectations.invalid).sort()).toEqual(invalid);
  });

  it.each(valid)("valid/%s passes", (file) => {
    expect(validate(contract, read(join(dir, "valid", file)))).toMatchObject({ ok: true });
  });

  it.each(invalid)("invalid/%s fails exactly as recorded", (file) => {
    const result = validate(contract, read(join(dir, "invalid", file)));
    expect(result.ok).toBe(false);
    const got = result.ok ? [] : result.errors.map(({ pointer, keyword }) => ({ pointer, keyword }));
    expect(got).toEqual(expectations.invalid[file]?.errors);
  });
});

describe("the canonical governed local execution", () => {
  it("is a valid execution.start under delegated, never ambient, authority", () => {
    const value = read(join(examplesDir, "WorkspaceOperationContract/valid/governed-local-execution.json"));
    expect(validate("WorkspaceOperationContract", value)).toMatchObject({
      ok: true,
      value: {
        workspaceOperation: { operationType: "agent_machine.execution.start" },
        controls: {
          delegatedAuthorityRequired: true,
          ambientAuthority: false,
          durableWorkspaceState: { mode: "operation-contract-only", externalWrites: false },
        },
        artifact: { kind: "LocalAgentExecution" },
      },
    });
  });
});

describe("examples folders", () => {
  it("exist only for known contracts (and the runnable scenarios)", () => {
    const folders = readdirSync(examplesDir, { withFileTypes: true }).filter((d) => d.isDirectory());
    const contractFolders = folders.map((d) => d.name).filter((name) => name !== "scenarios");
    expect(contractFolders.sort()).toEqual([...contractNames].sort());
  });
});
