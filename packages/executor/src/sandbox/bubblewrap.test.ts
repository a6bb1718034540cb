import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createServer as createHttpServer } from "node:http";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { bubblewrapAvailable } from "./bubblewrap-probe.js";
import { runSandboxed } from "./run.js";
import type { RunResult, RunSpec } from "./types.js";

// Real sandboxes on a possibly loaded machine: generous limits, no speed assertions.
const SLOW = 60_000;
const TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
const PATH = "/usr/local/bin:/usr/bin:/bin";

let root = "";
beforeEach(() => {
  root = realpathSync(mkdtempSync(join(tmpdir(), "wsops-bwrap-")));
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
  backend: "bubblewrap",
  ...more,
});
const sh = (script: string, more: Partial<RunSpec> = {}) => spec([script], { shell: true, ...more });
const stdoutOf = (result: RunResult) => (result.outcome === "unavailable" ? "" : result.stdout.preview);
const stderrOf = (result: RunResult) => (result.outcome === "unavailable" ? "" : result.stderr.preview);

/** Host processes whose command line contains `marker`, ignoring zombies. */
function processesWith(marker: string): number[] {
  const found: number[] = [];
  for (const pid of readdirSync("/proc").filter((entry) => /^\d+$/.test(entry))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      if (stat[stat.lastIndexOf(")") + 2] === "Z") continue;
      if (readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(marker)) found.push(Number(pid));
    } catch {
      // exited while we looked
    }
  }
  return found;
}

/** Polls (bounded) because teardown is asynchronous in the kernel; never asserts on speed. */
async function eventually(check: () => boolean, ms = 10_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (check()) return true;
    await delay(50);
  }
  return check();
}

// Where bwrap cannot build a sandbox these cannot run; the fail-closed path is covered in select-backend.test.ts.
describe.skipIf(!bubblewrapAvailable())("bubblewrap backend", () => {
  it("runs the command in the workspace and reports the whole run", async () => {
    expect(await runSandboxed(sh("pwd; echo err >&2"))).toEqual({
      outcome: "succeeded",
      exitCode: 0,
      signal: null,
      backend: "bubblewrap",
      startedAt: expect.any(String),
      endedAt: expect.any(String),
      durationMs: expect.any(Number),
      stdout: {
        bytes: root.length + 1,
        digest: expect.stringMatching(/^sha256:/),
        preview: `${root}\n`,
        truncated: false,
      },
      stderr: { bytes: 4, digest: expect.stringMatching(/^sha256:/), preview: "err\n", truncated: false },
      sandbox: { backend: "bubblewrap", isolation: "bubblewrap", network: { access: "none" } },
    });
  });

  it("is what auto picks here", async () => {
    expect(await runSandboxed(spec(["true"], { backend: "auto", requireSandbox: true }))).toMatchObject({
      outcome: "succeeded",
      backend: "bubblewrap",
    });
  });

  it(
    "has no network: only lo, and a server on the host's 127.0.0.1 is unreachable",
    async () => {
      const devices = stdoutOf(await runSandboxed(spec(["cat", "/proc/net/dev"])))
        .split("\n")
        .slice(2)
        .filter(Boolean)
        .map((line) => line.split(":")[0]?.trim());
      expect(devices).toEqual(["lo"]);

      let connections = 0;
      const server: Server = createServer((socket) => {
        connections += 1;
        socket.on("error", () => {}); // the client exits at once: a reset is expected
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      const port = (server.address() as { port: number }).port;
      const client = [
        process.execPath,
        "-e",
        `const s = require("node:net").connect(${port}, "127.0.0.1");
       s.on("connect", () => { console.log("connected"); process.exit(0); });
       s.on("error", (e) => { console.log(e.code); process.exit(7); });`,
      ];
      try {
        expect(await runSandboxed(spec(client, { network: "allowlist" }))).toMatchObject({
          outcome: "failed",
          exitCode: 7,
          stdout: { preview: "ECONNREFUSED\n" },
        });
        expect(connections).toBe(0);
        // Control: the same client outside the sandbox does reach the server.
        expect(await runSandboxed(spec(client, { backend: "process" }))).toMatchObject({
          outcome: "succeeded",
          stdout: { preview: "connected\n" },
        });
        expect(connections).toBe(1);
      } finally {
        server.close();
      }
    },
    SLOW,
  );

  it("has a read-only root, no capabilities to remount it, and a writable workspace", async () => {
    const etc = `/etc/wsops-${process.pid}`;
    const denied = await runSandboxed(sh(`touch ${etc}`));
    expect(denied).toMatchObject({ outcome: "failed", exitCode: 1 });
    expect(stderrOf(denied)).toContain("Read-only file system");
    expect(existsSync(etc)).toBe(false);

    const caps = await runSandboxed(
      sh("grep CapEff /proc/self/status; mount -o remount,rw / 2>/dev/null || echo remount-denied"),
    );
    expect(stdoutOf(caps)).toBe("CapEff:\t0000000000000000\nremount-denied\n");

    expect(await runSandboxed(sh("echo written > out.txt"))).toMatchObject({ outcome: "succeeded" });
    expect(readFileSync(join(root, "out.txt"), "utf8")).toBe("written\n");
  });

  it("binds the workspace read-only with filesystem: read-only", async () => {
    const result = await runSandboxed(sh("echo x > out.txt", { filesystem: "read-only" }));
    expect(result).toMatchObject({ outcome: "failed", exitCode: 2 });
    expect(stderrOf(result)).toContain("Read-only file system");
    expect(existsSync(join(root, "out.txt"))).toBe(false);
  });

  it("gives a fresh /tmp that hides the host's and is gone afterwards", async () => {
    const hostFile = join(realpathSync(mkdtempSync(join(tmpdir(), "wsops-host-"))), "secret");
    writeFileSync(hostFile, "host");
    const inside = `/tmp/wsops-inside-${process.pid}`;
    const result = await runSandboxed(
      sh(`test -e ${hostFile} && echo visible; echo x > ${inside} && echo wrote`),
    );
    expect(stdoutOf(result)).toBe("wrote\n");
    expect(existsSync(inside)).toBe(false);
  });

  it("sees only the scrubbed environment (bwrap adds PWD)", async () => {
    process.env.AWS_SECRET_ACCESS_KEY = "s3cr3t-parent";
    try {
      const { baseEnv: _, ...fromProcessEnv } = spec(["env"]);
      const lines = stdoutOf(await runSandboxed(fromProcessEnv))
        .trim()
        .split("\n")
        .sort();
      expect(lines).toEqual([
        `PATH=${process.env.PATH}`,
        `PWD=${root}`,
        "TRACE_ID=4bf92f3577b34da6a3ce929d0e0e4736",
        `traceparent=${TRACEPARENT}`,
      ]);
    } finally {
      delete process.env.AWS_SECRET_ACCESS_KEY;
    }
  });

  it("reports a signal death as bwrap does: exit 128 + signal number", async () => {
    expect(await runSandboxed(sh("kill -KILL $$"))).toMatchObject({
      outcome: "failed",
      exitCode: 137,
      signal: null,
    });
  });

  it("refuses a missing command before starting bwrap", async () => {
    expect(await runSandboxed(spec(["no-such-tool-wsops"]))).toEqual({
      outcome: "unavailable",
      reason: { code: "spawn_failed", message: `"no-such-tool-wsops" not found on PATH "${PATH}" (ENOENT)` },
      backend: "bubblewrap",
    });
  });

  it("confines cwd the same way", async () => {
    expect(await runSandboxed(sh("true", { cwd: ".." }))).toMatchObject({
      outcome: "unavailable",
      reason: { code: "cwd_outside_workspace" },
      backend: "bubblewrap",
    });
  });

  it(
    "times out and leaves nothing behind, not even a process that escaped the group",
    async () => {
      const marker = `987.${process.pid}${Date.now() % 100000}`;
      const result = await runSandboxed(
        sh(`setsid sleep ${marker} & echo started; sleep 300`, { timeoutSeconds: 1 }),
      );
      expect(result).toMatchObject({
        outcome: "timed_out",
        exitCode: null,
        signal: "SIGTERM", // bwrap itself died of it; the namespace went with it
        backend: "bubblewrap",
        stdout: { preview: "started\n" },
      });
      expect(await eventually(() => processesWith(marker).length === 0)).toBe(true);
    },
    SLOW,
  );

  it(
    "ends escaped background processes when the command exits on its own",
    async () => {
      const marker = `986.${process.pid}${Date.now() % 100000}`;
      const result = await runSandboxed(sh(`setsid sleep ${marker} >/dev/null 2>&1 & echo done`));
      expect(result).toMatchObject({ outcome: "succeeded", stdout: { preview: "done\n" } });
      expect(await eventually(() => processesWith(marker).length === 0)).toBe(true);
    },
    SLOW,
  );

  it(
    "is cancelled by the abort signal",
    async () => {
      const controller = new AbortController();
      const result = await runSandboxed(
        sh("echo ready; exec sleep 300", {
          signal: controller.signal,
          onOutput: (_, chunk) => chunk.toString().includes("ready") && controller.abort(),
        }),
      );
      expect(result).toMatchObject({
        outcome: "cancelled",
        backend: "bubblewrap",
        stdout: { preview: "ready\n" },
      });
    },
    SLOW,
  );

  describe("what stays hidden", () => {
    // A fake HOME outside /tmp: the sandbox's own /tmp would hide one under /tmp anyway.
    let home = "";
    beforeEach(() => {
      home = realpathSync(mkdtempSync("/var/tmp/wsops-home-"));
      mkdirSync(join(home, ".ssh"));
      writeFileSync(join(home, ".ssh", "id_ed25519"), "PRIVATE KEY\n");
      writeFileSync(join(home, ".netrc"), "machine example.com password hunter2\n");
      writeFileSync(join(home, "notes.txt"), "not a secret\n");
    });
    afterEach(() => rmSync(home, { recursive: true, force: true }));
    const inHome = (script: string, more: Partial<RunSpec> = {}) =>
      sh(script, { baseEnv: { PATH, HOME: home }, envAllowlist: ["PATH", "HOME"], ...more });

    it("hides HOME's credential stores: a hidden directory is empty, a hidden file empty; the rest stays readable", async () => {
      const result = await runSandboxed(
        inHome(
          `cat ~/notes.txt; ls -A ~/.ssh | wc -l; cat ~/.ssh/id_ed25519; wc -c < ~/.netrc; echo x >> ~/.netrc; ls -A /run | wc -l`,
        ),
      );
      expect(stdoutOf(result)).toBe("not a secret\n0\n0\n0\n");
      expect(stderrOf(result)).toBe(
        `cat: ${home}/.ssh/id_ed25519: No such file or directory\n/bin/sh: 1: cannot create ${home}/.netrc: Permission denied\n`,
      );
      expect(readFileSync(join(home, ".netrc"), "utf8")).toBe("machine example.com password hunter2\n");
    });

    it("follows the profile's rules: denyRead adds, allowRead re-exposes, allowWrite opens", async () => {
      mkdirSync(join(home, "cache"));
      writeFileSync(join(root, ".env"), "TOKEN=abc\n");
      const result = await runSandboxed(
        inHome("cat .env; cat ~/.netrc; echo hit > ~/cache/out && echo wrote", {
          paths: { denyRead: [".env"], allowRead: ["~/.netrc"], allowWrite: ["~/cache"] },
        }),
      );
      expect(stdoutOf(result)).toBe("machine example.com password hunter2\nwrote\n");
      expect(readFileSync(join(home, "cache", "out"), "utf8")).toBe("hit\n");
    });

    it("hides a protected directory inside the writable workspace: unreadable, unwritable, immovable", async () => {
      const state = join(root, ".wsops");
      mkdirSync(state);
      writeFileSync(join(state, "audit.jsonl"), "{}\n");
      const result = await runSandboxed(
        inHome(
          "ls -A .wsops | wc -l; cat .wsops/audit.jsonl; echo forged > .wsops/audit.jsonl; mv .wsops moved; rm -rf .wsops; echo done",
          { protectedPaths: [state] },
        ),
      );
      expect(stdoutOf(result)).toBe("0\ndone\n");
      expect(stderrOf(result)).toContain(".wsops/audit.jsonl: No such file or directory");
      expect(stderrOf(result)).toContain("Read-only file system");
      expect(readdirSync(root).sort()).toEqual([".wsops"]);
      expect(readFileSync(join(state, "audit.jsonl"), "utf8")).toBe("{}\n");
    });

    it("refuses a protected directory that contains the workspace", async () => {
      expect(await runSandboxed(inHome("true", { protectedPaths: [join(root, "..")] }))).toMatchObject({
        outcome: "unavailable",
        reason: { code: "spec_invalid" },
      });
    });
  });

  it(
    "under an allowlist reaches only what it names, through the proxy, and records every attempt",
    async () => {
      const web = createHttpServer((req, res) => res.end(`hello ${req.headers.host}\n`));
      await new Promise<void>((resolve) => web.listen(0, "127.0.0.1", resolve));
      const port = (web.address() as { port: number }).port;
      try {
        const result = await runSandboxed(
          sh(
            [
              `curl -sS http://localhost:${port}/`,
              `curl -sS -o /dev/null -w '%{http_code}\\n' http://127.0.0.1:${port}/`,
              `curl -sS -x "$ALL_PROXY" http://localhost:${port}/`,
              `curl -sS --noproxy '*' --max-time 5 http://127.0.0.1:${port}/ || echo direct-failed`,
            ].join("; "),
            { network: "allowlist", allowlist: [`localhost:${port}`] },
          ),
        );
        expect(stdoutOf(result)).toBe(
          `hello localhost:${port}\n403\nhello localhost:${port}\ndirect-failed\n`,
        );
        expect(result).toMatchObject({
          outcome: "succeeded",
          sandbox: {
            backend: "bubblewrap",
            isolation: "bubblewrap",
            network: {
              requested: "allowlist",
              access: "proxy",
              connections: [
                { host: "localhost", port, protocol: "http", allowed: true, reason: "allowlisted" },
                { host: "127.0.0.1", port, protocol: "http", allowed: false, reason: "not_allowlisted" },
                { host: "localhost", port, protocol: "socks5", allowed: true, reason: "allowlisted" },
              ],
            },
          },
        });
      } finally {
        web.close();
      }
    },
    SLOW,
  );
});
