// `wsops conformance` on this repository, as CI runs it, and on a copy of its contracts and examples
// with a schema broken on purpose.
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot, wsops } from "../cli/run-cli.js";

describe("wsops conformance on this repository", () => {
  it("passes every check but the configured commands (npm test runs those itself)", () => {
    const { code, stdout } = wsops(["conformance", "--skip", "commands", "--json"]);
    const report = JSON.parse(stdout);
    expect(report.checks.map((c: { id: string; status: string }) => [c.id, c.status])).toEqual([
      ["examples", "passed"],
      ["cross-language", "passed"],
      ["policy-lint", "passed"],
      ["policy-tests", "passed"],
      ["policy-fixtures", "passed"],
      ["contracts-diff", "skipped"],
    ]);
    expect(code).toBe(0);
  }, 120_000);

  it("fails, naming the finding, when a request contract drops an enum value", () => {
    const copy = mkdtempSync(join(tmpdir(), "wsops-conformance-copy-"));
    try {
      for (const dir of ["contracts", "examples"])
        cpSync(join(repoRoot, dir), join(copy, dir), { recursive: true });
      const git = (...args: string[]) =>
        execFileSync("git", ["-c", "user.name=test", "-c", "user.email=test@example.invalid", ...args], {
          cwd: copy,
        });
      git("init", "-q", "-b", "main");
      git("add", "-A");
      git("commit", "-q", "-m", "copy");
      const file = join(copy, "contracts/tool-execution/v1/ToolExecutionRequest.schema.json");
      writeFileSync(
        file,
        readFileSync(file, "utf8").replace(
          '"enum": ["cli", "ide", "ci", "chat"]',
          '"enum": ["cli", "ide", "ci"]',
        ),
      );

      const { code, stdout } = wsops(
        ["conformance", "--base", "main", "--skip", "commands", "--skip", "cross-language"],
        {
          cwd: copy,
        },
      );
      expect(code).toBe(1);
      expect(stdout).toContain(
        '  error [enum-value-removed] ToolExecutionRequest: enum value(s) "chat" removed at contracts/tool-execution/v1/ToolExecutionRequest.schema.json#/properties/context/properties/surface/enum (enum-value-removed; breaking for a request: a payload that was accepted may now be refused)\n',
      );
      expect(stdout).toMatch(
        /\ncontracts-diff +failed .*: 1 breaking without a major version bump, 0 breaking with one, 0 compatible\n/,
      );
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  }, 120_000);
});
