// Claude Code's transcript (the JSONL file its hooks name in transcript_path) as conversation
// messages: one JSON object per line; "user" and "assistant" lines carry `message.role` and
// `message.content`, a string or blocks (text, tool_use, tool_result, thinking, image…). Only the
// conversation is taken: the text the user and the assistant wrote, at the line's timestamp. Tool
// calls and their results are the executor's records (the governed ones, linked by id); thinking is
// not conversation; a subagent's lines (isSidechain), lines Claude Code injected (isMeta, a
// compaction summary) and its own API error notices are not the user's or the model's words.
import {
  clip,
  isObject,
  lastMessages,
  readJsonlTail,
  type SessionMessage,
  type Transcript,
  timeOf,
} from "./transcript-file.js";

export async function readClaudeCodeTranscript(path: string, maxBytes: number): Promise<Transcript> {
  const { entries, notes } = await readJsonlTail(path, maxBytes);
  const messages = entries.flatMap((entry) => {
    const message = conversationMessage(entry);
    return message ? [message] : [];
  });
  return lastMessages(messages, notes);
}

function conversationMessage(entry: unknown): SessionMessage | null {
  if (!isObject(entry)) return null;
  const role = entry.type;
  if (role !== "user" && role !== "assistant") return null;
  if (entry.isSidechain === true || entry.isMeta === true || entry.isCompactSummary === true) return null;
  if (entry.isApiErrorMessage === true) return null;
  const message = entry.message;
  if (!isObject(message) || message.role !== role) return null;
  const at = timeOf(entry.timestamp);
  if (!at) return null;
  const content = textOf(message.content);
  if (content.trim() === "") return null;
  return { role, content: clip(content), at };
}

/** The text of a message's content: the string, or its text blocks joined. */
function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .flatMap((block) =>
      isObject(block) && block.type === "text" && typeof block.text === "string" ? [block.text] : [],
    )
    .join("\n\n");
}
