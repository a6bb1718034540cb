// Sign-in by delegation, with real Ed25519 keys: what a challenge asks for, which answers sign in, and
// how long the link, the cookie and the token last.
import { generateKeyPairSync } from "node:crypto";
import { type LoadedKey, signDelegation } from "@workspace-ops/executor";
import { publicKeyText } from "@workspace-ops/signing";
import { describe, expect, it } from "vitest";
import { ApiError } from "../problem.js";
import { Sessions } from "./sessions.js";

const alice = { type: "user", id: "alice" } as const;
const origin = "http://127.0.0.1:7420";

function keyPair(): LoadedKey {
  const pair = generateKeyPairSync("ed25519");
  return { privateKey: pair.privateKey, publicKey: publicKeyText(pair.publicKey), path: "" };
}

function clock(start = Date.parse("2026-12-01T12:00:00Z")) {
  let now = start;
  return { now: () => new Date(now), pass: (seconds: number) => (now += seconds * 1000) };
}

const refusal = (f: () => unknown) => {
  try {
    f();
  } catch (error) {
    if (error instanceof ApiError) return [error.status, error.code];
    throw error;
  }
  return "signed in";
};

describe("Sessions", () => {
  it("asks for a delegation to a fresh session key, for this server, until the session's end", () => {
    const time = clock();
    const sessions = new Sessions({ sessionSeconds: 3600, now: time.now });
    const { delegation, answerBy } = sessions.challenge(alice, origin);
    expect(delegation).toEqual({
      principal: alice,
      delegate: expect.stringMatching(/^ed25519:[A-Za-z0-9+/]{43}=$/),
      audience: origin,
      nonce: expect.stringMatching(/^[A-Za-z0-9_-]{32}$/),
      issuedAt: "2026-12-01T12:00:00.000Z",
      expiresAt: "2026-12-01T13:00:00.000Z",
    });
    expect(answerBy).toBe("2026-12-01T12:02:00.000Z");
    expect(sessions.challenge(alice, origin).delegation.delegate).not.toBe(delegation.delegate);
  });

  it("signs in with the delegation signed by a listed key: the session signs with the key it names; the link works once", () => {
    const time = clock();
    const sessions = new Sessions({ sessionSeconds: 3600, now: time.now });
    const key = keyPair();
    const { delegation } = sessions.challenge(alice, origin);
    const { session, ticket, token } = sessions.login(signDelegation(delegation, key), [key.publicKey]);
    expect(session).toMatchObject({ principal: alice, approverKey: key.publicKey });
    expect(session.sessionKey.publicKey).toBe(delegation.delegate);
    const redeemed = sessions.redeem(ticket);
    expect(redeemed?.session).toBe(session);
    expect(sessions.redeem(ticket)).toBeNull();
    expect(sessions.byCookie(redeemed?.cookie as string)).toBe(session);
    expect(sessions.byToken(token)).toBe(session);
    expect(sessions.byCookie(token)).toBeNull();
    expect(sessions.live(session)).toBe(true);
    time.pass(3600);
    expect([sessions.byCookie(redeemed?.cookie as string), sessions.byToken(token)]).toEqual([null, null]);
    expect(sessions.live(session)).toBe(false);
  });

  it("refuses a key not listed, a signature by another key, an edited delegation, a replayed or late challenge", () => {
    const time = clock();
    const sessions = new Sessions({ sessionSeconds: 3600, now: time.now });
    const key = keyPair();
    const other = keyPair();
    const attempt = (
      edit: (d: ReturnType<Sessions["challenge"]>["delegation"]) => object,
      signer = key,
      listed = [key.publicKey],
    ) => {
      const { delegation } = sessions.challenge(alice, origin);
      const signed = signDelegation({ ...delegation, ...edit(delegation) } as typeof delegation, signer);
      return refusal(() => sessions.login(signed, listed));
    };
    expect(attempt(() => ({}), key, [other.publicKey])).toEqual([403, "approver_not_listed"]);
    expect(attempt(() => ({}), other)).toEqual([403, "approver_not_listed"]);
    expect(attempt(() => ({ expiresAt: "2027-01-01T00:00:00.000Z" }))).toEqual([401, "challenge_mismatch"]);
    expect(attempt(() => ({ principal: { type: "user", id: "mallory" } }))).toEqual([
      401,
      "challenge_mismatch",
    ]);
    expect(attempt(() => ({ audience: "http://evil.example" }))).toEqual([401, "challenge_mismatch"]);
    // A signature that is not the named key's.
    const { delegation } = sessions.challenge(alice, origin);
    const forged = {
      ...signDelegation(delegation, other),
      signature: { ...signDelegation(delegation, other).signature, publicKey: key.publicKey },
    };
    expect(refusal(() => sessions.login(forged, [key.publicKey]))).toEqual([401, "signature_invalid"]);
    // The same challenge twice, and one answered too late.
    const once = sessions.challenge(alice, origin).delegation;
    expect(refusal(() => sessions.login(signDelegation(once, key), [key.publicKey]))).toBe("signed in");
    expect(refusal(() => sessions.login(signDelegation(once, key), [key.publicKey]))).toEqual([
      401,
      "challenge_unknown",
    ]);
    const late = sessions.challenge(alice, origin).delegation;
    time.pass(121);
    expect(refusal(() => sessions.login(signDelegation(late, key), [key.publicKey]))).toEqual([
      401,
      "challenge_unknown",
    ]);
  });
});
