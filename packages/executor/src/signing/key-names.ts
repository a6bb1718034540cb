// Which key file is whose: an approver's key is named after the principal (`user:alice.key`), a
// store's audit key after the store (`audit-<12 hex of sha256(store location)>.key`), all in the
// keys directory of @workspace-ops/signing (${XDG_CONFIG_HOME:-~/.config}/wsops/keys).
import { createHash } from "node:crypto";
import { join } from "node:path";
import type { Principal } from "@workspace-ops/contracts";
import {
  createKeyFiles,
  type KeyPairFiles,
  keysDir,
  type LoadedKey,
  listKeyFiles,
  loadPrivateKey,
} from "@workspace-ops/signing";
import type { AuditHeadKey } from "@workspace-ops/store";

type Env = Record<string, string | undefined>;

export const approverKeyName = (principal: Principal): string => `${principal.type}:${principal.id}`;

/** The audit key of a store, named after where the store is (its location, without credentials). */
export const auditKeyName = (storeLocation: string): string =>
  `audit-${createHash("sha256").update(storeLocation).digest("hex").slice(0, 12)}`;

export const approverKeyPath = (principal: Principal, env: Env = process.env): string =>
  join(keysDir(env), `${approverKeyName(principal)}.key`);

export const auditKeyPath = (storeLocation: string, env: Env = process.env): string =>
  join(keysDir(env), `${auditKeyName(storeLocation)}.key`);

/** `wsops keys create --principal`: the key pair an approver signs resolutions with. */
export const createApproverKey = (principal: Principal, env: Env = process.env): Promise<KeyPairFiles> =>
  createKeyFiles(keysDir(env), approverKeyName(principal), { principal });

/** `wsops keys create --audit`: the key pair that signs the audit head of one store. */
export const createAuditKey = (storeLocation: string, env: Env = process.env): Promise<KeyPairFiles> =>
  createKeyFiles(keysDir(env), auditKeyName(storeLocation), { audit: { store: storeLocation } });

export const listKeys = (env: Env = process.env) => listKeyFiles(keysDir(env));

/** The key an approver signs with: `path` when given, else the principal's own in the keys directory. */
export const loadApproverKey = (
  principal: Principal,
  path?: string,
  env: Env = process.env,
): Promise<LoadedKey> => loadPrivateKey(path ?? approverKeyPath(principal, env));

/**
 * The audit key an executor signs its store's head with: `path` when given (an error when it cannot be
 * read), else the store's key in the keys directory when there is one, else none (null).
 */
export async function openAuditKey(
  storeLocation: string,
  path: string | undefined,
  env: Env = process.env,
): Promise<AuditHeadKey | null> {
  try {
    const { privateKey, publicKey } = await loadPrivateKey(path ?? auditKeyPath(storeLocation, env));
    return { privateKey, publicKey };
  } catch (error) {
    if (path === undefined && (error as { code?: string }).code === "key_not_found") return null;
    throw error;
  }
}

/** The audit public key of a store that this user's keys directory holds, if any (for audit verify). */
export function auditPublicKey(storeLocation: string, env: Env = process.env): string | null {
  const name = auditKeyName(storeLocation);
  return listKeys(env).keys.find((key) => key.name === name)?.publicKey ?? null;
}

export type { LoadedKey };
