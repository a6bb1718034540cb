// The executor through the real wsops binary, across processes.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it, onTestFinished } from "vitest";
import { repoRoot, wsops } from "./run-cli.js";

const bin = join(repoRoot, "packages/cli/bin/wsops.js");

function workspace() {
  const dir = mkdtempSync(join(tmpdir(), "wsops-e2e-"));
  writeFileSync(join(dir, "notes.txt"), "hello\n");
  return dir;
}

/** Starts wsops in the background; resolves with its exit code and output when it ends. */
function background(args: string[], cwd: string) {
  const child = spawn(process.execPath, [bin, ...args], { cwd, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (b) => (stdout += b));
  child.stderr.on("data", (b) => (stderr += b));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on("close", (code) => resolve({ code, stdout, stderr })),
  );
  return { child, done };
}

async function until<T>(probe: () => T | undefined, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let value: T | undefined;
    try {
      value = probe();
    } catch {
      // A line read while it was being written: look again.
    }
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

const pendingApproval = (dir: string) => {
  const index = join(dir, ".wsops/streams/wsops.approvals.jsonl");
  if (!existsSync(index)) return undefined;
  const line = readFileSync(index, "utf8")
    .split("\n")
    .find((l) => l.includes("approval_request"));
  return line ? (JSON.parse(line).data.approvalRequestId as string) : undefined;
};

describe("wsops exec", () => {
  it("shows the analysis and the decision's provenance in wsops logs and status", () => {
    const dir = workspace();
    const ran = wsops(
      ["exec", "--json", "--sandbox", "process", "--", "bash", "-lc", "cat notes.txt | wc -l"],
      {
        cwd: dir,
      },
    );
    expect(ran.code).toBe(0);
    const id = JSON.parse(ran.stdout).toolExecutionId as string;
    const logs = wsops(["logs", id], { cwd: dir });
    expect(logs.code).toBe(0);
    const lines = logs.stdout.split("\n").map((l) => l.replace(/^\S+\s+/, ""));
    expect(lines.slice(0, 3)).toEqual([
      expect.stringMatching(/^request\s+\{/),
      "analysis             [0] cat notes.txt [1] wc -l",
      "decision             allow [] class read_only; read_only; decided by part 0 cat: programs.cat",
    ]);
    const status = wsops(["status", id], { cwd: dir });
    expect(status.stdout).toBe(
      `${id}: tool_execution succeeded\n  decision: allow (class read_only; read_only; decided by part 0 cat: programs.cat)\n`,
    );
  });

  it("works bare, with documented defaults, and passes the command's own exit code", () => {
    const dir = workspace();
    expect(wsops(["exec", "--", "cat", "notes.txt"], { cwd: dir })).toMatchObject({
      code: 0,
      stdout: "hello\n",
    });
    expect(wsops(["exec", "--", "cat", "missing.txt"], { cwd: dir }).code).toBe(1);
  });

  it("exits 77 when denied, 75 when approval is pending, 65 for an invalid request, 2 for usage", () => {
    const dir = workspace();
    const denied = wsops(["exec", "--", "curl", "https://example.com"], { cwd: dir });
    expect(denied.code).toBe(77);
    expect(denied.stderr).toMatch(/^wsops: denied \(network_denied: /);
    const pending = wsops(["exec", "--no-wait", "--json", "--", "rm", "notes.txt"], { cwd: dir });
    expect(pending.code).toBe(75);
    expect(JSON.parse(pending.stdout)).toMatchObject({
      kind: "ToolExecutionResult",
      outcome: "approval_required",
    });
    writeFileSync(join(dir, "bad.json"), JSON.stringify({ kind: "ToolExecutionRequest" }));
    expect(wsops(["exec", "--request", join(dir, "bad.json")], { cwd: dir }).code).toBe(65);
    expect(wsops(["exec", "--mode", "yolo", "--", "ls"], { cwd: dir })).toMatchObject({ code: 2 });
  });

  it("resumes a waiting exec within a second when another process approves", async () => {
    const dir = workspace();
    const waiting = background(["exec", "--json", "--", "rm", "notes.txt"], dir);
    const approval = await until(() => pendingApproval(dir), "the approval request");
    expect(existsSync(join(dir, "notes.txt"))).toBe(true);
    const approvedAt = Date.now();
    expect(wsops(["approve", approval, "--by", "user:alice"], { cwd: dir }).code).toBe(0);
    const { code, stdout } = await waiting.done;
    const result = JSON.parse(stdout);
    expect({ code, outcome: result.outcome, approvalRequestId: result.approvalRequestId }).toEqual({
      code: 0,
      outcome: "succeeded",
      approvalRequestId: approval,
    });
    expect(existsSync(join(dir, "notes.txt"))).toBe(false);
    // Recorded for the reader, not asserted: the waiter polls every 100 ms.
    console.log(
      `approval → resumed run finished in ${Date.now() - approvedAt} ms (approve command included)`,
    );
  });

  it("cancel from another process ends the whole process group and records the cancel", async () => {
    const dir = workspace();
    const running = background(["exec", "--json", "--", "tail", "-f", "notes.txt"], dir);
    // A failing assertion must not leave the tail -f behind.
    onTestFinished(() => {
      running.child.kill("SIGKILL");
    });
    const id = await until(() => {
      const audit = join(dir, ".wsops/audit.jsonl");
      if (!existsSync(audit)) return undefined;
      const file = readFileSync(audit, "utf8");
      const started = file.split("\n").find((l) => l.includes('"dev.workspace-ops.operation.started"'));
      return started ? (JSON.parse(started).subject as string) : undefined;
    }, "the command to start");
    expect(wsops(["cancel", id, "--reason", "test over"], { cwd: dir })).toMatchObject({ code: 0 });
    const { code, stdout } = await running.done;
    expect(code).toBe(130);
    expect(JSON.parse(stdout)).toMatchObject({ outcome: "cancelled" });
    expect(wsops(["status", id, "--json"], { cwd: dir }).stdout).toContain('"state": "cancelled"');
  });
});

describe("wsops audit verify", () => {
  function logWithRecords() {
    const dir = workspace();
    for (let i = 0; i < 3; i++) wsops(["exec", "--", "ls"], { cwd: dir });
    const path = join(dir, ".wsops/audit.jsonl");
    return { dir, path, lines: readFileSync(path, "utf8").trimEnd().split("\n") };
  }

  it("exits 0 for an intact log", () => {
    const { dir, lines } = logWithRecords();
    expect(wsops(["audit", "verify"], { cwd: dir })).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(new RegExp(`^audit log intact: ${lines.length} records`)),
    });
  });

  it.each([
    [
      "an edit",
      (l: string[]) => l.map((x, i) => (i === 4 ? x.replace('"type":"', '"type":"x') : x)),
      "line 5",
      "edited",
    ],
    ["a deletion", (l: string[]) => l.filter((_, i) => i !== 3), "line 4", "deleted"],
    [
      "a reorder",
      (l: string[]) => [...l.slice(0, 2), l[3] as string, l[2] as string, ...l.slice(4)],
      "line 3",
      "reordered",
    ],
    ["a truncation", (l: string[]) => l.slice(0, -2), "", "truncated"],
  ])("exits 1 naming the first bad record after %s", (_what, tamper, where, code) => {
    const { dir, path, lines } = logWithRecords();
    writeFileSync(path, `${tamper(lines).join("\n")}\n`);
    const result = wsops(["audit", "verify"], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`: ${code}: `);
    if (where) expect(result.stdout).toContain(`BROKEN at ${where}`);
  });
});
