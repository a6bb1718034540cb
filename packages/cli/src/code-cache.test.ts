// The launcher runs commands from the bundle with a V8 code cache: real `node bin/wsops.js`
// processes, a scratch cache directory, the built bundle (tests run after the build).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

const bin = fileURLToPath(new URL("../bin/wsops.js", import.meta.url));
let stateHome: string;

const wsops = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [bin, ...args], {
    encoding: "utf8",
    env: { ...process.env, XDG_STATE_HOME: stateHome, ...env },
  });
const cacheFiles = () => {
  try {
    return readdirSync(join(stateHome, "wsops", "code-cache")).sort();
  } catch {
    return [];
  }
};

beforeEach(() => {
  stateHome = mkdtempSync(join(tmpdir(), "wsops-code-cache-"));
});
afterEach(() => rmSync(stateHome, { recursive: true, force: true }));

describe("the code cache", () => {
  it("is written by a command's first run, one file per command, and read (not rewritten) after", () => {
    const first = wsops(["validate", "--help"]);
    expect(first.status).toBe(0);
    const files = cacheFiles();
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(
      new RegExp(`^bundle-[0-9a-f]{12}-${process.version}-${process.arch}-.+-validate\\.v8$`),
    );
    const written = statSync(join(stateHome, "wsops", "code-cache", files[0] as string)).mtimeMs;

    const second = wsops(["validate", "--help"]);
    expect(second).toMatchObject({ status: 0, stdout: first.stdout, stderr: "" });
    expect(statSync(join(stateHome, "wsops", "code-cache", files[0] as string)).mtimeMs).toBe(written);

    expect(wsops(["policy", "--help"]).status).toBe(0);
    expect(cacheFiles().map((f) => f.replace(/^.*-/, ""))).toEqual(["policy.v8", "validate.v8"]);
  });

  it("replaces a damaged cache and still runs the command", () => {
    const clean = wsops(["validate", "--help"]);
    const [file] = cacheFiles();
    writeFileSync(join(stateHome, "wsops", "code-cache", file as string), "not a code cache");
    const run = wsops(["validate", "--help"]);
    expect(run).toMatchObject({ status: 0, stdout: clean.stdout, stderr: "" });
    expect(statSync(join(stateHome, "wsops", "code-cache", file as string)).size).toBeGreaterThan(1000);
  });

  it("is neither read nor written with WSOPS_CODE_CACHE=0, nor for the main usage or a hook --server", () => {
    expect(wsops(["validate", "--help"], { WSOPS_CODE_CACHE: "0" }).status).toBe(0);
    expect(wsops(["--help"]).status).toBe(0);
    expect(wsops(["hook", "claude-code", "--server", "--help"]).status).toBe(0);
    expect(cacheFiles()).toEqual([]);
  });

  it("loads what stays outside the bundle when it is needed (the shell parser)", () => {
    const state = { WSOPS_STATE_DIR: mkdtempSync(join(tmpdir(), "wsops-code-cache-state-")) };
    const args = ["explain", "--json", "--", "bash", "-lc", "ls | wc -l"];
    const bundled = wsops(args, state);
    const modules = wsops(args, { ...state, WSOPS_CODE_CACHE: "0" });
    expect(bundled).toMatchObject({ status: 0, stderr: "" });
    expect(JSON.parse(bundled.stdout).analysis.parts).toHaveLength(2);
    expect(bundled.stdout).toBe(modules.stdout);
    rmSync(state.WSOPS_STATE_DIR, { recursive: true, force: true });
  });

  it("gives the same results as the modules for a command that fails", () => {
    const bundled = wsops(["validate", "--contract", "Nope", "x.json"]);
    const modules = wsops(["validate", "--contract", "Nope", "x.json"], { WSOPS_CODE_CACHE: "0" });
    expect(bundled.status).toBe(2);
    expect(bundled).toMatchObject({ status: modules.status, stdout: modules.stdout, stderr: modules.stderr });
  });
});
