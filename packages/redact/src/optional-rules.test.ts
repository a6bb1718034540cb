import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { highEntropyRule, homePathRule, looksRandom, redactText, userNameRule } from "./index.js";

const now = () => new Date("2026-11-21T12:30:00Z");
const report = (rules: { rule: string; count: number }[]) => ({
  redactedAt: "2026-11-21T12:30:00.000Z",
  redactorVersion: "0.1.0",
  rules,
  totalRedactions: rules.reduce((n, r) => n + r.count, 0),
});

/** Deterministic base62 tokens: bytes of sha256(seed, i) mapped onto the alphabet, so the test never flakes. */
function randomTokens(count: number, length: number, seed = "wsops"): string[] {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  return Array.from({ length: count }, (_, i) => {
    let bytes = Buffer.alloc(0);
    for (let block = 0; bytes.length < length * 2; block++)
      bytes = Buffer.concat([bytes, createHash("sha256").update(`${seed}:${i}:${block}`).digest()]);
    // Two bytes per character keep the modulo bias below 0.1%.
    return Array.from({ length }, (_, k) => alphabet[bytes.readUInt16BE(2 * k) % 62]).join("");
  });
}

describe("highEntropyRule", () => {
  it("replaces a random-looking token and keeps what surrounds it", () => {
    const token = "q7Rk2VbX9mWz4TnLp8sYd3Hf6JcG";
    expect(redactText(`session=${token}; path=/`, { rules: [highEntropyRule], now })).toEqual({
      text: "session=[REDACTED:high-entropy]; path=/",
      report: report([{ rule: "high-entropy", count: 1 }]),
    });
  });

  it("catches nearly every random base62 token of 32 or more characters", () => {
    for (const [length, atLeast] of [
      [32, 0.95],
      [40, 0.98],
      [64, 0.99],
    ] as const) {
      const caught = randomTokens(1000, length).filter(looksRandom).length / 1000;
      expect(caught, `length ${length}`).toBeGreaterThanOrEqual(atLeast);
    }
  });

  it("leaves identifiers, digests, uuids, ids and short tokens alone", () => {
    const text = [
      "ToolExecutionRequest2Builder AbstractSingletonProxyFactoryBean1 iPhone15ProMaxDisplayBrightness",
      "claude-sonnet-4-5-20250929-Preview ckpt-20261120-step4000-Final node_modules_Cache2Entry",
      "sha256:5203175f8fa60d45b5e0e6da52b6af0cd83ceb89a5d152f0b7febaf7bbe1dc51",
      "texec-0b6f3c1e-5a44-4c1b-9d0e-3f2a9c1b7e21 4bf92f3577b34da6a3ce929d0e0e4736",
      "Short1Token2Here3 all_lower_case_identifier_with_digits_123",
    ].join("\n");
    expect(redactText(text, { rules: [highEntropyRule], now })).toEqual({ text, report: report([]) });
  });
});

describe("homePathRule", () => {
  it("replaces the user name of home directories and keeps the rest of the path", () => {
    expect(
      redactText("cd /home/alice/src && ls /Users/bob.smith/Desktop /homes/x /root", {
        rules: [homePathRule],
        now,
      }),
    ).toEqual({
      text: "cd /home/[REDACTED:home-path]/src && ls /Users/[REDACTED:home-path]/Desktop /homes/x /root",
      report: report([{ rule: "home-path", count: 2 }]),
    });
  });
});

describe("userNameRule", () => {
  it("replaces the names as words, longest first, and nothing inside other words", () => {
    const rule = userNameRule(["al", "alice", ""]);
    expect(redactText("alice and al met malice; alice-dev", { rules: [rule], now })).toEqual({
      text: "[REDACTED:user-name] and [REDACTED:user-name] met malice; [REDACTED:user-name]-dev",
      report: report([{ rule: "user-name", count: 3 }]),
    });
  });

  it("escapes names that hold regular-expression characters", () => {
    const rule = userNameRule(["a.b+c"]);
    expect(redactText("a.b+c axbbc", { rules: [rule], now }).text).toBe("[REDACTED:user-name] axbbc");
  });

  it("refuses an empty list", () => {
    expect(() => userNameRule([""])).toThrow("userNameRule needs at least one non-empty name");
  });
});

describe("accept", () => {
  it("must be a function", () => {
    expect(() =>
      redactText("x", { rules: [{ id: "r", description: "r", pattern: /x/g, accept: 1 as never }] }),
    ).toThrow("redaction rule r: accept must be a function");
  });
});
