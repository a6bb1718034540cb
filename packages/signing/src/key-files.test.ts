import { generateKeyPairSync } from "node:crypto";
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SigningError } from "./errors.js";
import { createKeyFiles, keysDir, listKeyFiles, loadPrivateKey } from "./key-files.js";
import { PUBLIC_KEY_PATTERN } from "./public-key.js";
import { signMessage, verifyMessage } from "./signature.js";

const root = mkdtempSync(join(tmpdir(), "wsops-signing-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const fresh = () => mkdtempSync(join(root, "keys-"));

const codeOf = async (task: Promise<unknown>) => {
  const error = await task.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof SigningError)) throw new Error(`expected a SigningError, got ${String(error)}`);
  return { code: error.code, message: error.message };
};

describe("key files", () => {
  it("keeps keys under the user's config directory", () => {
    expect(keysDir({ XDG_CONFIG_HOME: "/cfg", HOME: "/home/a" })).toBe("/cfg/wsops/keys");
    expect(keysDir({ XDG_CONFIG_HOME: "relative", HOME: "/home/a" })).toBe("/home/a/.config/wsops/keys");
    expect(keysDir({ HOME: "/home/a" })).toBe("/home/a/.config/wsops/keys");
  });

  it("writes a private key 0600 in a 0700 directory and a .pub that says what it is for", async () => {
    const dir = join(fresh(), "wsops", "keys");
    const made = await createKeyFiles(dir, "user:alice", { principal: { type: "user", id: "alice" } });
    expect(made).toEqual({
      privateKeyPath: join(dir, "user:alice.key"),
      publicKeyPath: join(dir, "user:alice.pub"),
      publicKey: expect.stringMatching(PUBLIC_KEY_PATTERN),
    });
    expect({
      dir: statSync(dir).mode & 0o777,
      key: statSync(made.privateKeyPath).mode & 0o777,
      pub: JSON.parse(readFileSync(made.publicKeyPath, "utf8")),
    }).toEqual({
      dir: 0o700,
      key: 0o600,
      pub: { principal: { type: "user", id: "alice" }, publicKey: made.publicKey },
    });
    const loaded = await loadPrivateKey(made.privateKeyPath);
    expect(loaded.publicKey).toBe(made.publicKey);
    expect(verifyMessage("m", signMessage("m", loaded.privateKey), made.publicKey)).toBe(true);
  });

  it("never overwrites a key, and refuses names that are paths", async () => {
    const dir = fresh();
    const first = await createKeyFiles(dir, "user:bob");
    const before = readFileSync(first.privateKeyPath, "utf8");
    expect(await codeOf(createKeyFiles(dir, "user:bob"))).toEqual({
      code: "key_exists",
      message: `${first.privateKeyPath} already exists; keys are never overwritten`,
    });
    expect(readFileSync(first.privateKeyPath, "utf8")).toBe(before);
    expect((await codeOf(createKeyFiles(dir, "../escape"))).code).toBe("key_invalid");
    expect((await codeOf(createKeyFiles(dir, ".hidden"))).code).toBe("key_invalid");
  });

  it("refuses a missing key, one others may read, and one that is not Ed25519", async () => {
    const dir = fresh();
    const made = await createKeyFiles(dir, "user:carol");
    expect(await codeOf(loadPrivateKey(join(dir, "none.key")))).toEqual({
      code: "key_not_found",
      message: `no key file ${join(dir, "none.key")}`,
    });
    chmodSync(made.privateKeyPath, 0o644);
    expect(await codeOf(loadPrivateKey(made.privateKeyPath))).toEqual({
      code: "key_permissions",
      message: `${made.privateKeyPath} may be read by others (mode 644); chmod 600 it`,
    });
    const rsa = join(dir, "rsa.key");
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 1024 });
    writeFileSync(rsa, privateKey.export({ format: "pem", type: "pkcs8" }) as string, { mode: 0o600 });
    expect(await codeOf(loadPrivateKey(rsa))).toEqual({
      code: "key_invalid",
      message: `${rsa} is a rsa key, not Ed25519`,
    });
    const junk = join(dir, "junk.key");
    writeFileSync(junk, "not a key", { mode: 0o600 });
    expect((await codeOf(loadPrivateKey(junk))).code).toBe("key_invalid");
  });

  it("lists key pairs by their .pub files and names the broken ones", async () => {
    const dir = fresh();
    expect(listKeyFiles(join(dir, "absent"))).toEqual({ keys: [], problems: [] });
    const alice = await createKeyFiles(dir, "user:alice", { principal: { type: "user", id: "alice" } });
    const audit = await createKeyFiles(dir, "audit-0123456789ab", { audit: { store: "sqlite:/x/state.db" } });
    rmSync(audit.privateKeyPath);
    writeFileSync(join(dir, "broken.pub"), "{");
    const listed = listKeyFiles(dir);
    expect(listed.keys).toEqual([
      {
        name: "audit-0123456789ab",
        publicKeyPath: audit.publicKeyPath,
        privateKeyPath: null,
        publicKey: audit.publicKey,
        info: { audit: { store: "sqlite:/x/state.db" } },
      },
      {
        name: "user:alice",
        publicKeyPath: alice.publicKeyPath,
        privateKeyPath: alice.privateKeyPath,
        publicKey: alice.publicKey,
        info: { principal: { type: "user", id: "alice" } },
      },
    ]);
    expect(listed.problems).toEqual([expect.stringMatching(/^.*broken\.pub: .*JSON/)]);
  });
});
