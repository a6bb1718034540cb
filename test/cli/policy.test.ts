import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defaultBundleDir } from "@workspace-ops/policy";
import { describe, expect, it } from "vitest";
import { repoRoot, wsops } from "./run-cli.js";

const fixture = (name: string) => join(repoRoot, "policy-fixtures", name);
const inputOf = (name: string) => JSON.stringify(JSON.parse(readFileSync(fixture(name), "utf8")).input);
const dir = mkdtempSync(join(tmpdir(), "wsops-cli-policy-"));

describe("wsops policy eval", () => {
  it("prints the decision of the shipped bundle and exits by decision", () => {
    const allowed = wsops(["policy", "eval", "--json", "--input", "-"], {
      input: inputOf("tool_execution/allow-absolute-path-builtin.json"),
    });
    expect(allowed.code).toBe(0);
    expect(JSON.parse(allowed.stdout)).toMatchObject({ ok: true, decision: { decision: "allow" } });
  });

  it("exits 4 with no decision for a tampered bundle", () => {
    const bundle = join(dir, "tampered");
    cpSync(defaultBundleDir, bundle, { recursive: true });
    writeFileSync(join(bundle, "data.json"), "{}");
    const { code, stderr } = wsops(["policy", "eval", "--bundle", bundle, "--input", "-"], { input: "{}" });
    expect(code).toBe(4);
    expect(stderr).toMatch(
      /^wsops policy eval: no decision: bundle_tampered: .*data\.json has digest sha256:/,
    );
  });

  it("exits 4 for an entrypoint the bundle lacks", () => {
    const { code, stderr } = wsops(["policy", "eval", "--entrypoint", "nope/decision", "--input", "-"], {
      input: "{}",
    });
    expect(code).toBe(4);
    expect(stderr).toMatch(/no decision: entrypoint_missing: bundle \w+ has no entrypoint "nope\/decision"/);
  });

  it.each([
    [["policy", "eval"], "wsops policy: --input: is required: the input JSON file, or - for standard input"],
    [
      ["policy", "eval", "--input", join(dir, "missing.json")],
      `wsops policy: cannot read ${join(dir, "missing.json")}: ENOENT`,
    ],
    [["policy", "frobnicate"], 'wsops policy: unknown policy command "frobnicate"'],
  ])("exits 2 for %j", (args, message) => {
    const { code, stderr } = wsops(args);
    expect(code).toBe(2);
    expect(stderr.split("\n")[0]).toBe(message);
  });
});
