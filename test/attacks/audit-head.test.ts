// Attack: rewrite the audit trail so that it still verifies. Under the process backend a command can
// reach the SQLite file; the hash algorithm is public, so it rewrites the log and its head together —
// here, every denied decision becomes an allow — and the chain checks out. With an audit key
// (`wsops keys create --audit`) the head is signed on every commit: the executor refuses to sign over
// the forgery, and `wsops audit verify` names it. What remains: an attacker who holds the audit private
// key (under the process backend the command can read it) forges undetected — shown here too.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { bubblewrapAvailable } from "@workspace-ops/executor";
import { afterAll, describe, expect, it } from "vitest";
import {
  auditRecords,
  execJson,
  grant,
  type Place,
  place,
  removePlaces,
  repoRoot,
  SMUGGLED,
  script,
  smuggle,
  useProfile,
  wsops,
} from "./support.js";

afterAll(removePlaces);

/**
 * The agent's script: every denied decision in the audit log becomes an allow; every record is
 * re-chained and the head rewritten, with the store's own (public) hashing. `own`: re-sign the head with
 * a key of its own; `stolen KEYFILE`: re-sign it with the audit key read from KEYFILE.
 */
const REWRITE = `
import { execFileSync } from "node:child_process";
import { createPrivateKey, createPublicKey, generateKeyPairSync } from "node:crypto";
import { readFileSync } from "node:fs";
import { auditHeadMessage, hashRecord } from "${join(repoRoot, "packages/store/dist/index.js")}";
import { publicKeyText, signMessage } from "${join(repoRoot, "packages/signing/dist/index.js")}";
const [db, how, keyFile] = ${SMUGGLED};
const rows = JSON.parse(execFileSync("sqlite3", ["-json", db, "SELECT * FROM audit ORDER BY seq"], { encoding: "utf8" }));
const sql = [];
let prevHash = rows[0].prev_hash;
for (const row of rows) {
  let data = JSON.parse(row.data);
  if (row.type === "decision" && data.decision === "deny") data = { ...data, decision: "allow", reasons: [] };
  const hash = hashRecord({ seq: row.seq, at: row.at, type: row.type, subject: row.subject, data, prevHash });
  sql.push(\`UPDATE audit SET data = '\${JSON.stringify(data).replaceAll("'", "''")}', prev_hash = '\${prevHash}', hash = '\${hash}' WHERE seq = \${row.seq}\`);
  prevHash = hash;
}
const head = { seq: rows.at(-1).seq, hash: prevHash };
sql.push(\`UPDATE audit_head SET hash = '\${head.hash}'\`);
if (how !== "plain") {
  const privateKey = how === "own" ? generateKeyPairSync("ed25519").privateKey : createPrivateKey(readFileSync(keyFile, "utf8"));
  const publicKey = publicKeyText(createPublicKey(privateKey));
  const signature = { ...head, algorithm: "ed25519", publicKey, value: signMessage(auditHeadMessage(head), privateKey) };
  sql.push(\`UPDATE audit_head SET signature = '\${JSON.stringify(signature)}'\`);
}
execFileSync("sqlite3", [db, sql.join(";\\n")]);
console.log("rewritten", rows.length, "records");
`;

interface AuditKey {
  privateKeyPath: string;
  publicKey: string;
}

/** A workspace with an audit key, a denied call in its log, node granted, and the rewriting script. */
function setUp(backend: "process" | "bubblewrap" = "process") {
  const at = place();
  const created = wsops(at, ["keys", "create", "--audit", "--json"]);
  expect(created.code).toBe(0);
  const key = JSON.parse(created.stdout) as AuditKey;
  useProfile(at, { backend });
  grant(at, "node");
  script(at, "rewrite.mjs", REWRITE);
  const denied = execJson(at, ["git", "push", "--force", "origin", "main"], { sandbox: backend });
  expect(denied.result.outcome).toBe("denied");
  const verified = wsops(at, ["audit", "verify"]);
  expect({ code: verified.code, out: verified.stdout }).toEqual({
    code: 0,
    out: expect.stringContaining(`the head is signed by ${key.publicKey}, verified`),
  });
  return { at, key, db: join(at.stateDir, "state.db") };
}

const decisions = (at: Place) =>
  auditRecords(at)
    .filter((r) => r.type === "decision")
    .map((r) => (r.data as { decision: string }).decision);

/** The agent runs the rewriting script as a granted command under the process backend. */
function rewrite(at: Place, db: string, ...how: string[]) {
  smuggle(at, [db, ...how]);
  return wsops(at, [
    "exec",
    "--sandbox",
    "process",
    "--actor",
    "agent:attacker",
    "--",
    "node",
    "rewrite.mjs",
  ]);
}

/** wsops as someone who has no audit key: the same HOME, an empty config directory. */
const withoutKeys = (at: Place): Place => ({
  ...at,
  env: { ...at.env, XDG_CONFIG_HOME: join(at.home, "no-keys") },
});

describe("attack: rewrite the audit log and its head together", () => {
  it("from a command under the process backend: the next commit refuses to sign over it, and verify names it", () => {
    const { at, key, db } = setUp();
    const ran = rewrite(at, db, "plain");
    // The rewrite happened (the command ran), but its result cannot be chained onto a forged head.
    expect({ code: ran.code, stderr: ran.stderr }).toEqual({
      code: 69,
      stderr: expect.stringContaining("refusing to sign the audit head: record seq"),
    });
    expect(decisions(at)).toEqual(["allow", "allow", "allow", "allow"]);
    // The chain alone cannot tell: without the audit public key the log "verifies".
    const blind = wsops(withoutKeys(at), ["audit", "verify"]);
    expect({ code: blind.code, out: blind.stdout }).toEqual({
      code: 0,
      out: expect.stringContaining("NOT checked: give its public key with --audit-key"),
    });
    for (const verify of [
      wsops(at, ["audit", "verify"]),
      wsops(withoutKeys(at), ["audit", "verify", "--audit-key", key.publicKey]),
    ])
      expect({ code: verify.code, out: verify.stdout }).toEqual({
        code: 1,
        out: expect.stringMatching(
          /BROKEN at record \d+ \(seq \d+\): head_signature_invalid: the log was rewritten/,
        ),
      });
  });

  it("and re-sign the head with a key of its own: the signature names the wrong key", () => {
    const { at, key, db } = setUp();
    const ran = rewrite(at, db, "own");
    expect(ran.code).toBe(69);
    const verify = wsops(at, ["audit", "verify", "--json"]);
    expect({ code: verify.code, firstBad: JSON.parse(verify.stdout).firstBad }).toEqual({
      code: 1,
      firstBad: {
        seq: expect.any(Number),
        position: expect.any(Number),
        code: "head_signature_invalid",
        message: expect.stringMatching(
          new RegExp(
            `^the audit head is signed by ed25519:\\S+, not by ${key.publicKey.replaceAll("+", "\\+")}$`,
          ),
        ),
      },
    });
  });

  it("holding the audit private key (readable under the process backend): undetected — documented", () => {
    const { at, key, db } = setUp();
    const ran = rewrite(at, db, "stolen", key.privateKeyPath);
    expect(ran.code).toBe(0);
    expect(wsops(at, ["audit", "verify"]).code).toBe(0);
    expect(decisions(at).slice(0, 4)).toEqual(["allow", "allow", "allow", "allow"]);
  });
});

describe.runIf(bubblewrapAvailable())("attack: read the audit key from a command", () => {
  it("under bubblewrap the audit key is not there (nor is the state directory)", () => {
    const { at, key } = setUp("bubblewrap");
    smuggle(at, [key.privateKeyPath, join(at.stateDir, "state.db")]);
    script(
      at,
      "steal.mjs",
      `for (const p of ${SMUGGLED}) { try { (await import("node:fs")).readFileSync(p); console.log("read", p); } catch (e) { console.log(e.code); } }`,
    );
    const { result } = execJson(at, ["node", "steal.mjs"]);
    expect({ out: result.output?.stdout.preview, isolation: result.sandbox?.isolation }).toEqual({
      out: "ENOENT\nENOENT\n",
      isolation: "bubblewrap",
    });
    expect(readFileSync(key.privateKeyPath, "utf8")).toContain("PRIVATE KEY");
  });
});
