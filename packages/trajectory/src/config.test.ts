// The editable files of an export — the reward table and the redaction configuration — and how a mistake
// in one is reported: the file, the JSON pointer, what was expected.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defaultRules } from "@workspace-ops/redact";
import { describe, expect, it } from "vitest";
import { exportRedaction, exportRedactor, loadExportRedaction } from "./redaction.js";
import { defaultRewardTable, loadRewardTable, rewardSignals } from "./rewards.js";

const dir = mkdtempSync(join(tmpdir(), "wsops-traj-config-"));
const file = (name: string, content: unknown) => {
  const path = join(dir, name);
  writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content));
  return path;
};

describe("reward table", () => {
  it("ships a default with every signal, and names its digest", () => {
    const table = defaultRewardTable();
    expect(Object.keys(table.rewards)).toEqual([...rewardSignals]);
    expect(table).toMatchObject({
      version: 1,
      source: "rewards.default.json",
      digest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
    });
    const shipped = JSON.parse(readFileSync(new URL("../rewards.default.json", import.meta.url), "utf8"));
    expect(Object.keys(shipped.signals)).toEqual([...rewardSignals]);
  });

  it("reads an edited copy: a signal left out is worth 0, and the digest changes", async () => {
    const path = file("edited.json", { version: 2, signals: { denied_action: { reward: -2 } } });
    const table = await loadRewardTable(path);
    expect(table.rewards).toMatchObject({ denied_action: -2, task_success: 0 });
    expect(table).toMatchObject({ version: 2, source: path });
    expect(table.digest).not.toBe(defaultRewardTable().digest);
  });

  it.each([
    [
      "an unknown signal",
      { version: 1, signals: { asked_nicely: { reward: 1 } } },
      "/signals/asked_nicely",
      "Unrecognized key",
    ],
    [
      "a reward that is not a number",
      { version: 1, signals: { denied_action: { reward: "-1" } } },
      "/signals/denied_action/reward",
      "a reward is a finite number",
    ],
    ["a missing version", { signals: {} }, "/version", "expected number"],
    ["an unknown top-level key", { version: 1, signals: {}, discount: 0.9 }, "/discount", "Unrecognized key"],
  ])("refuses %s, naming the file and the pointer", async (_what, content, pointer, message) => {
    const path = file("bad.json", content);
    await expect(loadRewardTable(path)).rejects.toMatchObject({
      name: "TrajectoryError",
      code: "config_invalid",
      file: path,
      pointer,
      message: expect.stringContaining(`${path} at ${pointer}: `),
    });
    await expect(loadRewardTable(path)).rejects.toThrow(message);
  });

  it("refuses a file that is not JSON or not there", async () => {
    await expect(loadRewardTable(file("broken.json", "{"))).rejects.toMatchObject({
      code: "config_invalid",
      message: expect.stringMatching(/broken\.json is not JSON: /),
    });
    await expect(loadRewardTable(join(dir, "none.json"))).rejects.toMatchObject({
      code: "config_unreadable",
    });
  });
});

describe("redaction configuration", () => {
  const now = () => new Date("2026-11-21T12:00:00Z");

  it("adds rules of its own (reported under their id), user names, and can turn the optional rules off", async () => {
    const path = file("redaction.json", {
      userNames: ["alice"],
      highEntropy: false,
      rules: [
        {
          id: "acme-ticket",
          description: "ACME ticket secrets",
          pattern: "ACME-(?<secret>\\d{6})",
          flags: "i",
        },
      ],
    });
    const redaction = await loadExportRedaction(path);
    expect(redaction.rules.map((r) => r.id)).toEqual([
      "acme-ticket",
      ...defaultRules.map((r) => r.id),
      "home-path",
      "user-name",
    ]);
    const { value, report } = exportRedactor(redaction, now).redact({
      text: "acme-123456 for alice at /home/alice/src, token q7Rk2VbX9mWz4TnLp8sYd3Hf6JcG",
    });
    expect(value.text).toBe(
      "acme-[REDACTED:acme-ticket] for [REDACTED:user-name] at /home/[REDACTED:home-path]/src, token q7Rk2VbX9mWz4TnLp8sYd3Hf6JcG",
    );
    expect(report).toEqual({
      redactedAt: "2026-11-21T12:00:00.000Z",
      redactorVersion: redaction.version,
      rules: [
        { rule: "acme-ticket", count: 1 },
        { rule: "home-path", count: 1 },
        { rule: "user-name", count: 1 },
      ],
      totalRedactions: 3,
    });
    expect(redaction.version).toMatch(/^0\.1\.0\+rules\.[0-9a-f]{12}$/);
    expect(redaction.version).not.toBe(exportRedaction().version);
  });

  it.each([
    [
      "a pattern that is not a regular expression",
      { rules: [{ id: "x", description: "x", pattern: "(" }] },
      "/rules/0/pattern",
      "not a regular expression",
    ],
    [
      "a rule without pattern or keys",
      { rules: [{ id: "x", description: "x" }] },
      "/rules/0",
      "a rule needs a pattern, keys, or both",
    ],
    [
      "an id taken by a default rule",
      { rules: [{ id: "jwt", description: "x", pattern: "x" }] },
      "/rules/0/id",
      'rule id "jwt" is taken',
    ],
    [
      "a flag the export does not allow",
      { rules: [{ id: "x", description: "x", pattern: "x", flags: "y" }] },
      "/rules/0/flags",
      "flags may only hold i, m, s and u",
    ],
    ["an unknown key", { homePath: true }, "/homePath", "Unrecognized key"],
  ])("refuses %s, naming the pointer", async (_what, content, pointer, message) => {
    const path = file("bad-redaction.json", content);
    await expect(loadExportRedaction(path)).rejects.toMatchObject({
      code: "config_invalid",
      file: path,
      pointer,
    });
    await expect(loadExportRedaction(path)).rejects.toThrow(message);
  });
});
