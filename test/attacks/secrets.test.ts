// Attack: read the user's credentials — `cat ~/.ssh/id_ed25519` is a read-only command the policy
// allows; a granted script walks HOME for anything that looks like a key; a symlink in the workspace
// points at a key. Under bubblewrap the credential stores are hidden (a directory looks empty, a file
// empty); under the process backend they are read, and the result says isolation "none".
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
  it("cat of each credential store finds nothing, and nothing secret reaches the records", () => {
    const at = place();
    plant(at);
    const seen = Object.keys(PLANTED).map((rel) => {
      const { code, result } = execJson(at, ["cat", join(at.home, rel)]);
      return [
        rel,
        code,
        result.output?.stdout.preview,
        result.output?.stderr.preview,
        result.sandbox?.isolation,
      ];
    });
    // Inside a hidden directory a file is absent; a hidden file itself reads as empty.
    const absent = (rel: string) => `cat: ${join(at.home, rel)}: No such file or directory\n`;
    expect(seen).toEqual([
      [".ssh/id_ed25519", 1, "", absent(".ssh/id_ed25519"), "bubblewrap"],
      [".aws/credentials", 1, "", absent(".aws/credentials"), "bubblewrap"],
      [
        ".config/gcloud/application_default_credentials.json",
        1,
        "",
        absent(".config/gcloud/application_default_credentials.json"),
        "bubblewrap",
      ],
      [".docker/config.json", 1, "", absent(".docker/config.json"), "bubblewrap"],
      [".kube/config", 1, "", absent(".kube/config"), "bubblewrap"],
      [".netrc", 0, "", "", "bubblewrap"],
      [".git-credentials", 0, "", "", "bubblewrap"],
      [".config/wsops/keys/alice.key", 1, "", absent(".config/wsops/keys/alice.key"), "bubblewrap"],
    ]);
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

    const viaLink = execJson(at, ["cat", "deploy-key"]);
    expect(viaLink.result).toMatchObject({
      outcome: "failed",
      output: {
        stdout: { preview: "" },
        stderr: { preview: "cat: deploy-key: No such file or directory\n" },
      },
      sandbox: { isolation: "bubblewrap" },
    });
    expect(SECRET_VALUES.filter((value) => foundUnder(at.stateDir, value).length > 0)).toEqual([]);
  });
});

describe("attack: read planted credentials under the process backend (documented: nothing hides them)", () => {
  it("reads the key, and the result says isolation none", () => {
    const at = place();
    plant(at);
    const { result } = execJson(at, ["cat", join(at.home, ".ssh", "id_ed25519")], { sandbox: "process" });
    expect(result).toMatchObject({
      outcome: "succeeded",
      output: { stdout: { preview: `${PLANTED[".ssh/id_ed25519"]}\n` } },
      sandbox: { backend: "process", isolation: "none", network: { access: "host" } },
    });
  });
});
