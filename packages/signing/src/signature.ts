// Ed25519 signatures over UTF-8 messages, with Node's own crypto (no hand-written cryptography). The
// callers decide what a message is: always a canonical JSON text, so the same value signs the same.
import { type KeyObject, sign, verify } from "node:crypto";
import { SigningError } from "./errors.js";
import { parsePublicKey } from "./public-key.js";

/** An Ed25519 signature (64 bytes) in standard base64. */
export const SIGNATURE_PATTERN = /^[A-Za-z0-9+/]{86}==$/;

export function signMessage(message: string, privateKey: KeyObject): string {
  if (privateKey.type !== "private" || privateKey.asymmetricKeyType !== "ed25519")
    throw new SigningError("key_invalid", "signing needs an Ed25519 private key");
  return sign(null, Buffer.from(message, "utf8"), privateKey).toString("base64");
}

/** Whether `signature` is the signature of `message` by `publicKey` (a KeyObject or its text form). */
export function verifyMessage(message: string, signature: string, publicKey: KeyObject | string): boolean {
  if (typeof signature !== "string" || !SIGNATURE_PATTERN.test(signature)) return false;
  let key: KeyObject;
  try {
    key = typeof publicKey === "string" ? parsePublicKey(publicKey) : publicKey;
  } catch {
    return false;
  }
  if (key.asymmetricKeyType !== "ed25519") return false;
  return verify(null, Buffer.from(message, "utf8"), key, Buffer.from(signature, "base64"));
}
