// Credentials are references (a binding's credentialRef), resolved to the secret only when a call is
// made, and never kept: the secret goes into the upstream request's Authorization header and nowhere
// else. Built in: env://VAR (the gateway's environment) and secretref://file/PATH[#KEY] (a file under
// one configured directory, readable by its owner only).
import { constants } from "node:fs";
import { open, realpath } from "node:fs/promises";
import { join, sep } from "node:path";

export type Resolved =
  | { ok: true; secret: string }
  | { ok: false; code: "credential_unavailable"; message: string };

/** Maps a credentialRef to its secret at call time. Messages name the reference, never the secret. */
export interface CredentialResolver {
  resolve(ref: string): Promise<Resolved>;
}

export interface ResolverOptions {
  /** Where env:// looks (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /** The directory secretref://file/ paths are under; without it, file references do not resolve. */
  secretsDir?: string;
}

const MAX_SECRET_BYTES = 64 * 1024;
const unavailable = (message: string): Resolved => ({ ok: false, code: "credential_unavailable", message });

/** The resolver of env:// and secretref://file/ references. */
export function credentialResolver(options: ResolverOptions = {}): CredentialResolver {
  const env = options.env ?? process.env;
  return {
    async resolve(ref) {
      if (ref.startsWith("env://")) {
        const value = env[ref.slice("env://".length)];
        return value ? { ok: true, secret: value } : unavailable(`${ref} is not set`);
      }
      const file = /^secretref:\/\/file\/([^#]+)(?:#(.+))?$/.exec(ref);
      if (file) return readSecretFile(options.secretsDir, ref, file[1] as string, file[2]);
      const store = /^secretref:\/\/([^/]+)\//.exec(ref)?.[1];
      return unavailable(
        store
          ? `secret store ${store} is not built in (env:// and secretref://file/ are): ${ref}`
          : `not a credential reference: ${ref.slice(0, 64)}`,
      );
    },
  };
}

/**
 * A file under the secrets directory — after symlinks are followed, still under it; a regular file
 * that only its owner may read — whole (without a final newline), or the string at KEY of its JSON.
 */
async function readSecretFile(
  dir: string | undefined,
  ref: string,
  path: string,
  key: string | undefined,
): Promise<Resolved> {
  if (!dir) return unavailable(`${ref}: no secrets directory is configured (--secrets-dir)`);
  if (path.split("/").some((segment) => segment === ".." || segment === "" || segment === "."))
    return unavailable(`${ref}: the path must stay inside the secrets directory`);
  let text: string;
  try {
    const root = await realpath(dir);
    const real = await realpath(join(root, path));
    if (!real.startsWith(root + sep)) return unavailable(`${ref}: the path leaves the secrets directory`);
    const handle = await open(real, constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      const stat = await handle.stat();
      if (!stat.isFile()) return unavailable(`${ref}: not a regular file`);
      if ((stat.mode & 0o077) !== 0)
        return unavailable(`${ref}: readable by others than its owner (chmod 600 it)`);
      if (stat.size > MAX_SECRET_BYTES) return unavailable(`${ref}: larger than ${MAX_SECRET_BYTES} bytes`);
      text = await handle.readFile("utf8");
    } finally {
      await handle.close();
    }
  } catch (error) {
    return unavailable(`${ref}: cannot read it (${(error as NodeJS.ErrnoException).code ?? "error"})`);
  }
  if (key === undefined) {
    const secret = text.replace(/\r?\n$/, "");
    return secret ? { ok: true, secret } : unavailable(`${ref}: the file is empty`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return unavailable(`${ref}: #${key} needs a file holding a JSON object`);
  }
  const value =
    typeof parsed === "object" && parsed !== null && Object.hasOwn(parsed, key)
      ? (parsed as Record<string, unknown>)[key]
      : undefined;
  return typeof value === "string" && value !== ""
    ? { ok: true, secret: value }
    : unavailable(`${ref}: the file has no string at ${key}`);
}
