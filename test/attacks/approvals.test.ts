// Attack: approve your own destructive call. The profile names user:alice as the only approver, with
// the public key `wsops keys create` made for her. The attacker tries what it can: claim to be alice
// with --by and no key, sign with another principal's key, edit the request after alice signed (in the
// database, with its own shell), forge a resolution in the database while the call waits, and read
// alice's key from a command. Every attempt is refused with its own code and recorded; nothing runs.
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ToolExecutionResult } from "@workspace-ops/contracts";
import { bubblewrapAvailable, requestDigest } from "@workspace-ops/executor";
import { afterAll, describe, expect, it } from "vitest";
import {
  auditRecords,
  execJson,
  grant,
  type Place,
  place,
  removePlaces,
  repoRoot,
  requestFile,
  script,
  useProfile,
  wsops,
} from "./support.js";

afterAll(removePlaces);

interface Key {
  privateKeyPath: string;
  publicKey: string;
}

/** `wsops keys create --principal` under the place's HOME, as the approver would run it. */
function createKey(at: Place, principal: string, env: Record<string, string> = at.env): Key {
  const ran = wsops({ ...at, env }, ["keys", "create", "--principal", principal, "--json"]);
  if (ran.code !== 0) throw new Error(`keys create failed: ${ran.stderr}`);
  return JSON.parse(ran.stdout) as Key;
}

/** A workspace whose profile lists alice as its one approver, with the attacker's call parked. */
function setUp(backend: "bubblewrap" | "process" = "bubblewrap") {
  const at = place();
  const alice = createKey(at, "user:alice");
  // Bob's key lives in another config directory: he is not an approver of this profile.
  const bobConfig = mkdtempSync(join(at.home, "bob-config-"));
  const bob = createKey(at, "user:bob", { ...at.env, XDG_CONFIG_HOME: bobConfig });
  useProfile(at, { backend }, undefined, {
    approvers: [{ principal: { type: "user", id: "alice" }, publicKey: alice.publicKey }],
  });
  writeFileSync(join(at.workspace, "precious.txt"), "keep me\n");
  const pending = execJson(at, ["rm", "notes.txt"], { sandbox: backend }).result;
  expect(pending).toMatchObject({ outcome: "approval_required" });
  return {
    at,
    alice,
    bob,
    approval: pending.approvalRequestId as string,
    call: pending.toolExecutionId,
    db: join(at.stateDir, "state.db"),
  };
}

const status = (at: Place, id: string) => JSON.parse(wsops(at, ["status", id, "--json"]).stdout);
const sqlite = (db: string, sql: string) => execFileSync("sqlite3", [db, sql], { encoding: "utf8" });
const refusalsIn = (at: Place) =>
  auditRecords(at)
    .filter((r) => r.type === "approval_refused")
    .map((r) => (r.data as { reasons: { code: string }[] }).reasons[0]?.code);

describe("attack: forge an approval", () => {
  it("with --by user:alice and no key, or with another principal's key: refused, recorded, nothing runs", () => {
    const { at, bob, approval, call } = setUp();
    // Whoever runs this has no key of alice's (an empty config directory).
    const keyless = { ...at.env, XDG_CONFIG_HOME: mkdtempSync(join(at.home, "keyless-")) };
    const attempts = [
      wsops({ ...at, env: keyless }, ["approve", approval, "--by", "user:alice"]),
      wsops(at, ["approve", approval, "--by", "user:alice", "--key", bob.privateKeyPath]),
      wsops(at, ["approve", approval, "--by", "user:bob", "--key", bob.privateKeyPath]),
      wsops({ ...at, env: keyless }, ["deny", approval, "--by", "user:alice"]),
    ].map((ran) => [ran.code, ran.stderr.split(":")[1]?.trim()]);
    expect(attempts).toEqual([
      [1, "approval_unsigned"],
      [1, "approver_not_listed"],
      [1, "approver_not_listed"],
      [1, "approval_unsigned"],
    ]);
    expect(status(at, call)).toMatchObject({ state: "awaiting_approval" });
    expect(refusalsIn(at)).toEqual([
      "approval_unsigned",
      "approver_not_listed",
      "approver_not_listed",
      "approval_unsigned",
    ]);
    expect(existsSync(join(at.workspace, "notes.txt"))).toBe(true);
    expect(wsops(at, ["audit", "verify"]).code).toBe(0);
  });

  it("by editing the request in the database after alice signed: the resumed call is denied, request_changed", () => {
    const { at, approval, call, db } = setUp();
    const approved = wsops(at, ["approve", approval, "--by", "user:alice"]);
    expect(approved).toMatchObject({ code: 0, stdout: expect.stringContaining("signed with ed25519:") });
    // The attacker points the approved rm at another file.
    sqlite(
      db,
      `UPDATE records SET data = json_set(data, '$.request.tool.argv[1]', 'precious.txt') WHERE stream = '${call}' AND type = 'request'`,
    );
    const resumed = wsops(at, ["resume", call, "--json"]);
    const result = JSON.parse(resumed.stdout) as ToolExecutionResult;
    expect({ code: resumed.code, outcome: result.outcome, reason: result.reasons?.[0]?.code }).toEqual({
      code: 77,
      outcome: "denied",
      reason: "request_changed",
    });
    expect([
      existsSync(join(at.workspace, "precious.txt")),
      existsSync(join(at.workspace, "notes.txt")),
    ]).toEqual([true, true]);
  });

  it("by editing the request and recomputing the digest the approval and the resolution name: the signature gives it away", () => {
    const { at, approval, call, db } = setUp();
    expect(wsops(at, ["approve", approval, "--by", "user:alice"]).code).toBe(0);
    // The attacker knows the digest algorithm (it is documented and exported), not alice's key.
    const stored = (type: string) =>
      JSON.parse(sqlite(db, `SELECT data FROM records WHERE stream = '${call}' AND type = '${type}'`));
    const { request } = stored("request");
    const edited = { ...request, tool: { ...request.tool, argv: ["rm", "precious.txt"] } };
    const asked = stored("approval_request");
    const digest = requestDigest(asked, { request: edited });
    sqlite(
      db,
      [
        `UPDATE records SET data = json_set(data, '$.request.tool.argv[1]', 'precious.txt') WHERE stream = '${call}' AND type = 'request'`,
        `UPDATE records SET data = json_set(data, '$.requestDigest', '${digest}') WHERE stream = '${call}' AND type IN ('approval_request', 'approval_resolution')`,
      ].join("; "),
    );
    const resumed = wsops(at, ["resume", call, "--json"]);
    const result = JSON.parse(resumed.stdout) as ToolExecutionResult;
    expect({ code: resumed.code, reasons: result.reasons?.map((r) => r.code) }).toEqual({
      code: 77,
      reasons: ["approval_bad_signature"],
    });
    expect(existsSync(join(at.workspace, "precious.txt"))).toBe(true);
  });

  it("by writing a resolution into the database while the call waits: the waiting exec ends it denied", async () => {
    const { at, db } = setUp();
    const { id, file: request } = requestFile(at, {
      kind: "shell",
      name: "rm",
      argv: ["rm", "precious.txt"],
    });
    const waiter = spawn(
      process.execPath,
      [
        join(repoRoot, "packages/cli/bin/wsops.js"),
        "exec",
        "--json",
        "--sandbox",
        "bubblewrap",
        "--request",
        request,
      ],
      { cwd: at.workspace, env: at.env, stdio: ["ignore", "pipe", "pipe"] },
    );
    let out = "";
    waiter.stdout.on("data", (chunk) => {
      out += chunk;
    });
    const exited = new Promise<number | null>((resolve) => waiter.once("exit", resolve));
    let parked: { state?: string; approvalRequestId?: string; records?: number } = {};
    for (let i = 0; parked.state !== "awaiting_approval"; i++) {
      if (i > 300) throw new Error("the call never parked");
      await new Promise((resolve) => setTimeout(resolve, 50));
      const ran = wsops(at, ["status", id, "--json"]);
      if (ran.code === 0) parked = JSON.parse(ran.stdout);
    }
    const at0 = new Date().toISOString();
    const resolution = JSON.stringify({
      kind: "ApprovalResolution",
      apiVersion: "workspace-ops.dev/v1",
      approvalRequestId: parked.approvalRequestId,
      resolution: "approved",
      resolvedBy: { type: "user", id: "alice" },
      resolvedAt: at0,
    });
    const n = parked.records as number;
    sqlite(
      db,
      [
        `INSERT INTO records (stream, seq, at, type, data) VALUES ('${id}', ${n + 1}, '${at0}', 'approval_resolution', '${resolution}')`,
        `INSERT INTO records (stream, seq, at, type, data) VALUES ('${id}', ${n + 2}, '${at0}', 'transition', '{"from":"awaiting_approval","to":"approved"}')`,
        `UPDATE streams SET state = 'approved', last_seq = ${n + 2} WHERE stream = '${id}'`,
        `UPDATE approvals SET state = 'approved', resolved_by = 'user:alice' WHERE approval_request_id = '${parked.approvalRequestId}'`,
      ].join("; "),
    );
    expect(await exited).toBe(77);
    const result = JSON.parse(out) as ToolExecutionResult;
    expect({
      outcome: result.outcome,
      reasons: result.reasons?.map((r) => r.code),
      approval: result.approval,
    }).toEqual({
      outcome: "denied",
      reasons: ["approval_unsigned"],
      approval: { resolution: "approved", resolvedBy: { type: "user", id: "alice" }, signed: false },
    });
    expect(existsSync(join(at.workspace, "precious.txt"))).toBe(true);
  });
});

// A command that names the key is denied before it runs (shell_path_state); the script below reads
// the path from a file, so only the sandbox stands between it and the key.
const STEAL = `import { readFileSync } from "node:fs";\nconst path = readFileSync("where.txt", "utf8").trim();\ntry { console.log(readFileSync(path, "utf8")); } catch (e) { console.log(e.code); }\n`;

describe("attack: read the approver's key from a command", () => {
  it("naming the key is denied before anything runs, in every backend", () => {
    const { at, alice } = setUp("process");
    const { result } = execJson(at, ["cat", alice.privateKeyPath], { sandbox: "process" });
    expect({ outcome: result.outcome, reasons: result.reasons?.map((r) => r.code) }).toEqual({
      outcome: "denied",
      reasons: ["shell_path_state"],
    });
  });

  it.runIf(bubblewrapAvailable())("under bubblewrap a script that reads it finds it is not there", () => {
    const { at, alice } = setUp();
    grant(at, "node");
    script(at, "steal.mjs", STEAL);
    writeFileSync(join(at.workspace, "where.txt"), alice.privateKeyPath);
    const { result } = execJson(at, ["node", "steal.mjs"]);
    expect({ out: result.output?.stdout.preview, isolation: result.sandbox?.isolation }).toEqual({
      out: "ENOENT\n",
      isolation: "bubblewrap",
    });
  });

  it("under the process backend the script reads it (documented): only the preview is redacted", () => {
    const { at, alice } = setUp("process");
    grant(at, "node");
    script(at, "steal.mjs", STEAL);
    writeFileSync(join(at.workspace, "where.txt"), alice.privateKeyPath);
    const { result } = execJson(at, ["node", "steal.mjs"], { sandbox: "process" });
    expect(result).toMatchObject({
      outcome: "succeeded",
      // The key file's own newline, then console.log's.
      output: { stdout: { preview: "[REDACTED:private-key]\n\n" } },
      sandbox: { isolation: "none" },
    });
  });
});
