// Claude Code's transcript lines as conversation messages, read from real files within the bound.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readClaudeCodeTranscript } from "./claude-code-transcript.js";

const MiB = 1024 * 1024;

function file(lines: readonly unknown[]): string {
  const path = join(mkdtempSync(join(tmpdir(), "wsops-transcript-")), "t.jsonl");
  writeFileSync(path, lines.map((l) => (typeof l === "string" ? l : JSON.stringify(l))).join("\n"));
  return path;
}

const user = (content: unknown, timestamp: string | undefined, extra: object = {}) => ({
  type: "user",
  message: { role: "user", content },
  timestamp,
  ...extra,
});
const assistant = (content: unknown, timestamp: string | undefined, extra: object = {}) => ({
  type: "assistant",
  message: { id: "msg_1", type: "message", role: "assistant", content },
  timestamp,
  ...extra,
});

describe("readClaudeCodeTranscript", () => {
  it("keeps what the user and the assistant wrote, at each line's time, and nothing else", async () => {
    const path = file([
      { type: "summary", summary: "s", leafUuid: "u" },
      user("Clean the build.", "2026-12-01T12:00:01.104Z"),
      user("Caveat: local commands", "2026-12-01T12:00:01.200Z", { isMeta: true }),
      assistant([{ type: "thinking", thinking: "hm", signature: "x" }], "2026-12-01T12:00:02Z"),
      assistant(
        [
          { type: "text", text: "Let me look." },
          { type: "tool_use", id: "toolu_1", name: "Bash", input: { command: "ls" } },
          { type: "text", text: "Then clean." },
        ],
        "2026-12-01T12:00:03Z",
      ),
      user([{ type: "tool_result", tool_use_id: "toolu_1", content: "build" }], "2026-12-01T12:00:04Z"),
      user(
        [
          { type: "image", source: {} },
          { type: "text", text: "This one." },
        ],
        "2026-12-01T12:00:05+01:00",
      ),
      user("a subagent's prompt", "2026-12-01T12:00:06Z", { isSidechain: true }),
      user("the summary of a compaction", "2026-12-01T12:00:07Z", { isCompactSummary: true }),
      assistant([{ type: "text", text: "API Error: 529" }], "2026-12-01T12:00:08Z", {
        isApiErrorMessage: true,
      }),
      assistant("no timestamp", undefined),
      assistant("a timestamp without a zone", "2026-12-01T12:00:09"),
      {
        type: "user",
        message: { role: "assistant", content: "role and type disagree" },
        timestamp: "2026-12-01T12:00:10Z",
      },
      { type: "system", content: "Running Stop hooks", timestamp: "2026-12-01T12:00:11Z" },
      "{not json",
      "",
      user("   ", "2026-12-01T12:00:12Z"),
    ]);
    expect(await readClaudeCodeTranscript(path, MiB)).toEqual({
      messages: [
        { role: "user", content: "Clean the build.", at: "2026-12-01T12:00:01.104Z" },
        { role: "assistant", content: "Let me look.\n\nThen clean.", at: "2026-12-01T12:00:03Z" },
        { role: "user", content: "This one.", at: "2026-12-01T12:00:05+01:00" },
      ],
      notes: ["1 line(s) of the transcript are not JSON and were left out"],
    });
  });

  it("reads only the end of a transcript larger than the bound, from its first whole line", async () => {
    const lines = Array.from({ length: 100 }, (_, k) =>
      user(`message ${k}`, `2026-12-01T12:00:${String(k % 60).padStart(2, "0")}Z`),
    );
    const path = file(lines);
    const lineBytes = JSON.stringify(lines[99]).length + 1;
    const { messages, notes } = await readClaudeCodeTranscript(path, lineBytes * 3 + 5);
    expect(messages.map((m) => m.content)).toEqual(["message 97", "message 98", "message 99"]);
    expect(notes).toEqual([expect.stringMatching(/^read the transcript's last \d+ of \d+ bytes$/)]);
  });

  it("keeps the last 10,000 messages and cuts a message longer than the annotation allows", async () => {
    const many = Array.from({ length: 10_002 }, (_, k) => user(`m${k}`, "2026-12-01T12:00:00Z"));
    const read = await readClaudeCodeTranscript(file(many), 64 * MiB);
    expect(read.messages).toHaveLength(10_000);
    expect(read.messages[0]?.content).toBe("m2");
    expect(read.notes).toEqual(["the transcript has 10002 messages; the last 10000 were read"]);

    const long = await readClaudeCodeTranscript(
      file([user("x".repeat(MiB + 10), "2026-12-01T12:00:00Z")]),
      4 * MiB,
    );
    const content = long.messages[0]?.content ?? "";
    expect(content).toHaveLength(1_048_576);
    expect(content.endsWith("x\n[message cut]")).toBe(true);
  });

  it("throws the file system's error for a transcript it cannot read", async () => {
    await expect(readClaudeCodeTranscript("/nonexistent/t.jsonl", MiB)).rejects.toMatchObject({
      code: "ENOENT",
    });
  });
});
