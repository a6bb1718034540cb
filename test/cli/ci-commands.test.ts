// The CLI surface added for CI and policy authors, through the real binary: validate on directories
// and globs, the stale-bundle warning and --rebuild, and the usage errors of contracts diff and conformance.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { repoRoot, wsops } from "./run-cli.js";

const scratch = mkdtempSync(join(tmpdir(), "wsops-cli-ci-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("wsops validate on directories and globs", () => {
  it("validates every .json file under a directory, in path order", () => {
    const { code, stdout } = wsops(["validate", "examples/ToolExecutionRequest/valid"]);
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split("\n");
    expect(lines.at(-1)).toMatch(/^(\d+) file\(s\): \1 valid, 0 invalid$/);
    const files = lines.slice(0, -1).map((l) => l.split(/\s+/)[1]);
    expect(files).toEqual([...files].sort());
    expect(files.every((f) => f?.startsWith("examples/ToolExecutionRequest/valid/"))).toBe(true);
  });

  it("expands a quoted glob itself, and says so when it matches nothing", () => {
    const { code, stdout } = wsops(["validate", "--json", "examples/*Request/invalid/*.json"]);
    expect(code).toBe(1);
    const results = JSON.parse(stdout).results as { file: string; valid: boolean }[];
    expect(new Set(results.map((r) => r.file.split("/")[1]))).toEqual(
      new Set(["ApprovalRequest", "ModelCallRequest", "ToolExecutionRequest"]),
    );
    expect(results.every((r) => !r.valid)).toBe(true);

    const none = wsops(["validate", "examples/*/nothing-here/*.json"]);
    expect(none.code).toBe(2);
    expect(none.stderr.split("\n")[0]).toBe("wsops validate: no file matches examples/*/nothing-here/*.json");
  });

  it("prints JUnit for CI", () => {
    const { code, stdout } = wsops(["validate", "--format", "junit", "examples/UsageRecord/valid"]);
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="wsops validate" tests="\d+" failures="0" errors="0" skipped="0"/,
    );
  });

  it("refuses an unknown --format", () => {
    const { code, stderr } = wsops(["validate", "--format", "xml", "x.json"]);
    expect(code).toBe(2);
    expect(stderr.split("\n")[0]).toBe(
      "wsops validate: --format: must be one of text, json, junit, sarif, github",
    );
  });
});

describe("a policy bundle older than the policies folder", () => {
  const checkout = join(scratch, "checkout");
  cpSync(join(repoRoot, "policies"), join(checkout, "policies"), { recursive: true });
  const data = join(checkout, "policies/workspace_ops/config/data.json");
  const config = JSON.parse(readFileSync(data, "utf8"));
  config.obligations.timeoutSeconds = 301; // the default timeout obligation, on every decision
  writeFileSync(data, `${JSON.stringify(config, null, 2)}\n`);
  const input = JSON.stringify({ request: {}, now: "2026-11-21T12:00:00Z" });

  it("makes policy eval warn, naming the folder, and --rebuild decide with the folder as it is", () => {
    const stale = wsops(["policy", "eval", "--input", "-"], { cwd: checkout, input });
    expect(stale.stderr).toMatch(
      /^wsops policy eval: warning: the policy bundle is stale: .*\/checkout\/policies is not what the bundle \w+ was built from \(sources sha256:[0-9a-f]{12}…, bundle built from sha256:[0-9a-f]{12}…\); rerun with --rebuild to decide with the folder's policies\n$/,
    );
    // Outside the repository there is no .tools/bin above: OPA comes from PATH, as it would for a user.
    const env = {
      ...process.env,
      WSOPS_OPA_BIN: "",
      PATH: `${join(repoRoot, ".tools/bin")}:${process.env.PATH}`,
    };
    const rebuilt = wsops(["policy", "eval", "--rebuild", "--json", "--input", "-"], {
      cwd: checkout,
      input,
      env,
    });
    expect(rebuilt.stderr).toBe("");
    expect(JSON.parse(rebuilt.stdout)).toMatchObject({
      ok: true,
      decision: { obligations: { timeoutSeconds: 301 } },
    });
    const shipped = wsops(["policy", "eval", "--json", "--input", "-"], { cwd: checkout, input });
    expect(JSON.parse(shipped.stdout)).toMatchObject({
      ok: true,
      decision: { obligations: { timeoutSeconds: 300 } },
    });
  });

  it("makes the executor commands warn before they decide", () => {
    const { stderr } = wsops(
      ["exec", "--json", "--workspace", checkout, "--state-dir", join(scratch, "state"), "--", "true"],
      {
        cwd: checkout,
      },
    );
    expect(stderr).toMatch(
      /^wsops: warning: the policy bundle is stale: .* decisions come from .*bundle\/? \(npm run build rebuilds it\)\n/,
    );
  });

  it("stays quiet for a folder that is what the bundle was built from", () => {
    const { stderr } = wsops(["policy", "eval", "--input", "-"], { input });
    expect(stderr).toBe("");
  });

  it("says in one line that there is no OPA to rebuild with", () => {
    const env = { ...process.env, WSOPS_OPA_BIN: join(scratch, "no-opa"), PATH: "/usr/bin:/bin" };
    const { code, stderr } = wsops(["policy", "eval", "--rebuild", "--input", "-"], {
      cwd: checkout,
      input,
      env,
    });
    expect(code).toBe(2);
    expect(stderr).toBe(`wsops policy: WSOPS_OPA_BIN=${join(scratch, "no-opa")} is not an executable file\n`);
  });

  it("refuses --rebuild with --bundle", () => {
    const { code, stderr } = wsops(["policy", "eval", "--rebuild", "--bundle", "x", "--input", "-"], {
      input,
    });
    expect(code).toBe(2);
    expect(stderr.split("\n")[0]).toBe("wsops policy: --rebuild builds its own bundle; leave out --bundle");
  });
});

describe("usage errors of contracts diff and conformance", () => {
  it.each([
    [["contracts"], "wsops contracts: which contracts command? (diff)"],
    [["contracts", "diff"], "wsops contracts: --base: is required: the git revision to compare with"],
    [
      ["contracts", "diff", "--base", "no-such-ref"],
      `wsops contracts: no-such-ref names no commit in ${repoRoot.replace(/\/$/, "")}`,
    ],
    [["conformance", "--skip", "everything"], 'wsops conformance: --skip.0: unknown check "everything"'],
    [["conformance", "--head", "HEAD"], "wsops conformance: --head needs --base"],
  ])("%j exits 2: %s", (args, message) => {
    const { code, stderr } = wsops(args);
    expect(code).toBe(2);
    expect(stderr.split("\n")[0]).toBe(message);
  });

  it("says so when the folder is not in a git repository", () => {
    const { code, stderr } = wsops(["contracts", "diff", "--base", "main"], { cwd: scratch });
    expect(code).toBe(2);
    expect(stderr.split("\n")[0]).toBe(
      `wsops contracts: ${scratch} is not inside a git repository, so there is no base to compare with`,
    );
  });
});
