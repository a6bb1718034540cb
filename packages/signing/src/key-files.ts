// Key pairs on disk: `<dir>/<name>.key` (the private key, PKCS#8 PEM, mode 0600, never overwritten)
// and `<dir>/<name>.pub` (JSON: the public key in text form and what it is for), in a directory of
// mode 0700. The default directory is the user's config directory, never a workspace; bubblewrap hides
// it from every command (see docs/security.md).
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { chmod, mkdir, open, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { SigningError } from "./errors.js";
import { PUBLIC_KEY_PATTERN, publicKeyText } from "./public-key.js";

type Env = Record<string, string | undefined>;

/** `${XDG_CONFIG_HOME:-$HOME/.config}/wsops/keys` (a relative XDG_CONFIG_HOME is ignored, as XDG says). */
export function keysDir(env: Env = process.env): string {
  const config = env.XDG_CONFIG_HOME?.startsWith("/")
    ? env.XDG_CONFIG_HOME
    : join(env.HOME?.startsWith("/") ? env.HOME : homedir(), ".config");
  return join(config, "wsops", "keys");
}

/** A key file name: no path separator, no leading dot, nothing a shell or a listing would mangle. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,200}$/;

export interface KeyPairFiles {
  privateKeyPath: string;
  publicKeyPath: string;
  /** `ed25519:<base64>`. */
  publicKey: string;
}

/**
 * Generates an Ed25519 key pair and writes it as `<name>.key` and `<name>.pub` under `dir` (made 0700
 * when missing). The private key file is created exclusively with mode 0600: an existing one is
 * `key_exists`, never replaced. `info` is written into the .pub file beside the public key.
 */
export async function createKeyFiles(
  dir: string,
  name: string,
  info: Record<string, unknown> = {},
): Promise<KeyPairFiles> {
  if (!NAME.test(name))
    throw new SigningError("key_invalid", `${JSON.stringify(name)} cannot name a key file`);
  const created = await mkdir(dir, { recursive: true, mode: 0o700 });
  if (created !== undefined) await chmod(dir, 0o700); // mkdir's mode is filtered by the umask
  const { privateKey } = generateKeyPairSync("ed25519");
  const publicKey = publicKeyText(privateKey);
  const privateKeyPath = join(dir, `${name}.key`);
  const publicKeyPath = join(dir, `${name}.pub`);
  let file: Awaited<ReturnType<typeof open>>;
  try {
    file = await open(privateKeyPath, "wx", 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST")
      throw new SigningError("key_exists", `${privateKeyPath} already exists; keys are never overwritten`);
    throw error;
  }
  try {
    await file.writeFile(privateKey.export({ format: "pem", type: "pkcs8" }) as string);
    await file.sync();
  } finally {
    await file.close();
  }
  try {
    const temporary = `${publicKeyPath}.tmp-${process.pid}`;
    await writeFile(temporary, `${JSON.stringify({ ...info, publicKey }, null, 2)}\n`, { mode: 0o644 });
    await rename(temporary, publicKeyPath);
  } catch (error) {
    await rm(privateKeyPath, { force: true });
    throw error;
  }
  return { privateKeyPath, publicKeyPath, publicKey };
}

export interface LoadedKey {
  privateKey: KeyObject;
  publicKey: string;
  path: string;
}

/**
 * Reads a private key file. Refused: a missing file (`key_not_found`), one its group or others may
 * read or write (`key_permissions`), anything but an Ed25519 private key (`key_invalid`).
 */
export async function loadPrivateKey(path: string): Promise<LoadedKey> {
  let mode: number;
  try {
    mode = (await stat(path)).mode;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT")
      throw new SigningError("key_not_found", `no key file ${path}`);
    throw error;
  }
  if ((mode & 0o077) !== 0)
    throw new SigningError(
      "key_permissions",
      `${path} may be read by others (mode ${(mode & 0o777).toString(8)}); chmod 600 it`,
    );
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(await readFile(path, "utf8"));
  } catch (error) {
    throw new SigningError("key_invalid", `${path} is not a private key: ${(error as Error).message}`);
  }
  if (privateKey.asymmetricKeyType !== "ed25519")
    throw new SigningError("key_invalid", `${path} is a ${privateKey.asymmetricKeyType} key, not Ed25519`);
  return { privateKey, publicKey: publicKeyText(createPublicKey(privateKey)), path };
}

export interface ListedKey {
  /** The file name without `.pub`. */
  name: string;
  publicKeyPath: string;
  /** The private key's path, when its file is there too. */
  privateKeyPath: string | null;
  publicKey: string;
  /** Everything else the .pub file says (what the key is for). */
  info: Record<string, unknown>;
}

/** Every key pair under `dir` (by its .pub file), by name; [] when the directory does not exist. */
export function listKeyFiles(dir: string): { keys: ListedKey[]; problems: string[] } {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { keys: [], problems: [] };
    throw error;
  }
  const keys: ListedKey[] = [];
  const problems: string[] = [];
  for (const file of names.filter((n) => n.endsWith(".pub")).sort()) {
    const name = file.slice(0, -".pub".length);
    const publicKeyPath = join(dir, file);
    try {
      const { publicKey, ...info } = JSON.parse(readFileSync(publicKeyPath, "utf8")) as Record<
        string,
        unknown
      >;
      if (typeof publicKey !== "string" || !PUBLIC_KEY_PATTERN.test(publicKey))
        throw new Error("it has no publicKey of the form ed25519:<base64>");
      keys.push({
        name,
        publicKeyPath,
        privateKeyPath: names.includes(`${name}.key`) ? join(dir, `${name}.key`) : null,
        publicKey,
        info,
      });
    } catch (error) {
      problems.push(`${publicKeyPath}: ${(error as Error).message}`);
    }
  }
  return { keys, problems };
}
