import { createRedactor, defaultRules } from "@workspace-ops/redact";
import { describe, expect, it } from "vitest";
import { envValueRule } from "./env-values.js";
import { redactBatch } from "./redact-batch.js";

const now = () => new Date("2026-11-21T12:00:00Z");
const redactor = createRedactor({ now });
const ghp = `ghp_${"a1B2c3D4e5".repeat(4)}`;
const report = (rules: { rule: string; count: number }[]) => ({
  redactedAt: "2026-11-21T12:00:00.000Z",
  redactorVersion: "0.1.0",
  rules,
  totalRedactions: rules.reduce((n, r) => n + r.count, 0),
});

describe("redactBatch", () => {
  it("redacts every record, audit record and usage record, and records what it replaced per subject", () => {
    const batch = redactBatch(
      {
        appends: [
          {
            stream: "texec-1",
            records: [
              {
                type: "request",
                data: { request: { tool: { argv: ["curl", "-H", `Authorization: Bearer ${ghp}`] } } },
              },
              { type: "decision", data: { decision: "allow" } },
              { type: "result", data: { output: { stdout: { preview: `token=${ghp}\n` } } } },
            ],
            expectSeq: 1,
          },
        ],
        audit: [
          { type: "request", subject: "texec-1", data: { kind: "ToolExecutionRequest" } },
          { type: "result", subject: "texec-1", data: { output: { stdout: { preview: `token=${ghp}\n` } } } },
          { type: "approval_refused", subject: "texec-2", data: { resolution: { comment: `ok ${ghp}` } } },
        ],
        usage: [{ persona: "coder", occurredAt: "2026-11-21T12:00:00Z", data: { apiKey: "k-123456789" } }],
      },
      redactor,
    );
    expect(batch.appends?.[0]?.records).toEqual([
      {
        type: "request",
        data: {
          request: { tool: { argv: ["curl", "-H", "Authorization: Bearer [REDACTED:github-token]"] } },
        },
      },
      { type: "decision", data: { decision: "allow" } },
      { type: "result", data: { output: { stdout: { preview: "token=[REDACTED:github-token]\n" } } } },
      {
        type: "redaction",
        data: {
          records: [
            { type: "request", rules: [{ rule: "github-token", count: 1 }] },
            { type: "result", rules: [{ rule: "github-token", count: 1 }] },
          ],
          audit: [{ type: "result", rules: [{ rule: "github-token", count: 1 }] }],
          report: report([{ rule: "github-token", count: 3 }]),
        },
      },
    ]);
    expect(batch.appends?.[0]?.expectSeq).toBe(1);
    expect(batch.usage?.[0]?.data).toEqual({ apiKey: "[REDACTED:sensitive-key]" });
    expect(batch.audit?.map((a) => [a.type, a.subject])).toEqual([
      ["request", "texec-1"],
      ["result", "texec-1"],
      ["approval_refused", "texec-2"],
      ["redaction", "texec-1"],
      ["redaction", "texec-2"],
      ["redaction", "coder"],
    ]);
    expect(batch.audit?.[2]?.data).toEqual({ resolution: { comment: "ok [REDACTED:github-token]" } });
    expect(batch.audit?.[4]?.data).toEqual({
      records: [],
      audit: [{ type: "approval_refused", rules: [{ rule: "github-token", count: 1 }] }],
      report: report([{ rule: "github-token", count: 1 }]),
    });
    expect(JSON.stringify(batch)).not.toContain(ghp);
  });

  it("adds nothing when there is nothing to replace", () => {
    const input = {
      appends: [{ stream: "s", records: [{ type: "t", data: { argv: ["ls", "-la"] } }] }],
      audit: [{ type: "t", subject: "s", data: { argv: ["ls", "-la"] } }],
    };
    expect(redactBatch(input, redactor)).toEqual(input);
  });

  it("redacts the text of a classification's decisive word, never the whole word as a key's value", () => {
    const decision = (token: string) => ({
      decision: "deny",
      classification: {
        class: "mutating",
        parts: [{ index: 0, class: "mutating", source: "redirect", entry: "redirects", token }],
      },
    });
    const batch = redactBatch(
      {
        appends: [
          { stream: "s", records: [{ type: "decision", data: decision(">notes.txt") }] },
          { stream: "t", records: [{ type: "decision", data: decision(`--token=${ghp}`) }] },
        ],
      },
      redactor,
    );
    expect(batch.appends?.map((a) => a.records[0]?.data)).toEqual([
      decision(">notes.txt"),
      decision("--token=[REDACTED:github-token]"),
    ]);
  });
});

describe("envValueRule", () => {
  it("matches the values of secret-named variables literally, longest first, and nothing else", () => {
    const rule = envValueRule({
      DEPLOY_TOKEN: "plain-looking-value.1",
      DB_PASSWORD: "plain-looking",
      OPENAI_API_KEY: "x+y(z)*[1]",
      SHORT_TOKEN: "abc",
      HOME: "/home/someone-long",
      PATH: "/usr/bin",
    });
    const env = createRedactor({ rules: [rule as NonNullable<typeof rule>, ...defaultRules], now });
    expect(
      env.redactText("a plain-looking-value.1 b plain-looking c x+y(z)*[1] d /home/someone-long abc"),
    ).toEqual({
      text: "a [REDACTED:env-value] b [REDACTED:env-value] c [REDACTED:env-value] d /home/someone-long abc",
      report: report([{ rule: "env-value", count: 3 }]),
    });
    expect(envValueRule({ HOME: "/root", PATH: "/bin" })).toBeNull();
  });
});
