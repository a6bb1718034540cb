// Public keys as one short line of text, `ed25519:<standard base64 of the 32 raw bytes>`, for profiles,
// signatures and `wsops keys list`. Standard base64 (no "-" or "_") cannot be mistaken for a token by
// the redaction rules, so a public key survives redaction unchanged.
import { createPublicKey, type KeyObject } from "node:crypto";
import { SigningError } from "./errors.js";

export const PUBLIC_KEY_PATTERN = /^ed25519:[A-Za-z0-9+/]{43}=$/;

/** The text form of an Ed25519 key's public half (given the public or the private key). */
export function publicKeyText(key: KeyObject): string {
  const publicKey = key.type === "private" ? createPublicKey(key) : key;
  if (publicKey.asymmetricKeyType !== "ed25519")
    throw new SigningError("key_invalid", `not an Ed25519 key: ${publicKey.asymmetricKeyType}`);
  const { x } = publicKey.export({ format: "jwk" });
  return `ed25519:${Buffer.from(x as string, "base64url").toString("base64")}`;
}

/** The key a text form names; `public_key_invalid` for anything else. */
export function parsePublicKey(text: string): KeyObject {
  if (typeof text !== "string" || !PUBLIC_KEY_PATTERN.test(text))
    throw new SigningError(
      "public_key_invalid",
      `${JSON.stringify(text)} is not a public key: expected ed25519:<base64 of 32 bytes> (wsops keys list shows them)`,
    );
  const x = Buffer.from(text.slice("ed25519:".length), "base64").toString("base64url");
  return createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x }, format: "jwk" });
}
