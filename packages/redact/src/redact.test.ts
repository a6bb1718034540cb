import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  createRedactor,
  defaultRules,
  type RedactionRule,
  redact,
  redactorVersion,
  redactText,
} from "./index.js";

const now = () => new Date("2026-11-21T12:30:00Z");
const at = { redactedAt: "2026-11-21T12:30:00.000Z", redactorVersion: "0.1.0" };
const nothing = { ...at, rules: [], totalRedactions: 0 };

const ghp = `ghp_${"a1B2c3D4e5".repeat(3)}F6g7H8`;
const awsKeyId = ["AKIA", "IOSFODNN7EXAMPLE"].join("");
const slack = ["xoxb", "123456789012", "1234567890123", "AbCdEfGhIjKlMnOpQrStUvWx"].join("-");
const openaiKey = `sk-proj-${"Ab12Cd34Ef56Gh78".repeat(3)}`;
const jwt = [
  "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9",
  "eyJzdWIiOiIxMjM0NTY3ODkwIiwiaWF0IjoxNTE2MjM5MDIyfQ",
  "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
].join(".");

function mixedDocument() {
  return {
    kind: "diagnostics",
    env: {
      GITHUB_TOKEN: ghp,
      HOME: "/home/agent",
      AWS_ACCESS_KEY_ID: awsKeyId,
      DATABASE_URL: "postgres://app:pw0rd@db.internal/app",
    },
    logs: [
      "12:00:01 INFO start mode=governed",
      `12:00:02 WARN retry with Authorization: Bearer ${jwt}`,
      "12:00:03 DEBUG password=hunter2 user=bob",
      `12:00:04 DEBUG slack ${slack} and ${slack}`,
    ],
    config: {
      provider: { apiKey: openaiKey, model: "gpt-x", nested: [{ deeper: { clientSecret: { id: 1 } } }] },
    },
    count: 3,
    ok: true,
    none: null,
  };
}

const mixedRedacted = {
  kind: "diagnostics",
  env: {
    GITHUB_TOKEN: "[REDACTED:sensitive-key]",
    HOME: "/home/agent",
    AWS_ACCESS_KEY_ID: "[REDACTED:aws-access-key]",
    DATABASE_URL: "postgres://[REDACTED:url-credentials]@db.internal/app",
  },
  logs: [
    "12:00:01 INFO start mode=governed",
    "12:00:02 WARN retry with Authorization: Bearer [REDACTED:jwt]",
    "12:00:03 DEBUG password=[REDACTED:generic-secret] user=bob",
    "12:00:04 DEBUG slack [REDACTED:slack-token] and [REDACTED:slack-token]",
  ],
  config: {
    provider: {
      apiKey: "[REDACTED:sensitive-key]",
      model: "gpt-x",
      nested: [{ deeper: { clientSecret: "[REDACTED:sensitive-key]" } }],
    },
  },
  count: 3,
  ok: true,
  none: null,
};

describe("redact", () => {
  it("redacts a mixed document with an exact report", () => {
    expect(redact(mixedDocument(), { now })).toEqual({
      value: mixedRedacted,
      report: {
        ...at,
        rules: [
          { rule: "aws-access-key", count: 1 },
          { rule: "generic-secret", count: 1 },
          { rule: "jwt", count: 1 },
          { rule: "sensitive-key", count: 3 },
          { rule: "slack-token", count: 2 },
          { rule: "url-credentials", count: 1 },
        ],
        totalRedactions: 9,
      },
    });
  });

  it("is idempotent", () => {
    const once = redact(mixedDocument(), { now }).value;
    expect(redact(once, { now })).toEqual({ value: mixedRedacted, report: nothing });
    const text = redactText(JSON.stringify(mixedDocument(), null, 2), { now }).text;
    expect(redactText(text, { now })).toEqual({ text, report: nothing });
  });

  it("does not mutate its input and returns new containers", () => {
    const input = mixedDocument();
    const before = structuredClone(input);
    const { value } = redact(input, { now });
    expect(input).toEqual(before);
    expect(value).not.toBe(input);
    expect(value.env).not.toBe(input.env);
    expect(value.logs).not.toBe(input.logs);
    expect(value.config.provider.nested[0]).not.toBe(input.config.provider.nested[0]);
  });

  it("works on deeply frozen input", () => {
    const freeze = (v: unknown): unknown => {
      if (v && typeof v === "object") {
        for (const child of Object.values(v)) freeze(child);
        Object.freeze(v);
      }
      return v;
    };
    expect(redact(freeze(mixedDocument()), { now }).value).toEqual(mixedRedacted);
  });

  it("redacts sensitive keys at depth and inside arrays of objects", () => {
    const input = { a: { b: { c: { d: { e: [{ f: [{ db_password: "p4ss", keep: "x" }] }] } } } } };
    expect(redact(input, { now })).toEqual({
      value: {
        a: { b: { c: { d: { e: [{ f: [{ db_password: "[REDACTED:sensitive-key]", keep: "x" }] }] } } } },
      },
      report: { ...at, rules: [{ rule: "sensitive-key", count: 1 }], totalRedactions: 1 },
    });
  });

  it("walks arrays (nested, mixed, sparse) and keeps other primitives", () => {
    // biome-ignore lint/suspicious/noSparseArray: a hole must stay a hole
    const input = [["token=abc", 1, true, null, undefined, 10n], [[`key ${ghp}`]], , "plain"];
    const { value, report } = redact(input, { now });
    // biome-ignore lint/suspicious/noSparseArray: a hole must stay a hole
    expect(value).toEqual([
      ["token=[REDACTED:generic-secret]", 1, true, null, undefined, 10n],
      [["key [REDACTED:github-token]"]],
      ,
      "plain",
    ]);
    expect(2 in value).toBe(false);
    expect(value).toHaveLength(4);
    expect(report.totalRedactions).toBe(2);
  });

  it("redacts top-level strings and passes top-level primitives through", () => {
    expect(redact(`GITHUB_TOKEN=${ghp}`, { now })).toEqual({
      value: "GITHUB_TOKEN=[REDACTED:github-token]",
      report: { ...at, rules: [{ rule: "github-token", count: 1 }], totalRedactions: 1 },
    });
    for (const v of [42, false, null, undefined])
      expect(redact(v, { now })).toEqual({ value: v, report: nothing });
  });

  it("keeps a __proto__ key as data and never touches prototypes", () => {
    const input = JSON.parse(
      '{"__proto__":{"polluted":"yes","password":"x"},"constructor":{"prototype":{"token":"t"}},"a":"token=abc"}',
    ) as Record<string, unknown>;
    const { value, report } = redact(input, { now });
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.keys(value)).toEqual(["__proto__", "constructor", "a"]);
    expect(Object.getOwnPropertyDescriptor(value, "__proto__")?.value).toEqual({
      polluted: "yes",
      password: "[REDACTED:sensitive-key]",
    });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(JSON.stringify(value)).toBe(
      '{"__proto__":{"polluted":"yes","password":"[REDACTED:sensitive-key]"},' +
        '"constructor":{"prototype":{"token":"[REDACTED:sensitive-key]"}},"a":"token=[REDACTED:generic-secret]"}',
    );
    expect(report.rules).toEqual([
      { rule: "generic-secret", count: 1 },
      { rule: "sensitive-key", count: 2 },
    ]);
  });

  it("handles 100 000 levels of nesting without recursion", () => {
    const depth = 100_000;
    let input: unknown = { password: "x", note: "token=abc" };
    for (let i = 0; i < depth; i++) input = i % 2 ? [input] : { child: input };
    const { value, report } = redact(input, { now });
    let node: unknown = value;
    for (let i = depth - 1; i >= 0; i--)
      node = i % 2 ? (node as unknown[])[0] : (node as { child: unknown }).child;
    expect(node).toEqual({ password: "[REDACTED:sensitive-key]", note: "token=[REDACTED:generic-secret]" });
    expect(report).toEqual({
      ...at,
      rules: [
        { rule: "generic-secret", count: 1 },
        { rule: "sensitive-key", count: 1 },
      ],
      totalRedactions: 2,
    });
  });

  it("keeps shared references shared and cycles cyclic, redacting each object once", () => {
    const shared = { token: "t", note: "x" };
    const cyclic: Record<string, unknown> = { a: shared, b: shared };
    cyclic.self = cyclic;
    const { value, report } = redact(cyclic, { now });
    expect(value.self).toBe(value);
    expect(value.a).toBe(value.b);
    expect(value.a).toEqual({ token: "[REDACTED:sensitive-key]", note: "x" });
    expect(report.totalRedactions).toBe(1);
  });

  it("uses toJSON as JSON.stringify does", () => {
    class Secretive {
      toJSON() {
        return { password: "x", at: new Date("2026-01-02T03:04:05Z") };
      }
    }
    const { value } = redact({ when: new Date("2026-11-21T12:00:00Z"), obj: new Secretive() }, { now });
    expect(value).toEqual({
      when: "2026-11-21T12:00:00.000Z",
      obj: { password: "[REDACTED:sensitive-key]", at: "2026-01-02T03:04:05.000Z" },
    });
  });

  it("reports the clock's time, or the current time by default", () => {
    const before = Date.now();
    const { report } = redactText("nothing");
    expect(Date.parse(report.redactedAt)).toBeGreaterThanOrEqual(before);
    expect(report.redactedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });

  it("reports the package version", () => {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
      version: string;
    };
    expect(redactorVersion).toBe(pkg.version);
    expect(redactText("x").report.redactorVersion).toBe(pkg.version);
  });

  it("rejects non-string text", () => {
    expect(() => redactText(42 as unknown as string)).toThrow(TypeError);
  });
});

describe("custom rules", () => {
  const ticket: RedactionRule = {
    id: "acme.ticket:secret",
    description: "ACME ticket secrets; keeps the prefix",
    pattern: /\bACME-(?<secret>[0-9]{6})\b/, // not global: redaction always runs it as global
  };
  const email: RedactionRule = { id: "pii-email", description: "email fields", keys: /^e-?mail$/i };

  it("replace only the secret group, on every match, and never touch the caller's RegExp", () => {
    const pattern = /ACME-(?<secret>[0-9]{6})/gy;
    pattern.lastIndex = 3;
    const sticky = { ...ticket, id: "sticky", pattern };
    expect(redactText("ref ACME-123456 and ACME-654321, ACME-12", { rules: [ticket], now })).toEqual({
      text: "ref ACME-[REDACTED:acme.ticket:secret] and ACME-[REDACTED:acme.ticket:secret], ACME-12",
      report: { ...at, rules: [{ rule: "acme.ticket:secret", count: 2 }], totalRedactions: 2 },
    });
    expect(redactText("x ACME-123456", { rules: [sticky], now }).text).toBe("x ACME-[REDACTED:sticky]");
    expect(pattern.lastIndex).toBe(3);
  });

  it("combine with the defaults, in order", () => {
    const { value, report } = redact(
      { Email: "a@b.example", note: "ACME-123456 password=pw1", token: "t" },
      { rules: [ticket, ...defaultRules, email], now },
    );
    expect(value).toEqual({
      Email: "[REDACTED:pii-email]",
      note: "ACME-[REDACTED:acme.ticket:secret] password=[REDACTED:generic-secret]",
      token: "[REDACTED:sensitive-key]",
    });
    expect(report.rules.map((r) => r.rule)).toEqual([
      "acme.ticket:secret",
      "generic-secret",
      "pii-email",
      "sensitive-key",
    ]);
  });

  it("replace the whole match without a secret group, and skip empty matches", () => {
    const rules = [{ id: "xs", description: "runs of x", pattern: /x*/g }];
    expect(redactText("axxbxc", { rules, now })).toEqual({
      text: "a[REDACTED:xs]b[REDACTED:xs]c",
      report: { ...at, rules: [{ rule: "xs", count: 2 }], totalRedactions: 2 },
    });
  });

  it("can never rewrite an existing marker, so even greedy rules are idempotent", () => {
    const rules = [{ id: "word", description: "the word REDACTED", pattern: /REDACTED|jwt/g }];
    const once = redactText("[REDACTED:jwt] REDACTED", { rules, now });
    expect(once.text).toBe("[REDACTED:jwt] [REDACTED:word]");
    expect(redactText(once.text, { rules, now })).toEqual({ text: once.text, report: nothing });
  });

  it("ignore keys-only rules in text", () => {
    expect(redactText("email: a@b.example", { rules: [email], now })).toEqual({
      text: "email: a@b.example",
      report: nothing,
    });
  });

  it("are validated", () => {
    const bad = (rules: RedactionRule[]) => () => redactText("x", { rules });
    for (const id of ["", "-lead", "has space", "a".repeat(129), "slash/y", "new\nline"])
      expect(bad([{ id, description: "d", pattern: /x/g }])).toThrow(TypeError);
    expect(bad([{ id: "a".repeat(128), description: "d", pattern: /x/g }])).not.toThrow();
    expect(bad([ticket, ticket])).toThrow(/duplicate/);
    expect(bad([{ id: "empty", description: "d" }])).toThrow(/neither/);
    const many = Array.from({ length: 257 }, (_, i) => ({ id: `r${i}`, description: "d", pattern: /x/g }));
    expect(bad(many)).toThrow(/at most 256/);
    expect(bad(many.slice(0, 256))).not.toThrow();
  });
});

describe("adversarial input", () => {
  const MB = 1 << 20;
  const fill = (unit: string) => unit.repeat(Math.ceil(MB / unit.length)).slice(0, MB);
  // Each is 1 MiB (plus a prefix) shaped to make a careless pattern backtrack; every pattern uses bounded
  // quantifiers, so each finishes in well under the default test timeout.
  const inputs: [string, string][] = [
    ["PEM headers without ends", fill("-----BEGIN PRIVATE KEY-----")],
    ["PEM header then a huge body", `-----BEGIN RSA PRIVATE KEY-----\n${fill("A-")}`],
    ["dashes", fill("-")],
    ["JWT-like runs", fill("eyJaaaaaa.eyJ")],
    ["one huge JWT header", `eyJ${fill("a")}`],
    ["URL without @", `a://${fill("a:")}`],
    ["schemes", fill("abcdefghijklmnopqrstuvwxyzabcdef.:")],
    ["assignments", fill("password=")],
    ["unterminated quote", `password="${fill("\\")}`],
    ["key-like runs", fill("password_")],
    ["CLI flags", fill("--password ")],
    ["dotted runs", fill("a.")],
    ["sk- runs", fill("sk-")],
    ["bearer without digits", `bearer ${fill("a")}`],
    ["bearers", fill("Bearer ")],
    ["authorization headers", fill("authorization: basic ")],
    ["marker prefixes", fill("[REDACTED:")],
    ["one long marker-like run", `[REDACTED:${fill("a")}`],
    ["quotes and backslashes", fill('"\\')],
    ["mixed", fill("a=b; \"c\": 'd' --e f:g@h/i?j#k [l] {m} eyJ.sk-1 Bearer 1 ://")],
  ];

  it.each(inputs)("%s completes", (_, text) => {
    const { text: out, report } = redactText(text);
    expect(typeof out).toBe("string");
    expect(report.totalRedactions).toBeGreaterThanOrEqual(0);
  });

  it("a 1 MiB string inside a value completes", () => {
    const { value } = redact({ log: fill("token=a ") });
    expect(value.log.startsWith("token=[REDACTED:generic-secret] ")).toBe(true);
  });
});

describe("createRedactor", () => {
  const token = `ghp_${"a1B2c3D4e5".repeat(3)}F6g7H8`;

  it("compiles once and reports each call on its own, counting a repeated string every time", () => {
    const redactor = createRedactor({ now });
    const value = { a: `GITHUB_TOKEN=${token}`, b: [`GITHUB_TOKEN=${token}`, "plain"] };
    const expected = {
      value: {
        a: "GITHUB_TOKEN=[REDACTED:github-token]",
        b: ["GITHUB_TOKEN=[REDACTED:github-token]", "plain"],
      },
      report: {
        redactedAt: "2026-11-21T12:30:00.000Z",
        redactorVersion: "0.1.0",
        rules: [{ rule: "github-token", count: 2 }],
        totalRedactions: 2,
      },
    };
    expect(redactor.redact(value)).toEqual(expected);
    // The second call replays what it remembers, with the same result and its own report.
    expect(redactor.redact(value)).toEqual(expected);
    expect(redactor.redactText("plain")).toEqual({
      text: "plain",
      report: { ...expected.report, rules: [], totalRedactions: 0 },
    });
    expect(redact(value, { now })).toEqual(expected);
  });

  it("compiles the rules once and counts each call afresh, as redact does", () => {
    const redactor = createRedactor({ now });
    const document = { token: ghp, note: `key ${awsKeyId}` };
    const first = redactor.redact(document);
    expect(first).toEqual(redact(document, { now }));
    expect(redactor.redact(document).report).toEqual(first.report);
    expect(redactor.redactText(`id ${awsKeyId}`)).toEqual(redactText(`id ${awsKeyId}`, { now }));
    expect(() => redactor.redactText(1 as unknown as string)).toThrow(
      "redactText expects a string, got number",
    );
    expect(() => createRedactor({ rules: [{ id: "bad id", description: "x", pattern: /x/ }] })).toThrow(
      'redaction rule id "bad id" is not an Identifier',
    );
  });
});
