import { closeSync, ftruncateSync, mkdtempSync, openSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { wsops } from "./run-cli.js";

const dir = mkdtempSync(join(tmpdir(), "wsops-cli-"));
const file = (name: string, content: string) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};
const noStack = (text: string) => expect(text).not.toMatch(/\n\s+at .+:\d+:\d+/);

describe("wsops validate", () => {
  it("exits 0 when every file is valid", () => {
    const valid = readdirSync("examples/ToolExecutionRequest/valid").map(
      (f) => `examples/ToolExecutionRequest/valid/${f}`,
    );
    const { code, stdout } = wsops(["validate", ...valid]);
    expect(code).toBe(0);
    expect(stdout).toContain(
      "ok       examples/ToolExecutionRequest/valid/shell-npm-test.json (ToolExecutionRequest)\n",
    );
    expect(stdout).toMatch(new RegExp(`${valid.length} file\\(s\\): ${valid.length} valid, 0 invalid\\n$`));
  });

  it("prints file:line:column, pointer and message per error, and exits 1", () => {
    const path = "examples/WorkspaceOperationContract/invalid/ambient-authority.json";
    const { code, stdout, stderr } = wsops(["validate", path]);
    expect({ code, stdout, stderr }).toEqual({
      code: 1,
      stdout: [
        `invalid  ${path} (WorkspaceOperationContract)`,
        `  ${path}:21:25  /controls/ambientAuthority  controls.ambientAuthority must be false [const]`,
        "1 file(s): 0 valid, 1 invalid",
        "",
      ].join("\n"),
      stderr: "",
    });
  });

  it("prints the documented JSON shape with --json", () => {
    const bad = file("bad-json.json", '{\n  "kind": "UsageRecord",\n  "tokensIn": 1,\n}');
    const { code, stdout } = wsops([
      "validate",
      "--json",
      `examples/UsageRecord/valid/${readdirSync("examples/UsageRecord/valid")[0]}`,
      bad,
    ]);
    expect(code).toBe(1);
    expect(JSON.parse(stdout)).toEqual({
      results: [
        {
          file: `examples/UsageRecord/valid/${readdirSync("examples/UsageRecord/valid")[0]}`,
          contract: "UsageRecord",
          valid: true,
          errors: [],
        },
        {
          file: bad,
          contract: null,
          valid: false,
          errors: [
            {
              pointer: "",
              keyword: "json",
              message: 'not valid JSON: unexpected "}", expected a property name in double quotes',
              line: 4,
              column: 1,
            },
          ],
        },
      ],
    });
  });

  it("checks against --contract instead of the kind", () => {
    const { code, stdout } = wsops([
      "validate",
      "--json",
      "--contract",
      "Trajectory",
      `examples/UsageRecord/valid/${readdirSync("examples/UsageRecord/valid")[0]}`,
    ]);
    expect(code).toBe(1);
    expect(JSON.parse(stdout).results[0]).toMatchObject({
      contract: "Trajectory",
      valid: false,
      errors: [
        { pointer: "/kind", keyword: "const", message: 'kind must be "Trajectory"', line: 2, column: 11 },
      ],
    });
  });

  it("reads standard input for -", () => {
    const { code, stdout } = wsops(["validate", "--json", "-"], { input: '{"kind": "Nope"}' });
    expect(code).toBe(1);
    expect(JSON.parse(stdout).results[0]).toMatchObject({
      file: "-",
      valid: false,
      errors: [{ keyword: "kind" }],
    });
  });

  it.each([
    [["validate"], "wsops validate: validate needs at least one FILE (or - for standard input)"],
    [["validate", "--bogus", "x.json"], "wsops validate: Unknown option '--bogus'"],
    [
      ["validate", "--contract", "Nope", "x.json"],
      'wsops validate: --contract: unknown contract "Nope"; see the list below',
    ],
    [
      ["validate", "--max-bytes=-5", "x.json"],
      "wsops validate: --max-bytes: must be a whole number of bytes above 0",
    ],
    [
      ["validate", "--max-bytes", "lots", "x.json"],
      "wsops validate: --max-bytes: must be a whole number of bytes",
    ],
    [["frobnicate"], 'wsops: unknown command "frobnicate"'],
  ])("exits 2 with the usage for %j", (args, message) => {
    const { code, stdout, stderr } = wsops(args);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr.split("\n")[0]).toBe(message);
    expect(stderr).toContain("Usage: wsops");
    noStack(stderr);
  });

  it("exits 2 for an unreadable file, and still reports the others (a directory's files too)", () => {
    const { code, stdout, stderr } = wsops([
      "validate",
      join(dir, "missing.json"),
      "examples/UsageRecord/invalid",
    ]);
    expect(code).toBe(2);
    expect(stdout).toContain(
      `${join(dir, "missing.json")}:1:1  /  cannot read ${join(dir, "missing.json")}: does not exist [unreadable]`,
    );
    // A directory is not unreadable: it stands for every .json file beneath it.
    expect(stdout).toContain("invalid  examples/UsageRecord/invalid/cost-as-string.json (UsageRecord)\n");
    expect(stdout).toMatch(/\n7 file\(s\): 0 valid, 7 invalid\n$/);
    expect(stderr).toBe("");
  });

  describe("hostile payloads get a clear answer, never a crash or a hang", () => {
    it("__proto__ and constructor keys are data", () => {
      const path = file(
        "proto.json",
        '{"kind": "UsageRecord", "__proto__": {"admin": true}, "constructor": {"prototype": 1}}',
      );
      const { code, stdout, stderr } = wsops(["validate", "--json", path]);
      expect(code).toBe(1);
      const errors = JSON.parse(stdout).results[0].errors;
      expect(errors).toContainEqual(
        expect.objectContaining({
          pointer: "",
          keyword: "additionalProperties",
          message: expect.stringContaining('unknown property "__proto__"'),
        }),
      );
      expect(errors).toContainEqual(
        expect.objectContaining({
          pointer: "",
          keyword: "additionalProperties",
          message: expect.stringContaining('unknown property "constructor"'),
        }),
      );
      expect(stderr).toBe("");
    });

    it("100,000-deep nesting is refused at the limit", () => {
      const path = file("deep.json", `${"[".repeat(100_000)}${"]".repeat(100_000)}`);
      const { code, stdout, stderr } = wsops(["validate", path]);
      expect(code).toBe(1);
      expect(stdout).toContain(`${path}:1:129  /  nesting deeper than 128 levels (the limit) [maxDepth]`);
      noStack(stderr);
    });

    it("a file of several hundred MB is refused by its size", () => {
      const path = join(dir, "huge.json");
      const fd = openSync(path, "w");
      ftruncateSync(fd, 400 * 1024 * 1024);
      closeSync(fd);
      const { code, stdout } = wsops(["validate", path]);
      expect(code).toBe(1);
      expect(stdout).toContain(
        "file is 400.0 MiB; the limit is 16.0 MiB (raise it with --max-bytes) [maxBytes]",
      );
    });

    it("a 50 MB string is answered by the schema when the limit is raised", () => {
      const path = file("long.json", `{"kind": "UsageRecord", "usageId": "${"a".repeat(50 * 1024 * 1024)}"}`);
      const { code, stdout, stderr } = wsops(["validate", "--max-bytes", String(64 * 1024 * 1024), path]);
      expect(code).toBe(1);
      expect(stdout).toContain(
        `${path}:1:36  /usageId  usageId must be at most 128 characters long [maxLength]`,
      );
      noStack(stderr);
    });
  });
});
