// The executor through the real wsops binary, across processes, on SQLite (and, where a server is
// given, PostgreSQL): approvals and cancels from another process, audit verify and export.
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { openSqliteStore, type Store } from "@workspace-ops/store";
import { openPostgresStore } from "@workspace-ops/store-postgres";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import {
  freshDatabase,
  freshSchemaUrl,
  postgresAvailable,
} from "../../packages/store-postgres/dist/testing/test-server.js";
import { cliEnv, repoRoot, stateDirOf, wsops } from "./run-cli.js";

const bin = join(repoRoot, "packages/cli/bin/wsops.js");

function workspace() {
  const dir = mkdtempSync(join(tmpdir(), "wsops-e2e-"));
  writeFileSync(join(dir, "notes.txt"), "hello\n");
  return dir;
}

/** Starts wsops in the background; resolves with its exit code and output when it ends. */
function background(args: string[], cwd: string) {
  const child = spawn(process.execPath, [bin, ...args], {
    cwd,
    env: cliEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (b) => (stdout += b));
  child.stderr.on("data", (b) => (stderr += b));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on("close", (code) => resolve({ code, stdout, stderr })),
  );
  return { child, done };
}

async function until<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** Looks into a workspace's store the way another tool would: with the store package, not wsops. */
async function inStore<T>(dir: string, look: (store: Store) => Promise<T>): Promise<T> {
  const store = await openSqliteStore(join(stateDirOf(dir), "state.db"));
  try {
    return await look(store);
  } finally {
    await store.close();
  }
}

const pendingApproval = (dir: string) =>
  inStore(dir, async (store) => (await store.listApprovals({ state: "pending" }))[0]?.approvalRequestId);

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

  it("keeps its state outside the workspace, in a directory only its owner can open", () => {
    const dir = workspace();
    expect(wsops(["exec", "--", "ls", "-a"], { cwd: dir })).toMatchObject({
      code: 0,
      stdout: ".\n..\nnotes.txt\n",
    });
    expect(readdirSync(dir)).toEqual(["notes.txt"]);
    const state = stateDirOf(dir);
    expect(state.startsWith(`${cliEnv.XDG_STATE_HOME}/wsops/`)).toBe(true);
    expect(statSync(state).mode & 0o777).toBe(0o700);
    expect(
      readdirSync(state)
        .filter((f) => !f.startsWith("state.db-"))
        .sort(),
    ).toEqual(["state.db"]);
    expect(wsops(["audit", "verify"], { cwd: dir })).toMatchObject({ code: 0 });
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
    const id = await until(
      () =>
        existsSync(join(stateDirOf(dir), "state.db"))
          ? inStore(dir, async (store) => (await store.listStreams({ state: "running" }))[0]?.stream)
          : Promise.resolve(undefined),
      "the command to start",
    );
    expect(wsops(["cancel", id, "--reason", "test over"], { cwd: dir })).toMatchObject({ code: 0 });
    const { code, stdout } = await running.done;
    expect(code).toBe(130);
    expect(JSON.parse(stdout)).toMatchObject({ outcome: "cancelled" });
    expect(wsops(["status", id, "--json"], { cwd: dir }).stdout).toContain('"state": "cancelled"');
  });
});

/** The ```python block that follows "verify-export.py" in docs/executor.md: the script readers are shown. */
function documentedVerifier(): string {
  const docs = readFileSync(join(repoRoot, "docs/executor.md"), "utf8");
  const block = /verify-export\.py[\s\S]*?```python\n([\s\S]*?)```/.exec(docs)?.[1];
  if (!block) throw new Error("docs/executor.md has no ```python block after verify-export.py");
  return block;
}

describe("wsops audit verify and export", () => {
  function workspaceWithRecords() {
    const dir = workspace();
    for (let i = 0; i < 3; i++) wsops(["exec", "--", "ls"], { cwd: dir });
    return { dir, db: join(stateDirOf(dir), "state.db") };
  }
  const sqlite3 = (db: string, sql: string) => execFileSync("sqlite3", [db, sql]);

  it("exits 0 for an intact log, and exports a copy that verifies on its own, in wsops and in Python", () => {
    const { dir } = workspaceWithRecords();
    const verified = wsops(["audit", "verify", "--json"], { cwd: dir });
    expect(verified.code).toBe(0);
    const { records, head } = JSON.parse(verified.stdout);
    expect(records).toBeGreaterThan(10);
    const out = join(dir, "audit-export.jsonl");
    expect(wsops(["audit", "export", "--out", out, "--json"], { cwd: dir })).toMatchObject({ code: 0 });
    const lines = readFileSync(out, "utf8").trimEnd().split("\n");
    expect(JSON.parse(lines[0] as string)).toMatchObject({
      format: "wsops.audit-export",
      version: 1,
      records,
      head: { seq: records, hash: head },
    });
    expect(lines).toHaveLength(records + 1);
    expect(wsops(["audit", "export"], { cwd: dir }).stdout.trimEnd().split("\n").slice(1)).toEqual(
      lines.slice(1),
    );
    expect(wsops(["audit", "verify", "--file", out], { cwd: dir })).toMatchObject({
      code: 0,
      stdout: `audit log intact: ${records} records, head ${head}; the head is not signed (no audit key) (export ${out})\n`,
    });
    const script = join(dir, "verify-export.py");
    writeFileSync(script, documentedVerifier());
    expect(execFileSync("python3", [script, out], { encoding: "utf8" })).toBe(
      `ok: ${records} records, head ${head}\n`,
    );
  });

  it("agrees with the documented Python script where JSON number and key formats differ between languages", async () => {
    const dir = mkdtempSync(join(tmpdir(), "wsops-e2e-json-"));
    const store = await openSqliteStore(join(dir, "state.db"));
    const awkward = {
      numbers: [
        1e-7,
        0.000001,
        0.00001,
        1.5e-10,
        1e21,
        1.5e21,
        123456789012345680000,
        -0,
        0.1 + 0.2,
        2 ** 53,
        -1e-7,
      ],
      keys: { é: 1, z: 2, Z: 3, "\u{1F600}": 4, "\uFB01": 5, "": 6 },
      text: 'q"\u2028\u0001\\/\u00e9\u{1F600}',
    };
    await store.commit({ audit: [{ type: "awkward", subject: "-", data: awkward }] });
    const out = join(dir, "export.jsonl");
    let text = "";
    for await (const chunk of store.exportAudit()) text += chunk;
    await store.close();
    writeFileSync(out, text);
    writeFileSync(join(dir, "verify-export.py"), documentedVerifier());
    expect(execFileSync("python3", [join(dir, "verify-export.py"), out], { encoding: "utf8" })).toMatch(
      /^ok: 1 records, head sha256:/,
    );
  });

  it.each([
    ["an edit", "UPDATE audit SET data = '{\"forged\":true}' WHERE seq = 5", "record 5 (seq 5)", "edited"],
    ["a deletion", "DELETE FROM audit WHERE seq = 4", "record 4 (seq 5)", "deleted"],
    [
      "a reorder",
      "UPDATE audit SET seq = -3 WHERE seq = 3; UPDATE audit SET seq = 3 WHERE seq = 4; UPDATE audit SET seq = 4 WHERE seq = -3",
      "record 3 (seq 3)",
      "reordered",
    ],
    ["a truncation", "DELETE FROM audit WHERE seq > 6", "record 7 (seq 7)", "truncated"],
  ])(
    "exits 1 naming the first bad record after %s made with the sqlite3 shell",
    (_what, sql, where, code) => {
      const { dir, db } = workspaceWithRecords();
      sqlite3(db, sql);
      const result = wsops(["audit", "verify"], { cwd: dir });
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(
        new RegExp(`^audit log BROKEN at ${where.replace(/[()]/g, "\\$&")}: ${code}: `),
      );
    },
  );

  it.each([
    [
      "an edited line",
      (l: string[]) => l.map((x, i) => (i === 4 ? x.replace('"type":"', '"type":"x') : x)),
      "line 5",
      "edited",
    ],
    ["a deleted line", (l: string[]) => l.filter((_, i) => i !== 3), "line 4", "deleted"],
    [
      "swapped lines",
      (l: string[]) => [...l.slice(0, 2), l[3] as string, l[2] as string, ...l.slice(4)],
      "line 3",
      "reordered",
    ],
    ["cut-off lines", (l: string[]) => l.slice(0, -2), "", "truncated"],
  ])(
    "refuses an export with %s, in wsops and in the documented Python script",
    (_what, tamper, where, code) => {
      const { dir } = workspaceWithRecords();
      const out = join(dir, "audit-export.jsonl");
      wsops(["audit", "export", "--out", out], { cwd: dir });
      writeFileSync(out, `${tamper(readFileSync(out, "utf8").trimEnd().split("\n")).join("\n")}\n`);
      const result = wsops(["audit", "verify", "--file", out], { cwd: dir });
      expect(result.code).toBe(1);
      expect(result.stdout).toContain(`: ${code}: `);
      if (where) expect(result.stdout).toContain(`BROKEN at ${where}`);
      const script = join(dir, "verify-export.py");
      writeFileSync(script, documentedVerifier());
      const python = (() => {
        try {
          execFileSync("python3", [script, out], { encoding: "utf8", stdio: "pipe" });
          return { status: 0, stderr: "" };
        } catch (error) {
          return error as { status: number; stderr: string };
        }
      })();
      expect(python.status).toBe(1);
      expect(python.stderr).toMatch(/^BAD: /);
    },
  );
});

describe.runIf(postgresAvailable("wsops on PostgreSQL (test/cli/executor.test.ts)"))(
  "wsops on PostgreSQL",
  () => {
    let database: Awaited<ReturnType<typeof freshDatabase>>;
    beforeAll(async () => {
      database = await freshDatabase();
    });
    afterAll(() => database?.drop());

    it("resumes a waiting exec on one executor when another approves, woken by NOTIFY", async () => {
      const url = freshSchemaUrl(database.url);
      const [one, two] = [workspace(), workspace()]; // two workspaces, one shared store: two machines
      const waiting = background(["exec", "--store", url, "--json", "--", "rm", "notes.txt"], one);
      const store = await openPostgresStore(url);
      try {
        const approval = await until(
          async () => (await store.listApprovals({ state: "pending" }))[0]?.approvalRequestId,
          "the approval request",
        );
        const approvedAt = Date.now();
        expect(wsops(["approve", approval, "--by", "user:alice", "--store", url], { cwd: two }).code).toBe(0);
        const { code, stdout } = await waiting.done;
        expect({ code, outcome: JSON.parse(stdout).outcome }).toEqual({ code: 0, outcome: "succeeded" });
        expect(existsSync(join(one, "notes.txt"))).toBe(false);
        console.log(
          `postgres: approval → resumed run finished in ${Date.now() - approvedAt} ms (approve command included)`,
        );
        expect(wsops(["audit", "verify", "--store", url], { cwd: two })).toMatchObject({ code: 0 });
      } finally {
        await store.close();
      }
    });

    it("detects tampering made with psql, naming the first bad record", () => {
      const url = freshSchemaUrl(database.url);
      const dir = workspace();
      for (let i = 0; i < 3; i++) wsops(["exec", "--store", url, "--", "ls"], { cwd: dir });
      expect(wsops(["audit", "verify", "--store", url], { cwd: dir }).code).toBe(0);
      const parsed = new URL(url);
      const schema = parsed.searchParams.get("schema") as string;
      parsed.searchParams.delete("schema");
      execFileSync("psql", [parsed.toString(), "-q", "-c", "DELETE FROM audit WHERE seq = 4"], {
        env: { ...process.env, PGOPTIONS: `-c search_path=${schema}` },
      });
      const result = wsops(["audit", "verify", "--store", url], { cwd: dir });
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(/^audit log BROKEN at record 4 \(seq 5\): deleted: /);
    });
  },
);
