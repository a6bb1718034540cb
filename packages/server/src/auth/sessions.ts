// Who is signed in. An approver signs in by signing, with their own key (`wsops login`), a short-lived
// delegation to a session key this server made for the challenge: the server then signs that
// approver's resolutions with the session key and attaches the delegation, so a resolution made here
// verifies as one made by the approver's own CLI, and their private key never leaves their machine.
// Everything lives in this process's memory: a restart signs everyone out.
import { createHash, generateKeyPairSync, randomBytes, timingSafeEqual } from "node:crypto";
import type { Principal } from "@workspace-ops/contracts";
import {
  delegationVerifies,
  type LoadedKey,
  type SigningDelegation,
  type UnsignedDelegation,
} from "@workspace-ops/executor";
import { publicKeyText } from "@workspace-ops/signing";
import { ApiError } from "../problem.js";

export interface ApproverSession {
  principal: Principal;
  /** The approver's own public key, which signed the delegation (listed in a profile). */
  approverKey: string;
  /** The key this server signs the approver's resolutions with. */
  sessionKey: LoadedKey;
  delegation: SigningDelegation;
  /** Sent by the web app in X-CSRF-Token with every state change made with the cookie. */
  csrfToken: string;
  expiresAt: number;
}

/** How a request proved who it is. */
export type Credential = { kind: "cookie" | "token"; session: ApproverSession };

interface Challenge {
  delegation: UnsignedDelegation;
  sessionKey: LoadedKey;
  /** Until when it may be answered (the delegation itself lasts the session's length). */
  answerBy: number;
}

export interface SessionOptions {
  /** How long a sign-in lasts (default one hour). */
  sessionSeconds: number;
  now: () => Date;
}

const CHALLENGE_SECONDS = 120;
const TICKET_SECONDS = 300;
/** Outstanding challenges kept at most (the oldest are dropped first). */
const MAX_CHALLENGES = 1000;

const secret = () => randomBytes(32).toString("base64url");
// Secrets are kept by their hash: a heap dump or a log line of the maps shows no usable cookie.
const keyOf = (value: string) => createHash("sha256").update(value).digest("base64url");

export class Sessions {
  readonly #challenges = new Map<string, Challenge>();
  readonly #tickets = new Map<string, { cookie: string; expiresAt: number }>();
  readonly #byCookie = new Map<string, ApproverSession>();
  readonly #byToken = new Map<string, ApproverSession>();
  readonly #ended = new WeakSet<ApproverSession>();

  constructor(private readonly options: SessionOptions) {}

  /** A challenge for `principal`: the delegation to sign, to a session key made for it. */
  challenge(principal: Principal, audience: string): { delegation: UnsignedDelegation; answerBy: string } {
    this.#prune();
    const pair = generateKeyPairSync("ed25519");
    const sessionKey: LoadedKey = {
      privateKey: pair.privateKey,
      publicKey: publicKeyText(pair.publicKey),
      path: "(wsops serve session key, in memory)",
    };
    const now = this.options.now().getTime();
    const delegation: UnsignedDelegation = {
      principal,
      delegate: sessionKey.publicKey,
      audience,
      nonce: randomBytes(24).toString("base64url"),
      issuedAt: new Date(now).toISOString(),
      expiresAt: new Date(now + this.options.sessionSeconds * 1000).toISOString(),
    };
    if (this.#challenges.size >= MAX_CHALLENGES) {
      const oldest = this.#challenges.keys().next().value;
      if (oldest !== undefined) this.#challenges.delete(oldest);
    }
    const answerBy = now + CHALLENGE_SECONDS * 1000;
    this.#challenges.set(delegation.nonce, { delegation, sessionKey, answerBy });
    return { delegation, answerBy: new Date(answerBy).toISOString() };
  }

  /**
   * Signs in with the challenge's delegation signed by the approver's key, which `listedKeys` (the
   * keys the profiles list for the principal) must hold. The challenge is used up either way.
   */
  login(
    signed: SigningDelegation,
    listedKeys: readonly string[],
  ): { session: ApproverSession; ticket: string; token: string } {
    const challenge = this.#challenges.get(signed.nonce);
    this.#challenges.delete(signed.nonce);
    const now = this.options.now().getTime();
    if (!challenge || now > challenge.answerBy)
      throw new ApiError(401, "challenge_unknown", "no such challenge, or it expired: ask for a new one");
    const asked = challenge.delegation;
    const same =
      signed.principal.type === asked.principal.type &&
      signed.principal.id === asked.principal.id &&
      signed.delegate === asked.delegate &&
      signed.audience === asked.audience &&
      signed.issuedAt === asked.issuedAt &&
      signed.expiresAt === asked.expiresAt;
    if (!same)
      throw new ApiError(
        401,
        "challenge_mismatch",
        "the delegation signed is not the one the challenge asked for",
      );
    if (!delegationVerifies(signed))
      throw new ApiError(
        401,
        "signature_invalid",
        `the delegation does not verify with ${signed.signature.publicKey}`,
      );
    if (!listedKeys.includes(signed.signature.publicKey))
      throw new ApiError(
        403,
        "approver_not_listed",
        `${signed.principal.type}:${signed.principal.id} with key ${signed.signature.publicKey} is not an approver of any profile of this workspace`,
      );
    const session: ApproverSession = {
      principal: signed.principal,
      approverKey: signed.signature.publicKey,
      sessionKey: challenge.sessionKey,
      delegation: signed,
      csrfToken: secret(),
      expiresAt: Date.parse(signed.expiresAt),
    };
    const cookie = secret();
    const token = secret();
    const ticket = secret();
    this.#byCookie.set(keyOf(cookie), session);
    this.#byToken.set(keyOf(token), session);
    this.#tickets.set(keyOf(ticket), { cookie, expiresAt: now + TICKET_SECONDS * 1000 });
    return { session, ticket, token };
  }

  /** The cookie value a one-time login link stands for; the link is used up. */
  redeem(ticket: string): { cookie: string; session: ApproverSession } | null {
    const key = keyOf(ticket);
    const found = this.#tickets.get(key);
    this.#tickets.delete(key);
    if (!found || this.options.now().getTime() > found.expiresAt) return null;
    const session = this.#live(this.#byCookie, found.cookie);
    return session ? { cookie: found.cookie, session } : null;
  }

  byCookie(value: string): ApproverSession | null {
    return this.#live(this.#byCookie, value);
  }

  byToken(value: string): ApproverSession | null {
    return this.#live(this.#byToken, value);
  }

  /** Signs out: the session's cookie and token stop working, and so do its open event streams. */
  end(session: ApproverSession): void {
    this.#ended.add(session);
    for (const map of [this.#byCookie, this.#byToken])
      for (const [key, value] of map) if (value === session) map.delete(key);
  }

  /** Whether a session is still signed in (not ended, not expired): a long-lived stream asks again. */
  live(session: ApproverSession): boolean {
    return !this.#ended.has(session) && this.options.now().getTime() < session.expiresAt;
  }

  #live(map: Map<string, ApproverSession>, value: string): ApproverSession | null {
    const key = keyOf(value);
    const session = map.get(key);
    if (!session) return null;
    if (this.options.now().getTime() >= session.expiresAt) {
      map.delete(key);
      return null;
    }
    return session;
  }

  #prune(): void {
    const now = this.options.now().getTime();
    for (const [nonce, c] of this.#challenges) if (now > c.answerBy) this.#challenges.delete(nonce);
    for (const [key, t] of this.#tickets) if (now > t.expiresAt) this.#tickets.delete(key);
    for (const map of [this.#byCookie, this.#byToken])
      for (const [key, s] of map) if (now >= s.expiresAt) map.delete(key);
  }
}

/** Compares two secrets in constant time. */
export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
