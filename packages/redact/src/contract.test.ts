import { createHash } from "node:crypto";
import { type RedactionReport as ContractRedactionReport, validate } from "@workspace-ops/contracts";
import { describe, expect, it } from "vitest";
import { defaultRules, type RedactionReport, redact } from "./index.js";

const now = () => new Date("2026-11-21T12:30:00Z");
const ghp = `ghp_${"a1B2c3D4e5".repeat(3)}F6g7H8`;
const digest = (text: string) => `sha256:${createHash("sha256").update(text, "utf8").digest("hex")}`;

/** An AgentMachineDiagnosticBundle around redacted entries and their report (adapted from examples/…/valid). */
function bundle(entries: { path: string; contentType: string; content: string }[], report: RedactionReport) {
  return {
    kind: "AgentMachineDiagnosticBundle",
    apiVersion: "workspace-ops.dev/v1",
    bundleId: "diag-20261121-0001",
    createdAt: "2026-11-21T12:30:01Z",
    workspaceId: "ws-demo",
    entries: entries.map((e) => ({ ...e, digest: digest(e.content) })),
    redaction: report,
    redacted: true,
  };
}

describe("RedactionReport contract", () => {
  const files = [
    {
      path: "logs/executor.log",
      contentType: "text/plain; charset=utf-8",
      content: `2026-11-21T12:00:01Z INFO executor started mode=governed\n2026-11-21T12:00:02Z WARN env GITHUB_TOKEN=${ghp}\n`,
    },
    {
      path: "config/executor.json",
      contentType: "application/json",
      content: JSON.stringify({ mode: "governed", stateDir: ".wsops/state", apiKey: "k-0123456789" }),
    },
  ];

  it("a diagnostic bundle carrying the report validates", () => {
    const { value: contents, report } = redact(
      files.map((f) => f.content),
      { now },
    );
    expect(report).toEqual({
      redactedAt: "2026-11-21T12:30:00.000Z",
      redactorVersion: "0.1.0",
      rules: [
        { rule: "generic-secret", count: 1 },
        { rule: "github-token", count: 1 },
      ],
      totalRedactions: 2,
    });
    const entries = files.map((f, i) => ({ ...f, content: contents[i] ?? "" }));
    expect(entries.map((e) => e.content)).toEqual([
      "2026-11-21T12:00:01Z INFO executor started mode=governed\n2026-11-21T12:00:02Z WARN env GITHUB_TOKEN=[REDACTED:github-token]\n",
      '{"mode":"governed","stateDir":".wsops/state","apiKey":"[REDACTED:generic-secret]"}',
    ]);
    // Redacted JSON is still JSON.
    expect(JSON.parse(entries[1]?.content ?? "")).toMatchObject({ apiKey: "[REDACTED:generic-secret]" });
    expect(validate("AgentMachineDiagnosticBundle", bundle(entries, report))).toMatchObject({ ok: true });
  });

  it("an empty report and a report naming every default rule validate", () => {
    const entries = [{ path: "notes.txt", contentType: "text/plain", content: "nothing" }];
    const empty = redact("nothing", { now }).report;
    expect(empty.rules).toEqual([]);
    expect(validate("AgentMachineDiagnosticBundle", bundle(entries, empty))).toMatchObject({ ok: true });
    const full: RedactionReport = {
      ...empty,
      rules: defaultRules.map((r) => ({ rule: r.id, count: 1 })),
      totalRedactions: defaultRules.length,
    };
    expect(validate("AgentMachineDiagnosticBundle", bundle(entries, full))).toMatchObject({ ok: true });
  });

  it("the validator does check the report (a bad rule id fails)", () => {
    const entries = [{ path: "notes.txt", contentType: "text/plain", content: "nothing" }];
    const report = { ...redact("nothing", { now }).report, rules: [{ rule: "bad id", count: 1 }] };
    const result = validate("AgentMachineDiagnosticBundle", bundle(entries, report));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors.map((e) => e.pointer)).toContain("/redaction/rules/0/rule");
  });

  it("the TypeScript types agree with the contract's generated type", () => {
    const report = redact("x", { now }).report;
    const asContract: ContractRedactionReport = report;
    const back: RedactionReport = asContract;
    expect(back).toBe(report);
  });
});
