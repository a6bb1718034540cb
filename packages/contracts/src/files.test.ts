import { closeSync, ftruncateSync, mkdtempSync, openSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { validateFile } from "./files.js";

const dir = mkdtempSync(join(tmpdir(), "wsops-files-"));
const write = (name: string, content: string | Buffer) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

describe("validateFile", () => {
  it("refuses a file over the size limit without reading it", async () => {
    const path = join(dir, "huge.json");
    const fd = openSync(path, "w");
    ftruncateSync(fd, 300 * 1024 * 1024); // sparse: 300 MiB on paper, no disk used
    closeSync(fd);
    expect(await validateFile(path)).toEqual({
      file: path,
      contract: null,
      valid: false,
      errors: [
        {
          pointer: "",
          keyword: "maxBytes",
          message: "file is 300.0 MiB; the limit is 16.0 MiB (raise it with --max-bytes)",
          line: 1,
          column: 1,
        },
      ],
    });
  });

  it("answers a 50 MB string with the schema's length limit once the size limit allows it", async () => {
    const path = write(
      "long-string.json",
      `{"kind": "UsageRecord", "persona": "${"x".repeat(50 * 1024 * 1024)}"}`,
    );
    const result = await validateFile(path, { maxBytes: 64 * 1024 * 1024 });
    expect(result.valid).toBe(false);
    expect(result.errors).toContainEqual(
      expect.objectContaining({ pointer: "/persona", keyword: "maxLength", line: 1, column: 36 }),
    );
  });

  it("says a missing file does not exist, and marks it unreadable", async () => {
    const path = join(dir, "missing.json");
    expect(await validateFile(path)).toMatchObject({
      valid: false,
      unreadable: { code: "ENOENT", message: "does not exist" },
      errors: [{ keyword: "unreadable", message: `cannot read ${path}: does not exist` }],
    });
  });

  it("says a directory is a directory", async () => {
    expect(await validateFile(dir)).toMatchObject({
      unreadable: { code: "EISDIR", message: "is a directory" },
    });
  });

  it("refuses bytes that are not UTF-8", async () => {
    const path = write("latin1.json", Buffer.from([0x7b, 0x22, 0xe9, 0x22, 0x3a, 0x31, 0x7d]));
    expect((await validateFile(path)).errors).toEqual([
      {
        pointer: "",
        keyword: "json",
        message: "not valid JSON: the file is not UTF-8 text",
        line: 1,
        column: 1,
      },
    ]);
  });

  it("validates a good file against the contract its kind names", async () => {
    const path = write(
      "usage.json",
      JSON.stringify({
        kind: "UsageRecord",
        apiVersion: "workspace-ops.dev/v1",
        usageId: "use-1",
        persona: "coder",
        provider: "openai",
        model: "gpt-5",
        tokensIn: 10,
        tokensOut: 5,
        costUsd: 0.01,
        occurredAt: "2026-11-21T12:00:00Z",
      }),
    );
    expect(await validateFile(path)).toEqual({
      file: path,
      contract: "UsageRecord",
      valid: true,
      errors: [],
    });
  });
});
