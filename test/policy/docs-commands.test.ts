// Every command docs/policies.md shows in a ```sh block runs, as typed, from a checkout's root: the
// blocks are run by bash in a folder laid out like the repository (policies/ copied, so `opa fmt -w`
// could not touch the real one; everything else linked), with an input.json taken from a fixture.
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = new URL("../..", import.meta.url).pathname;
const doc = readFileSync(join(root, "docs/policies.md"), "utf8");

/** The ```sh blocks, with the indentation of a block inside a list item removed. */
const blocks = [...doc.matchAll(/^( *)```sh\n([\s\S]*?)^\1```$/gm)].map((m) => {
  const indent = m[1]?.length ?? 0;
  return (m[2] ?? "")
    .split("\n")
    .map((line) => line.slice(indent))
    .join("\n");
});

let checkout: string;
beforeAll(() => {
  checkout = mkdtempSync(join(tmpdir(), "wsops-docs-"));
  cpSync(join(root, "policies"), join(checkout, "policies"), { recursive: true });
  for (const entry of [
    "policy-fixtures",
    "packages",
    "tools",
    ".tools",
    ".regal",
    "node_modules",
    "package.json",
  ])
    symlinkSync(join(root, entry), join(checkout, entry));
  const allowed = readdirSync(join(root, "policy-fixtures/tool_execution"))
    .map((f) => JSON.parse(readFileSync(join(root, "policy-fixtures/tool_execution", f), "utf8")))
    .find((f) => f.expected.decision === "allow");
  writeFileSync(join(checkout, "input.json"), JSON.stringify(allowed.input));
});
afterAll(() => rmSync(checkout, { recursive: true, force: true }));

describe("the commands of docs/policies.md", () => {
  it("are all found: the checks, wsops, and reading a failure", () => {
    expect(blocks.length).toBe(4);
    expect(blocks.join("\n")).toContain("$OPA test policies/ -c --threshold 90");
    expect(blocks.join("\n")).toContain("npx wsops policy test");
  });

  const firstCommand = (b: string) =>
    (b.split("\n").find((l) => l.trim() && !l.startsWith("#")) ?? "").replace(/\s+#.*$/, "");
  it.each(blocks.map((b, i) => [i + 1, firstCommand(b), b]))(
    "block %i (%s …) runs as typed",
    (_n, _first, block) => {
      const run = spawnSync("bash", ["-eo", "pipefail", "-c", block as string], {
        cwd: checkout,
        encoding: "utf8",
        maxBuffer: 64 * 1024 * 1024,
        env: { ...process.env, WSOPS_OPA_BIN: "" },
      });
      expect({ status: run.status, stderr: run.status === 0 ? "" : run.stderr }).toEqual({
        status: 0,
        stderr: "",
      });
      expect(run.stdout).not.toMatch(/^FAIL /m);
    },
    240_000,
  );
});
