// docs/ci.md lists every rule of `wsops contracts diff` with the direction the code gives it, and
// every check `wsops conformance` runs.
import { readFileSync } from "node:fs";
import { checkIds } from "@workspace-ops/conformance";
import { diffRuleIds, diffRules } from "@workspace-ops/contracts/diff";
import { describe, expect, it } from "vitest";

const doc = readFileSync(new URL("../../docs/ci.md", import.meta.url), "utf8");
const breaks = { tightens: "| yes | no |", loosens: "| no | yes |", changes: "| yes | yes |" };

describe("docs/ci.md", () => {
  it("has a row for every diff rule, with its direction and whom it breaks", () => {
    const rows = [
      ...doc.matchAll(/^\| `([a-z-]+)` \| (tightens|loosens|changes) (\| (?:yes|no) \| (?:yes|no) \|)/gm),
    ];
    expect(rows.map((r) => r[1])).toEqual(diffRuleIds);
    for (const [, id, direction, columns] of rows) {
      const rule = diffRules[id as keyof typeof diffRules];
      expect({ id, direction, columns }).toEqual({
        id,
        direction: rule.direction,
        columns: breaks[rule.direction],
      });
    }
  });

  it("describes every check", () => {
    for (const id of checkIds.filter((c) => c !== "commands")) expect(doc).toContain(`| \`${id}\` |`);
    expect(doc).toContain("| `command:NAME` |");
  });
});
