// A structural check of chat-messages fine-tuning lines, written from the formats' documentation:
// OpenAI chat fine-tuning ({"messages", "tools", "parallel_tool_calls"}; per role only its documented
// keys; `weight` 0/1 on assistant messages; tool calls with ids answered by `tool` messages right after
// them; function names [a-zA-Z0-9_-]{1,64}; arguments a JSON string of an object) and Tinker's
// conversation JSONL (the same messages; `trainable` on every message, for train_on_what=customized).
import type { SftDialect } from "./sft.js";

export interface SftProblem {
  pointer: string;
  message: string;
}

const ROLES = new Set(["system", "user", "assistant", "tool"]);
const FUNCTION_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

function keysOf(role: string, dialect: SftDialect): Set<string> {
  const keys =
    role === "assistant"
      ? ["role", "content", "name", "tool_calls"]
      : role === "tool"
        ? ["role", "content", "tool_call_id"]
        : ["role", "content", "name"];
  if (dialect === "tinker") keys.push("trainable");
  else if (role === "assistant") keys.push("weight");
  return new Set(keys);
}

function checkToolCall(call: unknown, at: string, problems: SftProblem[], names: Set<string> | undefined) {
  const say = (pointer: string, message: string) => problems.push({ pointer: `${at}${pointer}`, message });
  if (!isObject(call)) return say("", "a tool call is an object");
  for (const key of Object.keys(call))
    if (!["id", "type", "function"].includes(key)) say(`/${key}`, "unknown key");
  if (typeof call.id !== "string" || call.id === "") say("/id", "a tool call needs a non-empty string id");
  if (call.type !== "function") say("/type", 'must be "function"');
  const fn = call.function;
  if (!isObject(fn)) return say("/function", "must be an object with name and arguments");
  for (const key of Object.keys(fn))
    if (!["name", "arguments"].includes(key)) say(`/function/${key}`, "unknown key");
  if (typeof fn.name !== "string" || !FUNCTION_NAME.test(fn.name))
    say("/function/name", "must match [a-zA-Z0-9_-]{1,64}");
  else if (names && !names.has(fn.name))
    say("/function/name", `"${fn.name}" is not among the example's tools`);
  if (typeof fn.arguments !== "string") return say("/function/arguments", "must be a JSON string");
  let parsed: unknown;
  try {
    parsed = JSON.parse(fn.arguments);
  } catch {
    return say("/function/arguments", "does not parse as JSON");
  }
  if (!isObject(parsed)) say("/function/arguments", "must encode a JSON object");
}

/** Every problem of one parsed line; [] when it is a well-formed example of the dialect. */
export function checkSftExample(line: unknown, dialect: SftDialect): SftProblem[] {
  const problems: SftProblem[] = [];
  const say = (pointer: string, message: string) => problems.push({ pointer, message });
  if (!isObject(line)) return [{ pointer: "", message: "a line is a JSON object" }];
  const allowed = dialect === "openai" ? ["messages", "tools", "parallel_tool_calls"] : ["messages"];
  for (const key of Object.keys(line)) if (!allowed.includes(key)) say(`/${key}`, "unknown key");
  let names: Set<string> | undefined;
  if (line.tools !== undefined) {
    if (!Array.isArray(line.tools)) say("/tools", "must be an array");
    else {
      names = new Set();
      for (const [i, tool] of line.tools.entries()) {
        const fn = isObject(tool) ? tool.function : undefined;
        if (!isObject(tool) || tool.type !== "function" || !isObject(fn) || typeof fn.name !== "string")
          say(`/tools/${i}`, 'a tool is {"type": "function", "function": {"name", …}}');
        else if (!FUNCTION_NAME.test(fn.name))
          say(`/tools/${i}/function/name`, "must match [a-zA-Z0-9_-]{1,64}");
        else names.add(fn.name);
      }
    }
  }
  const messages = line.messages;
  if (!Array.isArray(messages) || messages.length === 0)
    return [...problems, { pointer: "/messages", message: "must be a non-empty array" }];
  const ids = new Set<string>();
  let waiting: string[] = [];
  let trained = 0;
  for (const [i, message] of messages.entries()) {
    const at = `/messages/${i}`;
    if (!isObject(message)) {
      say(at, "a message is an object");
      continue;
    }
    const role = message.role;
    if (typeof role !== "string" || !ROLES.has(role)) {
      say(`${at}/role`, "must be system, user, assistant or tool");
      continue;
    }
    if (role !== "tool" && waiting.length > 0)
      say(at, `tool call(s) ${waiting.join(", ")} are not answered before this ${role} message`);
    if (role !== "tool") waiting = [];
    const keys = keysOf(role, dialect);
    for (const key of Object.keys(message))
      if (!keys.has(key)) say(`${at}/${key}`, `not a key of ${role} messages in the ${dialect} format`);
    const calls = role === "assistant" ? message.tool_calls : undefined;
    if (calls !== undefined && (!Array.isArray(calls) || calls.length === 0))
      say(`${at}/tool_calls`, "must be a non-empty array");
    const hasCalls = Array.isArray(calls) && calls.length > 0;
    if (
      typeof message.content !== "string" &&
      !(hasCalls && (message.content === null || message.content === undefined))
    )
      say(`${at}/content`, "must be a string");
    if (dialect === "tinker" && typeof message.trainable !== "boolean")
      say(`${at}/trainable`, "every message needs trainable (true or false)");
    if (role === "assistant") {
      const weight = message.weight;
      if (dialect === "openai" && weight !== undefined && weight !== 0 && weight !== 1)
        say(`${at}/weight`, "must be 0 or 1");
      if (dialect === "openai" ? weight !== 0 : message.trainable === true) trained++;
      for (const [k, call] of (hasCalls ? (calls as unknown[]) : []).entries()) {
        checkToolCall(call, `${at}/tool_calls/${k}`, problems, names);
        const id = isObject(call) ? call.id : undefined;
        if (typeof id !== "string") continue;
        if (ids.has(id)) say(`${at}/tool_calls/${k}/id`, `the id ${id} is used twice`);
        ids.add(id);
        waiting.push(id);
      }
    }
    if (role === "tool") {
      const id = message.tool_call_id;
      if (typeof id !== "string") say(`${at}/tool_call_id`, "a tool message names the call it answers");
      else if (!waiting.includes(id))
        say(`${at}/tool_call_id`, `${id} answers no open tool call of the assistant message before it`);
      else waiting = waiting.filter((w) => w !== id);
    }
  }
  if (waiting.length > 0) say("/messages", `tool call(s) ${waiting.join(", ")} are never answered`);
  if (!messages.some((m) => isObject(m) && m.role === "assistant"))
    say("/messages", "an example needs an assistant message");
  else if (trained === 0) say("/messages", "no assistant message is trained on");
  return problems;
}
