// An export goes to its file whole or not at all: lines are written to a temporary file renamed at the
// end; an export that fails midway leaves neither the file nor the temporary one.
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ExportedLine } from "./export.js";
import { lineageFileOf, writeLines } from "./output.js";

async function* lines(n: number, failAfter?: number): AsyncGenerator<ExportedLine> {
  for (let i = 1; i <= n; i++) {
    if (i === failAfter) throw new Error("the store went away");
    yield { text: `{"n":${i}}`, lineage: `{"line":${i}}` };
  }
}

describe("writeLines", () => {
  it("writes the lines and the lineage beside them", async () => {
    const dir = mkdtempSync(join(tmpdir(), "wsops-traj-out-"));
    const out = join(dir, "train.jsonl");
    await writeLines(lines(3), { out, lineageOut: lineageFileOf(out), stdout: () => {} });
    expect(readFileSync(out, "utf8")).toBe('{"n":1}\n{"n":2}\n{"n":3}\n');
    expect(readFileSync(join(dir, "train.lineage.jsonl"), "utf8")).toBe(
      '{"line":1}\n{"line":2}\n{"line":3}\n',
    );
    expect(readdirSync(dir).sort()).toEqual(["train.jsonl", "train.lineage.jsonl"]);
  });

  it("leaves nothing behind when the export fails midway", async () => {
    const dir = mkdtempSync(join(tmpdir(), "wsops-traj-out-"));
    const out = join(dir, "train.jsonl");
    await expect(
      writeLines(lines(5, 3), { out, lineageOut: lineageFileOf(out), stdout: () => {} }),
    ).rejects.toThrow("the store went away");
    expect(readdirSync(dir)).toEqual([]);
  });

  it("reports a file it cannot write as output_unwritable", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "wsops-traj-out-")), "missing-dir", "train.jsonl");
    await expect(writeLines(lines(1), { out, stdout: () => {} })).rejects.toMatchObject({
      code: "output_unwritable",
      message: expect.stringContaining("cannot write the export: ENOENT"),
    });
    expect(existsSync(out)).toBe(false);
  });

  it("writes to stdout without --out", async () => {
    let text = "";
    await writeLines(lines(2), { stdout: (t) => (text += t) });
    expect(text).toBe('{"n":1}\n{"n":2}\n');
    expect(lineageFileOf("out")).toBe("out.lineage.jsonl");
  });
});
