import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { publicKeyText } from "./public-key.js";
import { signMessage, verifyMessage } from "./signature.js";

describe("signatures", () => {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const other = generateKeyPairSync("ed25519");

  it("verify for the message and the key they were made with, and nothing else", () => {
    const signature = signMessage('{"a":1}', privateKey);
    expect(verifyMessage('{"a":1}', signature, publicKey)).toBe(true);
    expect(verifyMessage('{"a":1}', signature, publicKeyText(publicKey))).toBe(true);
    expect(verifyMessage('{"a":2}', signature, publicKey)).toBe(false);
    expect(verifyMessage('{"a":1}', signature, other.publicKey)).toBe(false);
    const flipped = Buffer.from(signature, "base64");
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    expect(verifyMessage('{"a":1}', flipped.toString("base64"), publicKey)).toBe(false);
    expect(verifyMessage('{"a":1}', "not base64", publicKey)).toBe(false);
    expect(verifyMessage('{"a":1}', signature, "ed25519:garbage")).toBe(false);
  });

  it("refuses to sign with anything but an Ed25519 private key", () => {
    expect(() => signMessage("m", publicKey)).toThrow("signing needs an Ed25519 private key");
  });
});
