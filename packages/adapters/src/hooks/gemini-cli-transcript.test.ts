// Gemini CLI's chat recording as conversation messages, read from real files within the bound.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readGeminiCliTranscript } from "./gemini-cli-transcript.js";

const MiB = 1024 * 1024;

function file(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), "wsops-gemini-transcript-")), "session.json");
  writeFileSync(path, text);
  return path;
}

const recording = (messages: unknown[], extra: object = {}) =>
  JSON.stringify({
    sessionId: "g-1",
    projectHash: "ab12",
    startTime: "2026-12-01T12:00:00.000Z",
    lastUpdated: "2026-12-01T12:00:09.000Z",
    messages,
    ...extra,
  });

describe("readGeminiCliTranscript", () => {
  it("keeps the text of user and gemini messages at their timestamps, and nothing else", async () => {
    const path = file(
      recording([
        { id: "1", timestamp: "2026-12-01T12:00:01.000Z", type: "user", content: "Show the last commits." },
        { id: "2", timestamp: "2026-12-01T12:00:01.500Z", type: "info", content: "Switched model" },
        {
          id: "3",
          timestamp: "2026-12-01T12:00:03.000Z",
          type: "gemini",
          content: [{ text: "thinking…", thought: true }, { text: "Here they are." }, { functionCall: {} }],
          thoughts: [{ subject: "s", description: "d", timestamp: "2026-12-01T12:00:02.000Z" }],
          toolCalls: [
            { id: "c1", name: "run_shell_command", args: { command: "git log" }, status: "success" },
          ],
        },
        { id: "4", timestamp: "2026-12-01T12:00:04.000Z", type: "user", content: [{ text: "Thanks." }] },
        { id: "5", timestamp: "2026-12-01T12:00:05.000Z", type: "error", content: "Quota exceeded" },
        { id: "6", timestamp: "not a time", type: "gemini", content: "lost" },
        { id: "7", timestamp: "2026-12-01T12:00:06.000Z", type: "gemini", content: "" },
        { id: "8", timestamp: "2026-12-01T12:00:07.000Z", type: "gemini", content: { text: "One part." } },
      ]),
    );
    expect(await readGeminiCliTranscript(path, MiB)).toEqual({
      messages: [
        { role: "user", content: "Show the last commits.", at: "2026-12-01T12:00:01.000Z" },
        { role: "assistant", content: "Here they are.", at: "2026-12-01T12:00:03.000Z" },
        { role: "user", content: "Thanks.", at: "2026-12-01T12:00:04.000Z" },
        { role: "assistant", content: "One part.", at: "2026-12-01T12:00:07.000Z" },
      ],
      notes: [],
    });
  });

  it("reads nothing of a subagent's recording, a file larger than the bound, or one that is not a recording", async () => {
    const one = [{ id: "1", timestamp: "2026-12-01T12:00:01Z", type: "user", content: "hi" }];
    expect(await readGeminiCliTranscript(file(recording(one, { kind: "subagent" })), MiB)).toEqual({
      messages: [],
      notes: [],
    });
    const text = recording(one);
    expect(await readGeminiCliTranscript(file(text), 10)).toEqual({
      messages: [],
      notes: [`the transcript is ${text.length} bytes, more than the 10 read`],
    });
    expect(await readGeminiCliTranscript(file('{"messages": [tru'), MiB)).toEqual({
      messages: [],
      notes: ["the transcript is not a JSON document"],
    });
    expect(await readGeminiCliTranscript(file("[]"), MiB)).toEqual({
      messages: [],
      notes: ["the transcript has no messages array"],
    });
    await expect(readGeminiCliTranscript("/nonexistent/session.json", MiB)).rejects.toMatchObject({
      code: "ENOENT",
    });
  });
});
