// Credential references resolved at call time, from the environment and from files under one
// directory: real files, real permissions, real symlinks.
import { chmodSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { credentialResolver } from "./credentials.js";

const root = mkdtempSync(join(tmpdir(), "wsops-secrets-"));
const secretsDir = join(root, "secrets");
mkdirSync(join(secretsDir, "team"), { recursive: true });
const file = (name: string, content: string, mode = 0o600) => {
  writeFileSync(join(secretsDir, name), content);
  chmodSync(join(secretsDir, name), mode);
};
file("anthropic.key", "sk-ant-from-file\n");
file("team/keys.json", JSON.stringify({ openai: "sk-openai-from-json", count: 3 }));
file("shared.key", "sk-readable-by-all\n", 0o644);
file("empty.key", "");
writeFileSync(join(root, "outside.key"), "sk-outside");
chmodSync(join(root, "outside.key"), 0o600);
symlinkSync(join(root, "outside.key"), join(secretsDir, "escape.key"));

const resolver = credentialResolver({ env: { OPENAI_API_KEY: "sk-from-env", EMPTY: "" }, secretsDir });
const unavailable = (message: string) => ({ ok: false, code: "credential_unavailable", message });

describe("credential references", () => {
  it.each([
    ["env://OPENAI_API_KEY", { ok: true, secret: "sk-from-env" }],
    ["secretref://file/anthropic.key", { ok: true, secret: "sk-ant-from-file" }],
    ["secretref://file/team/keys.json#openai", { ok: true, secret: "sk-openai-from-json" }],
    ["env://MISSING", unavailable("env://MISSING is not set")],
    ["env://EMPTY", unavailable("env://EMPTY is not set")],
    [
      "secretref://file/team/keys.json#count",
      unavailable("secretref://file/team/keys.json#count: the file has no string at count"),
    ],
    [
      "secretref://file/anthropic.key#x",
      unavailable("secretref://file/anthropic.key#x: #x needs a file holding a JSON object"),
    ],
    [
      "secretref://file/shared.key",
      unavailable("secretref://file/shared.key: readable by others than its owner (chmod 600 it)"),
    ],
    ["secretref://file/empty.key", unavailable("secretref://file/empty.key: the file is empty")],
    [
      "secretref://file/escape.key",
      unavailable("secretref://file/escape.key: the path leaves the secrets directory"),
    ],
    [
      "secretref://file/../outside.key",
      unavailable("secretref://file/../outside.key: the path must stay inside the secrets directory"),
    ],
    ["secretref://file/team", unavailable("secretref://file/team: not a regular file")],
    ["secretref://file/nothing.key", unavailable("secretref://file/nothing.key: cannot read it (ENOENT)")],
    [
      "secretref://vault/kv/agents/anthropic#api_key",
      unavailable(
        "secret store vault is not built in (env:// and secretref://file/ are): secretref://vault/kv/agents/anthropic#api_key",
      ),
    ],
    ["sk-a-raw-key", unavailable("not a credential reference: sk-a-raw-key")],
  ])("%s", async (ref, expected) => {
    expect(await resolver.resolve(ref)).toEqual(expected);
  });

  it("resolves no file without a secrets directory", async () => {
    expect(await credentialResolver({ env: {} }).resolve("secretref://file/anthropic.key")).toEqual(
      unavailable("secretref://file/anthropic.key: no secrets directory is configured (--secrets-dir)"),
    );
  });
});
