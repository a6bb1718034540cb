import { createHash } from "node:crypto";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { beforeEach, describe, expect, it } from "vitest";
import { runSandboxed } from "./run.js";
import type { RunSpec, StreamCapture } from "./types.js";

// Real processes on a possibly loaded machine: generous limits, no speed assertions.
const SLOW = 60_000;
const TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
const TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
const PATH = "/usr/local/bin:/usr/bin:/bin";

let root = "";
beforeEach(() => {
  root = realpathSync(mkdtempSync(join(tmpdir(), "wsops-sandbox-")));
});

const spec = (argv: string[], more: Partial<RunSpec> = {}): RunSpec => ({
  argv,
  workspaceRoot: root,
  cwd: ".",
  envAllowlist: ["PATH"],
  baseEnv: { PATH },
  traceparent: TRACEPARENT,
  timeoutSeconds: 30,
  maxOutputBytes: 1 << 20,
  backend: "process",
  ...more,
});
const sh = (script: string, more: Partial<RunSpec> = {}) => spec([script], { shell: true, ...more });

const sha256 = (data: string | Buffer) => `sha256:${createHash("sha256").update(data).digest("hex")}`;
const captured = (text: string): StreamCapture => ({
  bytes: Buffer.byteLength(text),
  digest: sha256(text),
  preview: text,
  truncated: false,
});
const ran = (fields: Record<string, unknown>) => ({
  backend: "process",
  // The process backend enforces no filesystem or network rule, and every result says so.
  sandbox: { backend: "process", isolation: "none", network: { access: "host" } },
  startedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
  endedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
  durationMs: expect.any(Number),
  stdout: captured(""),
  stderr: captured(""),
  ...fields,
});

/** Gone, or a zombie: either way it no longer runs. */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return !/^[ZX]$/.test(stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3));
  } catch {
    return false;
  }
}
const pidIn = (file: string) => Number(readFileSync(join(root, file), "utf8").trim());

describe("runSandboxed outcomes", () => {
  it("succeeds on exit 0 and reports the whole run", async () => {
    expect(await runSandboxed(spec(["echo", "hello", "world"]))).toEqual(
      ran({ outcome: "succeeded", exitCode: 0, signal: null, stdout: captured("hello world\n") }),
    );
  });

  it("fails on a nonzero exit, keeping both streams", async () => {
    expect(await runSandboxed(sh("echo out; echo err >&2; exit 3"))).toEqual(
      ran({
        outcome: "failed",
        exitCode: 3,
        signal: null,
        stdout: captured("out\n"),
        stderr: captured("err\n"),
      }),
    );
  });

  it("fails when a signal it did not get from us kills it", async () => {
    expect(await runSandboxed(sh("kill -KILL $$"))).toEqual(
      ran({ outcome: "failed", exitCode: null, signal: "SIGKILL" }),
    );
  });

  it(
    "times out with SIGTERM to the group",
    async () => {
      expect(await runSandboxed(sh("echo started; exec sleep 300", { timeoutSeconds: 1 }))).toEqual(
        ran({ outcome: "timed_out", exitCode: null, signal: "SIGTERM", stdout: captured("started\n") }),
      );
    },
    SLOW,
  );

  it(
    "escalates to SIGKILL when SIGTERM is ignored for killGraceMs",
    async () => {
      const result = await runSandboxed(
        sh("trap '' TERM; sleep 300", { timeoutSeconds: 1, killGraceMs: 300 }),
      );
      expect(result).toEqual(ran({ outcome: "timed_out", exitCode: null, signal: "SIGKILL" }));
    },
    SLOW,
  );

  it(
    "is cancelled by the abort signal, with the same group kill",
    async () => {
      const controller = new AbortController();
      const result = await runSandboxed(
        sh("echo ready; exec sleep 300", {
          signal: controller.signal,
          onOutput: (_, chunk) => chunk.toString().includes("ready") && controller.abort(),
        }),
      );
      expect(result).toEqual(
        ran({ outcome: "cancelled", exitCode: null, signal: "SIGTERM", stdout: captured("ready\n") }),
      );
    },
    SLOW,
  );

  it("does not start at all when already aborted", async () => {
    const result = await runSandboxed(sh("touch started", { signal: AbortSignal.abort() }));
    expect(result).toEqual(
      ran({ outcome: "cancelled", exitCode: null, signal: null, durationMs: expect.any(Number) }),
    );
    expect(existsSync(join(root, "started"))).toBe(false);
  });
});

describe("process group", () => {
  it(
    "kills grandchildren on timeout",
    async () => {
      const result = await runSandboxed(
        sh("sleep 1000 & echo $! > grandchild.pid; wait", { timeoutSeconds: 1 }),
      );
      expect(result).toMatchObject({ outcome: "timed_out" });
      expect(isRunning(pidIn("grandchild.pid"))).toBe(false);
    },
    SLOW,
  );

  it(
    "kills grandchildren on cancel",
    async () => {
      const controller = new AbortController();
      const result = await runSandboxed(
        sh("sleep 1000 & echo $! > grandchild.pid; echo ready; wait", {
          signal: controller.signal,
          onOutput: (_, chunk) => chunk.toString().includes("ready") && controller.abort(),
        }),
      );
      expect(result).toMatchObject({ outcome: "cancelled" });
      expect(isRunning(pidIn("grandchild.pid"))).toBe(false);
    },
    SLOW,
  );

  it(
    "ends background jobs left behind by a command that succeeded, even ones holding stdout",
    async () => {
      const result = await runSandboxed(
        sh("sleep 1000 & echo $! > holder.pid; sleep 1000 >/dev/null 2>&1 & echo $! > quiet.pid"),
      );
      expect(result).toEqual(ran({ outcome: "succeeded", exitCode: 0, signal: null }));
      expect(isRunning(pidIn("holder.pid"))).toBe(false);
      expect(isRunning(pidIn("quiet.pid"))).toBe(false);
    },
    SLOW,
  );

  it(
    "does not hang on a process that escaped the group but holds the pipe",
    async () => {
      // setsid leaves the group: the process backend cannot reach it (bubblewrap's PID namespace can).
      const escapee =
        "setsid sh -c 'echo $$ > escaped.pid; exec sleep 1000' & while [ ! -s escaped.pid ]; do sleep 0.05; done";
      const result = await runSandboxed(sh(`${escapee}; echo done`));
      const escaped = pidIn("escaped.pid");
      try {
        expect(result).toEqual(
          ran({ outcome: "succeeded", exitCode: 0, signal: null, stdout: captured("done\n") }),
        );
      } finally {
        process.kill(escaped, "SIGKILL");
      }
    },
    SLOW,
  );
});

describe("environment", () => {
  it("passes only allowlisted names plus the trace context", async () => {
    const baseEnv = { PATH, HOME: "/home/agent", AWS_SECRET_ACCESS_KEY: "s3cr3t-base", LANG: undefined };
    const result = await runSandboxed(
      spec(["env"], { envAllowlist: ["PATH", "HOME", "LANG", "MISSING"], baseEnv }),
    );
    const lines = result.outcome === "succeeded" ? result.stdout.preview.trim().split("\n").sort() : [];
    expect(lines).toEqual([
      "HOME=/home/agent",
      `PATH=${PATH}`,
      `TRACE_ID=${TRACE_ID}`,
      `traceparent=${TRACEPARENT}`,
    ]);
  });

  it("does not leak a secret from the parent's own environment", async () => {
    process.env.AWS_SECRET_ACCESS_KEY = "s3cr3t-parent";
    try {
      const { baseEnv: _, ...fromProcessEnv } = spec(["printenv"]);
      const result = await runSandboxed(fromProcessEnv);
      expect(result).toMatchObject({ outcome: "succeeded" });
      const out = result.outcome === "succeeded" ? result.stdout.preview : "";
      expect(out).not.toContain("s3cr3t-parent");
      expect(out.trim().split("\n").sort()).toEqual([
        `PATH=${process.env.PATH}`,
        `TRACE_ID=${TRACE_ID}`,
        `traceparent=${TRACEPARENT}`,
      ]);
    } finally {
      delete process.env.AWS_SECRET_ACCESS_KEY;
    }
  });

  it("lets the trace context win over an allowlisted name of the same spelling", async () => {
    const result = await runSandboxed(
      spec(["printenv", "TRACE_ID"], {
        envAllowlist: ["PATH", "TRACE_ID"],
        baseEnv: { PATH, TRACE_ID: "forged" },
      }),
    );
    expect(result).toMatchObject({ outcome: "succeeded", stdout: captured(`${TRACE_ID}\n`) });
  });

  it("needs PATH allowlisted for a bare command name", async () => {
    expect(await runSandboxed(spec(["echo", "hi"], { envAllowlist: [] }))).toEqual({
      outcome: "unavailable",
      reason: {
        code: "spawn_failed",
        message:
          '"echo" is a bare command name but PATH is not in envAllowlist: allowlist PATH or give an absolute argv[0]',
      },
      backend: "process",
    });
    expect(await runSandboxed(spec(["/bin/echo", "hi"], { envAllowlist: [] }))).toMatchObject({
      outcome: "succeeded",
      stdout: captured("hi\n"),
    });
  });
});

describe("shell", () => {
  const withHome = { envAllowlist: ["PATH", "HOME"], baseEnv: { PATH, HOME: "/home/agent" } };

  it("is not used unless asked: a script as argv[0] is a command name that does not exist", async () => {
    expect(await runSandboxed(spec(["echo $HOME"], withHome))).toEqual({
      outcome: "unavailable",
      reason: { code: "spawn_failed", message: `"echo $HOME" not found on PATH "${PATH}" (ENOENT)` },
      backend: "process",
    });
  });

  it("passes arguments literally without a shell", async () => {
    expect(await runSandboxed(spec(["echo", "$HOME", "*", "a;b"], withHome))).toMatchObject({
      outcome: "succeeded",
      stdout: captured("$HOME * a;b\n"),
    });
  });

  it("expands with shell: true", async () => {
    expect(await runSandboxed(sh("echo $HOME", withHome))).toMatchObject({
      outcome: "succeeded",
      stdout: captured("/home/agent\n"),
    });
  });
});

describe("output cap", () => {
  it(
    "counts every byte, keeps maxOutputBytes, digests and forwards only the kept prefix",
    async () => {
      const forwarded: Buffer[] = [];
      const result = await runSandboxed(
        sh("yes 0123456789 | head -c 100000; yes e | head -c 5000 >&2", {
          maxOutputBytes: 1000,
          onOutput: (stream, chunk) => stream === "stdout" && forwarded.push(Buffer.from(chunk)),
        }),
      );
      const kept = "0123456789\n".repeat(100).slice(0, 1000);
      const keptErr = "e\n".repeat(500);
      expect(result).toEqual(
        ran({
          outcome: "succeeded",
          exitCode: 0,
          signal: null,
          stdout: { bytes: 100000, digest: sha256(kept), preview: kept, truncated: true },
          stderr: { bytes: 5000, digest: sha256(keptErr), preview: keptErr, truncated: true },
        }),
      );
      expect(Buffer.concat(forwarded).toString()).toBe(kept);
    },
    SLOW,
  );

  it("keeps nothing with maxOutputBytes 0 but still counts", async () => {
    expect(await runSandboxed(sh("echo hello", { maxOutputBytes: 0 }))).toMatchObject({
      stdout: { bytes: 6, digest: sha256(""), preview: "", truncated: true },
    });
  });

  it("previews at most 4096 characters of what it keeps", async () => {
    const result = await runSandboxed(sh("yes é | head -c 20000"));
    const kept = "é\n".repeat(20000 / 3).padEnd(20000 / 3, "x");
    expect(result).toMatchObject({
      stdout: { bytes: 20000, truncated: false, preview: Array.from(kept).slice(0, 4096).join("") },
    });
  });
});

describe("cwd confinement", () => {
  beforeEach(() => {
    mkdirSync(join(root, "sub/deeper"), { recursive: true });
  });
  const marker = () => join(root, "ran");
  const inCwd = (cwd: string) => runSandboxed(sh(`pwd; touch ${marker()}`, { cwd }));
  const refused = (message: string) => ({
    outcome: "unavailable",
    reason: { code: "cwd_outside_workspace", message },
    backend: "process",
  });

  it.each(["..", "../elsewhere", "sub/../../x", "/etc", "/"])("refuses %j and runs nothing", async (cwd) => {
    expect(await inCwd(cwd)).toEqual(refused(`cwd ${JSON.stringify(cwd)} is outside the workspace ${root}`));
    expect(existsSync(marker())).toBe(false);
  });

  it("refuses a sibling whose name merely starts with the root's name", async () => {
    const sibling = `${root}-sibling`;
    mkdirSync(sibling);
    expect(await inCwd(sibling)).toEqual(refused(`cwd "${sibling}" is outside the workspace ${root}`));
    expect(await inCwd(`../${root.split("/").pop()}-sibling`)).toMatchObject({
      reason: { code: "cwd_outside_workspace" },
    });
  });

  it("refuses a symlink that points outside and runs nothing", async () => {
    const outside = realpathSync(mkdtempSync(join(tmpdir(), "wsops-outside-")));
    symlinkSync(outside, join(root, "escape"));
    symlinkSync("../../..", join(root, "sub/deeper/up"));
    expect(await inCwd("escape")).toEqual(
      refused(`cwd "escape" resolves to ${outside}, outside the workspace ${root}`),
    );
    expect(await inCwd("sub/deeper/up")).toEqual(
      refused(
        `cwd "sub/deeper/up" resolves to ${realpathSync(join(root, ".."))}, outside the workspace ${root}`,
      ),
    );
    expect(existsSync(marker())).toBe(false);
  });

  it("follows a symlinked workspace root and runs in the real path", async () => {
    const alias = join(realpathSync(mkdtempSync(join(tmpdir(), "wsops-alias-"))), "ws");
    symlinkSync(root, alias);
    expect(await runSandboxed(sh("pwd", { workspaceRoot: alias, cwd: "sub" }))).toMatchObject({
      outcome: "succeeded",
      stdout: captured(`${root}/sub\n`),
    });
  });

  it.each([
    [".", ""],
    ["", ""],
    ["sub/deeper", "/sub/deeper"],
    ["sub/deeper/..", "/sub"],
    ["./sub//deeper/", "/sub/deeper"],
  ])("runs in %j", async (cwd, suffix) => {
    expect(await inCwd(cwd)).toMatchObject({ outcome: "succeeded", stdout: captured(`${root}${suffix}\n`) });
  });

  it("accepts an absolute cwd inside and a symlink that stays inside", async () => {
    symlinkSync("sub/deeper", join(root, "link"));
    expect(await inCwd(join(root, "sub"))).toMatchObject({
      outcome: "succeeded",
      stdout: captured(`${root}/sub\n`),
    });
    expect(await inCwd("link")).toMatchObject({
      outcome: "succeeded",
      stdout: captured(`${root}/sub/deeper\n`),
    });
  });

  it("reports a missing cwd, a file as cwd and a missing root as spawn_failed", async () => {
    writeFileSync(join(root, "file"), "");
    const failed = (message: string, backend: string | null = "process") => ({
      outcome: "unavailable",
      reason: { code: "spawn_failed", message },
      backend,
    });
    expect(await inCwd("nope")).toEqual(failed('cwd "nope": does not exist'));
    expect(await inCwd("file")).toEqual(failed('cwd "file" is not a directory'));
    expect(await runSandboxed(sh("true", { workspaceRoot: join(root, "gone") }))).toEqual(
      failed(`workspace root ${join(root, "gone")}: does not exist`),
    );
  });
});

describe("unavailable", () => {
  const refused = (code: string, message: string, backend: string | null = null) => ({
    outcome: "unavailable",
    reason: { code, message },
    backend,
  });

  it("argv_invalid: empty argv, NUL bytes, a shell run with more than the script", async () => {
    expect(await runSandboxed(spec([]))).toEqual(refused("argv_invalid", "argv is empty"));
    expect(await runSandboxed(spec(["echo", "a\0b"]))).toEqual(
      refused("argv_invalid", "argv contains a NUL byte"),
    );
    expect(await runSandboxed(spec(["echo", "hi"], { shell: true }))).toEqual(
      refused("argv_invalid", 'shell: true needs argv ["<script>"], got 2 elements'),
    );
  });

  it("spawn_failed: a missing or non-executable command", async () => {
    writeFileSync(join(root, "script"), "#!/bin/sh\n");
    chmodSync(join(root, "script"), 0o644);
    expect(await runSandboxed(spec(["/no/such/tool"]))).toEqual(
      refused("spawn_failed", "/no/such/tool: no such file (ENOENT)", "process"),
    );
    expect(await runSandboxed(spec(["./script"]))).toEqual(
      refused("spawn_failed", "./script: not executable (EACCES)", "process"),
    );
    expect(await runSandboxed(spec(["./"]))).toEqual(
      refused("spawn_failed", "./: not a regular file", "process"),
    );
  });

  it("spec_invalid: traceparent, timeout, limits, env names, relative root", async () => {
    const cases: [Partial<RunSpec>, string][] = [
      [{ traceparent: "nope" }, 'traceparent "nope" is not a valid W3C traceparent'],
      [{ timeoutSeconds: 0 }, "timeoutSeconds must be a positive number, got 0"],
      [{ killGraceMs: -1 }, "killGraceMs must be a non-negative number, got -1"],
      [{ maxOutputBytes: 1.5 }, "maxOutputBytes must be a non-negative integer, got 1.5"],
      [{ envAllowlist: ["A=B"] }, 'envAllowlist has an invalid name "A=B"'],
      [{ workspaceRoot: "relative" }, 'workspaceRoot "relative" is not absolute'],
    ];
    for (const [change, message] of cases) {
      const expected = refused("spec_invalid", message, change.workspaceRoot ? "process" : null);
      expect(await runSandboxed(spec(["true"], change))).toEqual(expected);
    }
  });

  it("sandbox_unavailable: requireSandbox with the process backend", async () => {
    expect(await runSandboxed(sh(`touch ${join(root, "ran")}`, { requireSandbox: true }))).toEqual(
      refused(
        "sandbox_unavailable",
        'requireSandbox is set but backend is "process", which does not sandbox',
        "process",
      ),
    );
    await delay(50);
    expect(existsSync(join(root, "ran"))).toBe(false);
  });
});
