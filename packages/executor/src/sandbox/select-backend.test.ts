import { chmodSync, existsSync, mkdtempSync, realpathSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { bubblewrapAvailable, probeBubblewrap } from "./bubblewrap-probe.js";
import { runSandboxed } from "./run.js";
import type { RunSpec } from "./types.js";

let root = "";
let missing = "";
beforeEach(() => {
  root = realpathSync(mkdtempSync(join(tmpdir(), "wsops-backend-")));
  missing = join(root, "no-bwrap"); // a fresh path per test: probes are cached per path
});

const marker = () => join(root, "ran");
const spec = (more: Partial<RunSpec>): RunSpec => ({
  argv: [`touch ${marker()}; echo ran`],
  shell: true,
  workspaceRoot: root,
  cwd: ".",
  envAllowlist: [],
  traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
  timeoutSeconds: 30,
  maxOutputBytes: 4096,
  backend: "auto",
  ...more,
});

/** A bwrap that is installed but cannot build a sandbox, as in a container without namespaces. */
function brokenBwrap(): string {
  const path = join(root, "broken-bwrap");
  writeFileSync(path, "#!/bin/sh\necho 'bwrap: No permissions to create new namespace' >&2\nexit 1\n");
  chmodSync(path, 0o755);
  return path;
}

describe("backend selection (fail closed)", () => {
  it("requireSandbox with bubblewrap missing: unavailable, nothing runs", async () => {
    expect(await runSandboxed(spec({ requireSandbox: true, bwrapPath: missing }))).toEqual({
      outcome: "unavailable",
      reason: { code: "sandbox_unavailable", message: `bubblewrap is not installed at ${missing}` },
      backend: null,
    });
    expect(existsSync(marker())).toBe(false);
  });

  it("an explicit bubblewrap backend fails closed even without requireSandbox", async () => {
    expect(await runSandboxed(spec({ backend: "bubblewrap", bwrapPath: missing }))).toEqual({
      outcome: "unavailable",
      reason: { code: "sandbox_unavailable", message: `bubblewrap is not installed at ${missing}` },
      backend: "bubblewrap",
    });
    expect(existsSync(marker())).toBe(false);
  });

  it("a bwrap that cannot build the sandbox counts as unavailable, with its stderr in the message", async () => {
    const broken = brokenBwrap();
    expect(bubblewrapAvailable(broken)).toBe(false);
    expect(await runSandboxed(spec({ requireSandbox: true, bwrapPath: broken }))).toEqual({
      outcome: "unavailable",
      reason: {
        code: "sandbox_unavailable",
        message: `bubblewrap at ${broken} cannot create a sandbox here: bwrap: No permissions to create new namespace`,
      },
      backend: null,
    });
    expect(existsSync(marker())).toBe(false);
  });

  it("auto without requireSandbox falls back to the process backend", async () => {
    expect(await runSandboxed(spec({ bwrapPath: missing }))).toMatchObject({
      outcome: "succeeded",
      backend: "process",
      stdout: { preview: "ran\n" },
    });
    expect(existsSync(marker())).toBe(true);
  });

  it("caches the probe per path", () => {
    const broken = brokenBwrap();
    const first = probeBubblewrap(broken);
    writeFileSync(broken, "#!/bin/sh\nexit 0\n"); // would now "work", but the answer is cached
    expect(probeBubblewrap(broken)).toBe(first);
  });
});
