import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { PUBLIC_KEY_PATTERN, parsePublicKey, publicKeyText } from "./public-key.js";

describe("public keys as text", () => {
  it("round-trips a key through ed25519:<base64> and refuses anything else", () => {
    const { publicKey, privateKey } = generateKeyPairSync("ed25519");
    const text = publicKeyText(publicKey);
    expect(text).toMatch(PUBLIC_KEY_PATTERN);
    expect(publicKeyText(privateKey)).toBe(text);
    expect(publicKeyText(parsePublicKey(text))).toBe(text);
    for (const bad of ["", "ed25519:", `rsa:${text.slice(8)}`, `${text}x`, text.replace("=", "")]) {
      expect(() => parsePublicKey(bad)).toThrow(/is not a public key: expected ed25519:<base64 of 32 bytes>/);
    }
    const rsa = generateKeyPairSync("rsa", { modulusLength: 1024 }).publicKey;
    expect(() => publicKeyText(rsa)).toThrow("not an Ed25519 key: rsa");
  });
});
