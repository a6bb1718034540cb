import { describe, expect, it } from "vitest";
import {
  decideConnection,
  isPublicAddress,
  matchEntry,
  normalizeHost,
  parseAllowlist,
  type Resolver,
} from "./allowlist.js";

const entries = parseAllowlist([
  "registry.npmjs.org",
  "*.githubusercontent.com",
  "ghcr.io:443",
  "localhost:5432",
]);

/** A DNS that answers from a table, for names this machine cannot resolve (the rebinding cases). */
const dns =
  (table: Record<string, string[]>): Resolver =>
  async (host) => {
    const answers = table[host];
    if (!answers) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: "ENOTFOUND" });
    return answers.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
  };

describe("parseAllowlist and matchEntry", () => {
  it("reads host, wildcard and port; no port means 80 and 443", () => {
    expect(entries).toEqual([
      { host: "registry.npmjs.org", wildcard: false, port: null },
      { host: "githubusercontent.com", wildcard: true, port: null },
      { host: "ghcr.io", wildcard: false, port: 443 },
      { host: "localhost", wildcard: false, port: 5432 },
    ]);
    expect(matchEntry(entries, "registry.npmjs.org", 443)).toBe(entries[0]);
    expect(matchEntry(entries, "registry.npmjs.org", 80)).toBe(entries[0]);
    expect(matchEntry(entries, "registry.npmjs.org", 22)).toBeNull();
    expect(matchEntry(entries, "ghcr.io", 80)).toBeNull();
    expect(matchEntry(entries, "localhost", 5432)).toBe(entries[3]);
    expect(matchEntry(entries, "localhost", 5433)).toBeNull();
  });

  it("lets a wildcard admit subdomains at any depth, never the bare domain or a look-alike", () => {
    expect(matchEntry(entries, "raw.githubusercontent.com", 443)).toBe(entries[1]);
    expect(matchEntry(entries, "a.b.githubusercontent.com", 443)).toBe(entries[1]);
    expect(matchEntry(entries, "githubusercontent.com", 443)).toBeNull();
    expect(matchEntry(entries, "evilgithubusercontent.com", 443)).toBeNull();
    expect(matchEntry(entries, "githubusercontent.com.evil.example", 443)).toBeNull();
  });

  it("compares case-insensitively, without a trailing dot or IPv6 brackets", () => {
    expect(normalizeHost("Registry.NPMJS.org.")).toBe("registry.npmjs.org");
    expect(normalizeHost("[::1]")).toBe("::1");
    expect(matchEntry(entries, "REGISTRY.npmjs.org.", 443)).toBe(entries[0]);
  });
});

describe("isPublicAddress", () => {
  it("accepts plain unicast only", () => {
    const verdicts = Object.fromEntries(
      [
        "104.16.24.34",
        "2606:4700::6810:1822",
        "127.0.0.1",
        "127.1.2.3",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "224.0.0.1",
        "::1",
        "::",
        "fe80::1",
        "fd00::1",
        "::ffff:127.0.0.1",
        "::ffff:104.16.24.34",
        "not-an-address",
      ].map((a) => [a, isPublicAddress(a)]),
    );
    expect(verdicts).toEqual({
      "104.16.24.34": true,
      "2606:4700::6810:1822": true,
      "127.0.0.1": false,
      "127.1.2.3": false,
      "10.1.2.3": false,
      "172.16.0.1": false,
      "192.168.1.1": false,
      "169.254.169.254": false,
      "100.64.0.1": false,
      "0.0.0.0": false,
      "224.0.0.1": false,
      "::1": false,
      "::": false,
      "fe80::1": false,
      "fd00::1": false,
      "::ffff:127.0.0.1": false,
      "::ffff:104.16.24.34": true,
      "not-an-address": false,
    });
  });
});

describe("decideConnection", () => {
  it("allows an allowlisted name and pins the address it resolved to", async () => {
    expect(
      await decideConnection(
        entries,
        "registry.npmjs.org",
        443,
        dns({ "registry.npmjs.org": ["104.16.24.34"] }),
      ),
    ).toEqual({ allowed: true, reason: "allowlisted", address: "104.16.24.34", family: 4 });
  });

  it("refuses a name no entry admits without resolving it", async () => {
    let asked = false;
    const verdict = await decideConnection(entries, "example.com", 443, async () => {
      asked = true;
      return [{ address: "93.184.216.34", family: 4 }];
    });
    expect({ verdict, asked }).toEqual({
      verdict: { allowed: false, reason: "not_allowlisted" },
      asked: false,
    });
  });

  it("never lets a wildcard reach loopback or the private network (DNS rebinding)", async () => {
    const rebinding = dns({
      "evil.githubusercontent.com": ["127.0.0.1"],
      "mixed.githubusercontent.com": ["10.0.0.5", "185.199.108.133"],
    });
    expect(await decideConnection(entries, "evil.githubusercontent.com", 443, rebinding)).toEqual({
      allowed: false,
      reason: "private_address",
    });
    // Of several answers, only a public one is used.
    expect(await decideConnection(entries, "mixed.githubusercontent.com", 443, rebinding)).toEqual({
      allowed: true,
      reason: "allowlisted",
      address: "185.199.108.133",
      family: 4,
    });
  });

  it("lets an exact entry reach a loopback address, resolved by the system's own resolver", async () => {
    expect(await decideConnection(entries, "localhost", 5432)).toMatchObject({
      allowed: true,
      address: expect.stringMatching(/^(127\.0\.0\.1|::1)$/),
    });
  });

  it("judges an IP literal as itself, and an unknown name as unresolvable", async () => {
    const literal = parseAllowlist(["10.9.8.7:8080", "*.internal.test"]);
    expect(await decideConnection(literal, "10.9.8.7", 8080)).toEqual({
      allowed: true,
      reason: "allowlisted",
      address: "10.9.8.7",
      family: 4,
    });
    expect(await decideConnection(literal, "10.9.8.7", 80)).toEqual({
      allowed: false,
      reason: "not_allowlisted",
    });
    expect(await decideConnection(literal, "nowhere.internal.test", 443, dns({}))).toEqual({
      allowed: false,
      reason: "unresolvable",
    });
  });
});
