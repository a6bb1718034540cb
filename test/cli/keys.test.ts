// wsops keys, and the commands that use keys (approve, deny, audit verify), through the real binary.
// Each test has a config directory of its own: keys are never overwritten, and never the user's.
import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cliEnv, wsops } from "./run-cli.js";

function setUp() {
  const dir = mkdtempSync(join(tmpdir(), "wsops-keys-"));
  writeFileSync(join(dir, "notes.txt"), "hello\n");
  const env = { ...cliEnv, XDG_CONFIG_HOME: join(dir, "config") };
  const run = (args: string[]) => wsops(args, { cwd: dir, env });
  return { dir, keys: join(dir, "config", "wsops", "keys"), run };
}

describe("wsops keys", () => {
  it("creates an approver's key pair once, prints the profile snippet, and lists it", () => {
    const { keys, run } = setUp();
    const created = run(["keys", "create", "--principal", "user:alice"]);
    const publicKey = created.stdout.match(/public key: (ed25519:\S+)/)?.[1] as string;
    expect(created).toEqual({
      code: 0,
      stdout: [
        `created ${keys}/user:alice.key (private, mode 0600) and ${keys}/user:alice.pub`,
        `public key: ${publicKey}`,
        "",
        "To let this key approve, list it in the profile's approvers:",
        `  "approvers": [{"principal":{"type":"user","id":"alice"},"publicKey":"${publicKey}"}]`,
        "Then: wsops approve ID --by user:alice signs with it.",
        "",
      ].join("\n"),
      stderr: "",
    });
    expect([statSync(keys).mode & 0o777, statSync(join(keys, "user:alice.key")).mode & 0o777]).toEqual([
      0o700, 0o600,
    ]);
    const before = readFileSync(join(keys, "user:alice.key"), "utf8");
    expect(run(["keys", "create", "--principal", "user:alice"])).toEqual({
      code: 1,
      stdout: "",
      stderr: `wsops keys: ${keys}/user:alice.key already exists; keys are never overwritten\n`,
    });
    expect(readFileSync(join(keys, "user:alice.key"), "utf8")).toBe(before);
    expect(JSON.parse(run(["keys", "list", "--json"]).stdout)).toEqual({
      keys: [
        {
          name: "user:alice",
          publicKeyPath: `${keys}/user:alice.pub`,
          privateKeyPath: `${keys}/user:alice.key`,
          publicKey,
          info: { principal: { type: "user", id: "alice" } },
        },
      ],
      problems: [],
    });
    expect(run(["keys", "list"]).stdout).toBe(`${publicKey}  approver user:alice  ${keys}/user:alice.pub\n`);
  });

  it("says what it needs: exit 2 for usage errors", () => {
    const { run } = setUp();
    const usage = (args: string[]) => {
      const ran = run(args);
      return [ran.code, ran.stderr.split("\n")[0]];
    };
    expect([
      usage(["keys"]),
      usage(["keys", "create"]),
      usage(["keys", "create", "--principal", "user:alice", "--audit"]),
      usage(["keys", "create", "--principal", "alice"]),
      usage(["keys", "list", "--audit"]),
    ]).toEqual([
      [2, "wsops keys: say create or list: wsops keys create --principal user:alice | wsops keys list"],
      [2, "wsops keys: keys create needs either --principal TYPE:ID or --audit"],
      [2, "wsops keys: keys create needs either --principal TYPE:ID or --audit"],
      [2, "wsops keys: --principal: must be TYPE:ID with TYPE user, agent or service"],
      [2, "wsops keys: --principal and --audit belong to keys create"],
    ]);
  });
});

describe("approve and deny with keys", () => {
  it("sign with the resolver's own key, say whether anything checked it, and refuse a key file that is not there", () => {
    const { run } = setUp();
    // Each its own call: an approved call not run yet would stand for a retry of the same call.
    const parked = (file: string) =>
      JSON.parse(run(["exec", "--json", "--no-wait", "--", "rm", file]).stdout);
    const first = parked("notes.txt");
    expect(run(["approve", first.approvalRequestId, "--by", "user:alice"])).toMatchObject({
      code: 0,
      stdout: `approved ${first.approvalRequestId} (${first.toolExecutionId}; unsigned: the profile names no approvers)\n`,
    });
    expect(run(["keys", "create", "--principal", "user:bob"]).code).toBe(0);
    const second = parked("second.txt");
    expect(run(["deny", second.approvalRequestId, "--by", "user:bob"])).toEqual({
      stderr: "",
      code: 0,
      stdout: `denied ${second.approvalRequestId} (${second.toolExecutionId}; signed, but the profile names no approvers to check it against)\n`,
    });
    const third = parked("third.txt");
    expect(
      run(["approve", third.approvalRequestId, "--by", "user:bob", "--key", "/nonexistent.key"]),
    ).toEqual({
      code: 1,
      stdout: "",
      stderr: "wsops approve: no key file /nonexistent.key\n",
    });
    expect(run(["resume", third.toolExecutionId, "--key", "x"]).code).toBe(2);
    expect(run(["approve", third.approvalRequestId, "--by", "user:bob", "--request", "x"]).code).toBe(2);
  });
});

describe("audit verify with the audit key", () => {
  it("checks the head's signature with the store's audit key, or the keys given", () => {
    const { run } = setUp();
    const created = JSON.parse(run(["keys", "create", "--audit", "--json"]).stdout);
    expect(created.store).toMatch(/state\.db$/);
    run(["exec", "--", "ls"]);
    const verified = JSON.parse(run(["audit", "verify", "--json"]).stdout);
    expect(verified).toMatchObject({
      ok: true,
      signature: { publicKey: created.publicKey, verified: true },
    });
    const other = setUp();
    const stranger = JSON.parse(
      other.run(["keys", "create", "--principal", "user:x", "--json"]).stdout,
    ).publicKey;
    const wrong = run(["audit", "verify", "--audit-key", stranger]);
    expect({ code: wrong.code, out: wrong.stdout }).toEqual({
      code: 1,
      out: expect.stringContaining(
        `head_signature_invalid: the audit head is signed by ${created.publicKey}, not by ${stranger}`,
      ),
    });
    expect(run(["audit", "verify", "--audit-key", "ed25519:nope"])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("--audit-key.0: must be ed25519:<base64>, as wsops keys list shows"),
    });
    expect(run(["audit", "export", "--audit-key", created.publicKey]).code).toBe(2);
  });
});
