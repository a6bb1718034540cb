// Reading a runtime's JSONL transcript within a bound: a long session's transcript grows with every
// tool output, and a hook must stay quick. Only the last `maxBytes` are read; the runtime calls the
// hook at the end of every turn, so what lies before them was read by an earlier call.
import { open } from "node:fs/promises";
import type { SessionAnnotation } from "@workspace-ops/contracts";

export type SessionMessage = NonNullable<SessionAnnotation["messages"]>[number];

/** A transcript's conversation, and what a person should know about how it was read. */
export interface Transcript {
  messages: SessionMessage[];
  notes: string[];
}

/** How much of a transcript a hook reads (its end), by default. */
export const TRANSCRIPT_MAX_BYTES = 32 * 1024 * 1024;

/** A SessionAnnotation holds at most this many messages, each of at most this many characters. */
export const MAX_MESSAGES = 10_000;
const MAX_CONTENT = 1_048_576;
const CUT = "\n[message cut]";

/** The parsed lines of the end of a JSONL file (at most maxBytes; a cut first line is dropped). */
export async function readJsonlTail(
  path: string,
  maxBytes: number,
): Promise<{ entries: unknown[]; notes: string[] }> {
  const file = await open(path, "r");
  try {
    const { size } = await file.stat();
    const start = Math.max(0, size - maxBytes);
    const buffer = Buffer.alloc(size - start);
    let read = 0;
    while (read < buffer.length) {
      const { bytesRead } = await file.read(buffer, read, buffer.length - read, start + read);
      if (bytesRead === 0) break;
      read += bytesRead;
    }
    let text = buffer.subarray(0, read).toString("utf8");
    const notes: string[] = [];
    if (start > 0) {
      text = text.slice(text.indexOf("\n") + 1);
      notes.push(`read the transcript's last ${maxBytes} of ${size} bytes`);
    }
    const entries: unknown[] = [];
    let unreadable = 0;
    for (const line of text.split("\n")) {
      if (line.trim() === "") continue;
      try {
        entries.push(JSON.parse(line));
      } catch {
        unreadable++;
      }
    }
    if (unreadable) notes.push(`${unreadable} line(s) of the transcript are not JSON and were left out`);
    return { entries, notes };
  } finally {
    await file.close();
  }
}

// RFC 3339 with a time zone: what the annotation's `at` accepts.
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

/** A transcript's time, when it is one the annotation accepts. */
export const timeOf = (value: unknown): string | null =>
  typeof value === "string" && RFC3339.test(value) && !Number.isNaN(Date.parse(value)) ? value : null;

/** A message's text within the annotation's limit. */
export const clip = (text: string): string =>
  text.length <= MAX_CONTENT ? text : `${text.slice(0, MAX_CONTENT - CUT.length)}${CUT}`;

/** The last MAX_MESSAGES messages, with a note when there were more. */
export function lastMessages(messages: SessionMessage[], notes: string[]): Transcript {
  if (messages.length <= MAX_MESSAGES) return { messages, notes };
  return {
    messages: messages.slice(-MAX_MESSAGES),
    notes: [...notes, `the transcript has ${messages.length} messages; the last ${MAX_MESSAGES} were read`],
  };
}

export const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);
