// Attack: read the user's credentials — `cat ~/.ssh/id_ed25519` is a read-only command; a granted
// script walks HOME for anything that looks like a key; a symlink in the workspace points at a key.
// A command that names a credential store (as written, or through the symlink) is denied by the
// policy before anything runs, in every backend. What names none — the script — meets bubblewrap,
// which hides the stores (a directory looks empty, a file empty); under the process backend the
// script reads them, and the result says isolation "none".
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { bubblewrapAvailable } from "@workspace-ops/executor";
import { afterAll, describe, expect, it } from "vitest";
import {
  execJson,
  foundUnder,
  grant,
  type Place,
  place,
  removePlaces,
  script,
  useProfile,
} from "./support.js";

afterAll(removePlaces);

/** Planted credentials: path under HOME → a value that appears nowhere else. */
const PLANTED: Record<string, string> = {
  ".ssh/id_ed25519": "-----BEGIN OPENSSH PRIVATE KEY----- planted-ssh-key-7f3a",
  ".aws/credentials": "[default]\naws_secret_access_key = planted-aws-secret-91c2",
  ".config/gcloud/application_default_credentials.json": '{"private_key": "planted-gcloud-key-55d0"}',
  ".docker/config.json": '{"auths": {"ghcr.io": {"auth": "planted-docker-auth-0b7e"}}}',
  ".kube/config": "token: planted-kube-token-c4a1",
  ".netrc": "machine example.com login me password planted-netrc-pass-3e9f",
  ".git-credentials": "https://me:planted-git-token-8d2c@github.com",
  ".config/wsops/keys/alice.key": "planted-approver-key-6a6b",
};
const SECRET_VALUES = Object.values(PLANTED).map(
  (text) => text.match(/planted-[a-z-]+-[0-9a-f]{4}/)?.[0] ?? text,
);

function plant(at: Place) {
  for (const [rel, text] of Object.entries(PLANTED)) {
    mkdirSync(dirname(join(at.home, rel)), { recursive: true });
    writeFileSync(join(at.home, rel), `${text}\n`);
  }
  writeFileSync(join(at.home, "notes.txt"), "an ordinary file\n");
  symlinkSync(join(at.home, ".ssh", "id_ed25519"), join(at.workspace, "deploy-key"));
}

/** A script that reads every file under HOME it can and prints what it found. */
const HARVEST = `
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
const found = [];
const walk = (dir) => {
  let entries = [];
  try { entries = readdirSync(dir); } catch { return; }
  for (const e of entries) {
    const p = join(dir, e);
    try { statSync(p).isDirectory() ? walk(p) : found.push(p + " " + readFileSync(p, "utf8").trim()); } catch {}
  }
};
walk(process.env.HOME);
console.log(found.join("\\n"));
`;

describe.runIf(bubblewrapAvailable())("attack: read planted credentials under bubblewrap", () => {
  it("cat of each credential store is denied before it runs, and nothing secret reaches the records", () => {
    const at = place();
    plant(at);
    const seen = Object.keys(PLANTED).map((rel) => {
      const { code, result } = execJson(at, ["cat", join(at.home, rel)]);
      return [rel, code, result.outcome, result.reasons?.map((r) => r.code)];
    });
    expect(seen).toEqual(
      Object.keys(PLANTED).map((rel) => [
        rel,
        77,
        "denied",
        [rel.startsWith(".config/wsops/keys") ? "shell_path_state" : "shell_path_hidden"],
      ]),
    );
    const state = at.stateDir;
    expect(SECRET_VALUES.filter((value) => foundUnder(state, value).length > 0)).toEqual([]);
  });

  it("a granted script that walks HOME, and a symlink from the workspace, find none of them", () => {
    const at = place();
    plant(at);
    useProfile(at, { backend: "bubblewrap" });
    grant(at, "node");
    script(at, "harvest.mjs", HARVEST);
    const { result } = execJson(at, ["node", "harvest.mjs"]);
    const harvested = result.output?.stdout.preview ?? "";
    expect(harvested).toContain(`${join(at.home, "notes.txt")} an ordinary file`);
    expect(SECRET_VALUES.filter((value) => harvested.includes(value))).toEqual([]);

    // The link is resolved before the policy decides: it names the key.
    const viaLink = execJson(at, ["cat", "deploy-key"]);
    expect(viaLink.result).toMatchObject({
      outcome: "denied",
      reasons: [
        {
          code: "shell_path_hidden",
          message: `the command names ${join(at.workspace, "deploy-key")} (resolves to ${join(at.home, ".ssh", "id_ed25519")}), which is hidden from agents (a credential store or a profile's denyRead)`,
        },
      ],
    });
    expect(SECRET_VALUES.filter((value) => foundUnder(at.stateDir, value).length > 0)).toEqual([]);
  });
});

describe("attack: read planted credentials under the process backend (documented: nothing hides them)", () => {
  it("naming the key is denied; a granted script that walks HOME reads it, and the result says isolation none", () => {
    const at = place();
    plant(at);
    const named = execJson(at, ["cat", join(at.home, ".ssh", "id_ed25519")], { sandbox: "process" });
    expect(named.result).toMatchObject({ outcome: "denied", reasons: [{ code: "shell_path_hidden" }] });
    useProfile(at, { backend: "process" });
    grant(at, "node");
    script(at, "harvest.mjs", HARVEST);
    const { result } = execJson(at, ["node", "harvest.mjs"], { sandbox: "process" });
    expect(result).toMatchObject({
      outcome: "succeeded",
      sandbox: { backend: "process", isolation: "none", network: { access: "host" } },
    });
    // It read them (what it printed is redacted on the way into the records, where a rule matches).
    expect(result.output?.stdout.preview).toContain(`${join(at.home, ".aws", "credentials")} [default]`);
  });
});
