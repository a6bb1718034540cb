// Gemini CLI's transcript (the file its hooks name in transcript_path): one JSON document, the CLI's
// chat recording — `{sessionId, …, kind?, messages: [{id, timestamp, type, content, toolCalls?,
// thoughts?}]}`, `type` "user" | "gemini" | "info" | "error" | "warning", `content` a string or
// parts (`{text}`, function calls and responses…). Its hook reference names the file but not its
// format; this follows the recording's types in the gemini-cli source. Only the conversation is
// taken: the text of user and gemini messages at their timestamps. Tool calls are the executor's
// records; thoughts are not conversation; the CLI's own notices (info, error, warning) and a
// subagent's recording (kind "subagent") are not the user's or the model's words. A document cannot be
// read from its end, so a transcript larger than the bound is not read.
import { open } from "node:fs/promises";
import {
  clip,
  isObject,
  lastMessages,
  type SessionMessage,
  type Transcript,
  timeOf,
} from "./transcript-file.js";

export async function readGeminiCliTranscript(path: string, maxBytes: number): Promise<Transcript> {
  const file = await open(path, "r");
  let text: string;
  try {
    const { size } = await file.stat();
    if (size > maxBytes)
      return { messages: [], notes: [`the transcript is ${size} bytes, more than the ${maxBytes} read`] };
    text = await file.readFile("utf8");
  } finally {
    await file.close();
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    return { messages: [], notes: ["the transcript is not a JSON document"] };
  }
  if (!isObject(document) || !Array.isArray(document.messages))
    return { messages: [], notes: ["the transcript has no messages array"] };
  if (document.kind === "subagent") return { messages: [], notes: [] };
  const messages = document.messages.flatMap((entry) => {
    const message = conversationMessage(entry);
    return message ? [message] : [];
  });
  return lastMessages(messages, []);
}

const ROLES: Record<string, SessionMessage["role"]> = { user: "user", gemini: "assistant" };

function conversationMessage(entry: unknown): SessionMessage | null {
  if (!isObject(entry) || typeof entry.type !== "string") return null;
  const role = ROLES[entry.type];
  const at = timeOf(entry.timestamp);
  if (!role || !at) return null;
  const content = textOf(entry.content);
  if (content.trim() === "") return null;
  return { role, content: clip(content), at };
}

/** The text of a message's content: the string, or its text parts (not thoughts) joined. */
function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  const parts = Array.isArray(content) ? content : [content];
  return parts
    .flatMap((part) =>
      typeof part === "string"
        ? [part]
        : isObject(part) && typeof part.text === "string" && part.thought !== true
          ? [part.text]
          : [],
    )
    .join("\n\n");
}
