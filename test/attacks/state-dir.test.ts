// Attack: an allowed (granted) command rewrites the audit trail and the approvals — the log, its head,
// the approvals index, a pending call's stream — or just reads them. Under bubblewrap the state
// directory is out of sight, wherever it is; under the process backend nothing stops it, and every
// result says so (isolation "none").
import { join } from "node:path";
import { bubblewrapAvailable } from "@workspace-ops/executor";
import { afterAll, describe, expect, it } from "vitest";
import {
  execJson,
  foundUnder,
  grant,
  type Place,
  place,
  removePlaces,
  SMUGGLED,
  script,
  smuggle,
  snapshot,
  useProfile,
  wsops,
} from "./support.js";

afterAll(removePlaces);

const MARK = "FORGED-BY-THE-AGENT";

/**
 * The agent's script: every file under the directories it is given, read, appended to and replaced;
 * then a new file. Prints one line per attempt: "<what> <path> ok|<errno>".
 */
const FORGE = `
import { appendFileSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
const attempt = (what, path, act) => {
  try { act(); console.log(what, path, "ok"); } catch (e) { console.log(what, path, e.code); }
};
const files = (dir) => {
  const found = [];
  const walk = (d) => { for (const e of readdirSync(d)) { const p = join(d, e); statSync(p).isDirectory() ? walk(p) : found.push(p); } };
  try { walk(dir); } catch (e) { console.log("list", dir, e.code); }
  return found;
};
for (const dir of ${SMUGGLED}) {
  for (const path of files(dir)) {
    attempt("read", path, () => readFileSync(path));
    attempt("append", path, () => appendFileSync(path, ${JSON.stringify(`${MARK}\n`)}));
    if (path.endsWith(".json")) attempt("replace", path, () => writeFileSync(path, ${JSON.stringify(`{"${MARK}":1}`)}));
  }
  attempt("create", join(dir, "approvals", "forged.json"), () => writeFileSync(join(dir, "approvals", "forged.json"), ${JSON.stringify(MARK)}));
}
`;

/** A workspace with a profile, a grant for node, and one call parked awaiting approval. */
function setUp(at: Place) {
  useProfile(at, { backend: "bubblewrap" });
  grant(at, "node");
  const pending = execJson(at, ["rm", "notes.txt"]);
  expect(pending.result).toMatchObject({ outcome: "approval_required" });
  script(at, "forge.mjs", FORGE);
  return pending.result.toolExecutionId;
}

/** The audit records of the workspace's store, as `wsops audit export` writes them (header dropped). */
const auditLines = (at: Place) => wsops(at, ["audit", "export"]).stdout.trimEnd().split("\n").slice(1);

/**
 * Every audit record that was there before is still there, unchanged and in place (the log only
 * grew), and no forged byte is anywhere in the state directory's files.
 */
function onlyAppended(before: string[], at: Place) {
  const after = auditLines(at);
  const changed = before.filter((line, i) => after[i] !== line);
  return { changed, forged: foundUnder(at.stateDir, MARK) };
}

describe.runIf(bubblewrapAvailable())("attack: rewrite the state from an allowed command", () => {
  it("under bubblewrap the default state directory (~/.local/state/wsops/…) is not there at all", () => {
    const at = place();
    const pendingId = setUp(at);
    expect([...snapshot(at.stateDir).keys()].some((path) => path.endsWith("state.db"))).toBe(true);
    const before = auditLines(at);
    expect(before.length).toBeGreaterThan(0);

    smuggle(at, [at.stateDir, join(at.home, ".local/state/wsops")]);
    const { code, result } = execJson(at, ["node", "forge.mjs"]);
    // The directories are empty where the command looks: nothing to read, nowhere to write.
    expect(result.output?.stdout.preview).toBe(
      [
        // The workspace's own state directory is inside the hidden root of every workspace's state.
        `list ${at.stateDir} ENOENT`,
        `create ${at.stateDir}/approvals/forged.json ENOENT`,
        `create ${at.home}/.local/state/wsops/approvals/forged.json ENOENT`,
        "",
      ].join("\n"),
    );
    // Recorded: the attempt ran, under bubblewrap, and its result is in the audit log like any other.
    expect({ code, outcome: result.outcome, sandbox: result.sandbox }).toEqual({
      code: 0,
      outcome: "succeeded",
      sandbox: {
        backend: "bubblewrap",
        isolation: "bubblewrap",
        network: { requested: "none", access: "none" },
      },
    });
    expect(auditLines(at).some((line) => line.includes(result.toolExecutionId))).toBe(true);
    expect(onlyAppended(before, at)).toEqual({ changed: [], forged: [] });
    expect(wsops(at, ["audit", "verify"]).code).toBe(0);
    expect(JSON.parse(wsops(at, ["status", pendingId, "--json"]).stdout)).toMatchObject({
      state: "awaiting_approval",
    });
  });

  it("under bubblewrap a state directory put inside the workspace is hidden there too", () => {
    const base = place();
    const at: Place = {
      ...base,
      env: { ...base.env, WSOPS_STATE_DIR: join(base.workspace, ".wsops") },
      stateDir: join(base.workspace, ".wsops"),
    };
    setUp(at);
    const before = auditLines(at);
    const { result } = execJson(at, [
      "node",
      "-e",
      `const fs = require("node:fs");
       for (const act of [() => fs.readdirSync(".wsops").length, () => fs.readFileSync(".wsops/state.db"),
         () => fs.appendFileSync(".wsops/state.db", "x"), () => fs.renameSync(".wsops", "moved"),
         () => fs.rmSync(".wsops", { recursive: true })]) {
         try { console.log("ok", act()); } catch (e) { console.log(e.code); }
       }`,
    ]);
    // Empty, read-only, and a mount point: it can be neither renamed nor removed.
    expect(result.output?.stdout.preview).toBe("ok 0\nENOENT\nEROFS\nEBUSY\nEBUSY\n");
    expect(result.sandbox).toMatchObject({ backend: "bubblewrap", isolation: "bubblewrap" });
    expect(onlyAppended(before, at)).toEqual({ changed: [], forged: [] });
    expect(wsops(at, ["audit", "verify"]).code).toBe(0);
  });
});

/** The agent's script under the process backend: edit an audit record with the database's own shell. */
const EDIT_WITH_SQLITE = `
import { execFileSync } from "node:child_process";
const [db] = ${SMUGGLED};
execFileSync("sqlite3", [db, "UPDATE audit SET data = json_set(data, '$.forged', '${MARK}') WHERE seq = 2"]);
console.log("edited");
`;

describe("attack: rewrite the state under the process backend (documented: nothing confines it)", () => {
  it("succeeds: every result says isolation none, and the damage is detected, not prevented", () => {
    const at = place();
    useProfile(at, { backend: "process" });
    grant(at, "node");
    script(at, "edit.mjs", EDIT_WITH_SQLITE);
    const harmless = execJson(at, ["node", "-e", "1"], { sandbox: "process" });
    expect(harmless.result.sandbox).toEqual({
      backend: "process",
      isolation: "none",
      network: { requested: "none", access: "host" },
    });

    // Naming the database is denied before it runs (shell_path_state); a script that reads the path
    // from a file is not.
    const named = execJson(at, ["sqlite3", join(at.stateDir, "state.db"), ".dump"], { sandbox: "process" });
    expect(named.result).toMatchObject({ outcome: "denied", reasons: [{ code: "shell_path_state" }] });
    smuggle(at, [join(at.stateDir, "state.db")]);
    const forged = execJson(at, ["node", "edit.mjs"], { sandbox: "process" });
    // The command reached the store and edited the log: nothing under the process backend stops it.
    expect(forged.result).toMatchObject({ outcome: "succeeded", sandbox: { isolation: "none" } });
    expect(forged.result.output?.stdout.preview).toBe("edited\n");
    // Detected: audit verify names the edited record.
    const verify = wsops(at, ["audit", "verify"]);
    expect(verify.code).toBe(1);
    expect(verify.stdout).toMatch(/seq 2\b.*edited/);
    // What remains possible here: a command that rewrites the log and its head consistently (the hash
    // algorithm is public) is not detected until the head is signed; only bubblewrap keeps the state out
    // of reach.
  });
});
