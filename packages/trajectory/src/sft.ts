// A (redacted) trajectory as one chat-messages fine-tuning example: system, user and assistant messages
// from the session's annotations; each tool call as an assistant message with `tool_calls` (the id is
// the toolExecutionId, the arguments a JSON string); each result as a `tool` message answering it.
// docs/trajectories.md describes the two dialects and the exact shapes.
import type { ToolInvocation, Trajectory, TrajectoryStep } from "@workspace-ops/contracts";

export type SftDialect = "openai" | "tinker";

export interface ChatToolCall {
  id: string;
  type: "function";
  function: { name: string; arguments: string };
}

export interface ChatMessage {
  role: "system" | "user" | "assistant" | "tool";
  content: string;
  tool_calls?: ChatToolCall[];
  tool_call_id?: string;
  /** openai: assistant messages only, 1 to train on the message, 0 to only show it. */
  weight?: 0 | 1;
  /** tinker: every message (train_on_what=customized). */
  trainable?: boolean;
}

export interface ChatTool {
  type: "function";
  function: { name: string; description: string; parameters: Record<string, unknown> };
}

export interface SftExample {
  messages: ChatMessage[];
  tools?: ChatTool[];
}

export type SftResult =
  | { ok: true; example: SftExample; messages: number; trainable: number }
  | { ok: false; detail: string };

const SHELL_TOOL: ChatTool = {
  type: "function",
  function: {
    name: "shell",
    description:
      "Run a program with its arguments (no shell) in the workspace. Governed: the policy may refuse it or ask a person to approve it first.",
    parameters: {
      type: "object",
      properties: { argv: { type: "array", items: { type: "string" }, minItems: 1 } },
      required: ["argv"],
      additionalProperties: false,
    },
  },
};

/** Function names of chat formats: [a-zA-Z0-9_-], at most 64 characters. */
const functionName = (tool: ToolInvocation): string =>
  tool.kind === "shell"
    ? "shell"
    : `mcp__${tool.server}__${tool.name}`.replace(/[^a-zA-Z0-9_-]/g, "_").slice(0, 64);

function functionOf(tool: ToolInvocation): { name: string; arguments: string; spec: ChatTool } {
  if (tool.kind === "shell")
    return { name: "shell", arguments: JSON.stringify({ argv: tool.argv }), spec: SHELL_TOOL };
  const name = functionName(tool);
  return {
    name,
    arguments: JSON.stringify(tool.sanitizedArgs ?? {}),
    spec: {
      type: "function",
      function: {
        name,
        description: `The tool ${tool.name} of the MCP server ${tool.server}.`,
        parameters: { type: "object" },
      },
    },
  };
}

/** Calls refused by the policy or a person (deny, approval denied or expired): never trained on. */
function refusedCalls(steps: readonly TrajectoryStep[]): Set<string> {
  const refused = new Set<string>();
  for (const step of steps) {
    if (step.type === "decision" && step.decision === "deny") refused.add(step.toolExecutionId);
    if (step.type === "approval" && step.resolution !== "approved") refused.add(step.toolExecutionId);
  }
  return refused;
}

interface Draft {
  role: ChatMessage["role"];
  content: string;
  calls?: ChatToolCall[];
  callId?: string;
  trainable: boolean;
}

export function sftExample(trajectory: Trajectory, dialect: SftDialect): SftResult {
  const refused = refusedCalls(trajectory.steps);
  const out: Draft[] = [];
  const deferred: Draft[] = [];
  const tools = new Map<string, ChatTool>();
  const open = new Set<string>();
  let group: Draft | undefined;
  // A message said while calls wait for their results goes after the results: a chat format wants
  // every tool message right after the assistant message that made the call.
  const emit = (draft: Draft) => (open.size > 0 ? deferred.push(draft) : out.push(draft));
  const answer = (id: string, content: string) => {
    out.push({ role: "tool", content, callId: id, trainable: false });
    open.delete(id);
    if (open.size === 0) out.push(...deferred.splice(0));
  };
  for (const step of trajectory.steps) {
    if (step.type === "message") {
      if (step.role !== "tool") emit({ role: step.role, content: step.content, trainable: step.trainable });
      else if (step.toolExecutionId !== undefined && open.has(step.toolExecutionId))
        answer(step.toolExecutionId, step.content);
      continue;
    }
    if (step.type !== "tool_call") continue;
    const fn = functionOf(step.tool);
    if (!tools.has(fn.name)) tools.set(fn.name, fn.spec);
    const call: ChatToolCall = {
      id: step.toolExecutionId,
      type: "function",
      function: { name: fn.name, arguments: fn.arguments },
    };
    const last = out.at(-1);
    if (open.size > 0 && group) group.calls?.push(call);
    else if (last?.role === "assistant" && !last.calls && deferred.length === 0) {
      // The assistant said something and then made the call: one turn.
      last.calls = [call];
      group = last;
    } else {
      group = { role: "assistant", content: "", calls: [call], trainable: true };
      out.push(group);
    }
    open.add(step.toolExecutionId);
    if (refused.has(step.toolExecutionId)) group.trainable = false;
  }
  for (const id of [...open])
    answer(id, JSON.stringify({ outcome: "pending", note: "no result was recorded" }));
  out.push(...deferred.splice(0));

  const messages = out.map((d) => chatMessage(d, dialect));
  const trainable = out.filter((d) => d.trainable && (dialect === "tinker" || d.role === "assistant")).length;
  if (!out.some((d) => d.role === "assistant" && d.trainable))
    return { ok: false, detail: "no assistant message or allowed tool call to train on" };
  const example: SftExample = { messages };
  if (dialect === "openai" && tools.size > 0) example.tools = [...tools.values()];
  return { ok: true, example, messages: messages.length, trainable };
}

function chatMessage(d: Draft, dialect: SftDialect): ChatMessage {
  const message: ChatMessage = { role: d.role, content: d.content };
  if (d.calls) message.tool_calls = d.calls;
  if (d.callId !== undefined) message.tool_call_id = d.callId;
  if (dialect === "tinker") message.trainable = d.trainable;
  else if (d.role === "assistant") message.weight = d.trainable ? 1 : 0;
  return message;
}
