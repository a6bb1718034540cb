// What a runtime's hook input means, whatever the runtime: before a tool runs (decide it), after it
// ran (record how it ended), or something this hook does not govern.
import type { ReportedOutcome, Verdict } from "@workspace-ops/executor";
import { HookInputError, mcpTool, type Tool } from "./request.js";
import type { Transcript } from "./transcript-file.js";

/** One governed call of a hook event (a Gemini web_fetch of several URLs is several). */
export interface HookCall {
  /** The call's id, when the runtime gives one (Claude Code's tool_use_id); else found by digest. */
  id?: string;
  tool: Tool;
  /** Where it runs, when not in the session's cwd (Gemini's run_shell_command directory). */
  cwd?: string;
}

export type HookEvent =
  | { kind: "before"; sessionId: string; cwd: string; toolName: string; calls: HookCall[] }
  | {
      kind: "after";
      sessionId: string;
      cwd: string;
      toolName: string;
      calls: HookCall[];
      outcome: ReportedOutcome;
    }
  /**
   * The end of a turn or of the session: the conversation so far is in the runtime's transcript.
   * Never a reason to fail the hook, so its fields may be missing (the hook then only warns).
   */
  | { kind: "transcript"; eventName: string; sessionId?: string; cwd?: string; transcriptPath?: string }
  /** A tool or an event this hook does not govern: the runtime does as it would without it. */
  | { kind: "ignored"; why: string };

/** What the hook answers a "before" event, combined over its calls. */
export interface HookAnswer {
  /** allow, deny, ask, approval_required; none: no opinion (observe mode, an ignored tool). */
  verdict: Verdict | "none";
  /** One line for the runtime (and, through it, the agent or the user). */
  reason: string;
}

/** A runtime's hook protocol: its input parsed into an event, an answer rendered as its output. */
export interface RuntimeProtocol {
  name: string;
  /** The environment variable the runtime sets to the project's folder, if any. */
  projectDirEnv?: string;
  parse(input: unknown): HookEvent;
  /** Standard output for an answer to a "before" event (exit 0). */
  render(answer: HookAnswer): string;
  /** The conversation of the runtime's transcript (its last maxBytes), for "transcript" events. */
  readTranscript?: (path: string, maxBytes: number) => Promise<Transcript>;
}

/** A transcript event of the hook input, read without failing (see HookEvent). */
function transcriptEvent(input: Record<string, unknown>, eventName: string): HookEvent {
  const text = (name: string) => {
    const value = input[name];
    return typeof value === "string" && value !== "" ? value : undefined;
  };
  const [sessionId, cwd, transcriptPath] = [text("session_id"), text("cwd"), text("transcript_path")];
  return {
    kind: "transcript",
    eventName,
    ...(sessionId ? { sessionId } : {}),
    ...(cwd ? { cwd } : {}),
    ...(transcriptPath ? { transcriptPath } : {}),
  };
}

/** The hook input as an object, or a HookInputError. */
export function objectOf(input: unknown, what: string): Record<string, unknown> {
  if (!input || typeof input !== "object" || Array.isArray(input))
    throw new HookInputError(`${what} must be a JSON object`);
  return input as Record<string, unknown>;
}

/** A string field of the hook input itself. */
export function field(input: Record<string, unknown>, name: string): string {
  const value = input[name];
  if (typeof value !== "string" || value === "")
    throw new HookInputError(`the hook input needs ${name} (a non-empty string)`);
  return value;
}

/**
 * How a tool ended, from the runtime's tool response: failed when it says so (an error, success
 * false, an interrupted command); its output is the response as JSON (or as the text it is).
 */
export function outcomeOf(response: unknown): ReportedOutcome {
  const output = typeof response === "string" ? response : JSON.stringify(response ?? null);
  const r = response && typeof response === "object" ? (response as Record<string, unknown>) : {};
  const error = r.error;
  const failed =
    r.success === false ||
    r.interrupted === true ||
    r.is_error === true ||
    (error !== undefined && error !== null && error !== "" && error !== false);
  return { outcome: failed ? "failed" : "succeeded", output };
}

/** What every runtime's tool event holds, read and checked; null for an event this hook does not govern. */
export interface ToolEvent {
  input: Record<string, unknown>;
  phase: "before" | "after";
  sessionId: string;
  cwd: string;
  toolName: string;
  toolInput: Record<string, unknown>;
}

const MCP_TOOL = /^mcp__(.+?)__(.+)$/;

/**
 * Parses a runtime's tool event: its event names (before, after), and its tools by name (MCP tools,
 * mcp__SERVER__TOOL, are common to both runtimes); or an event that names the transcript. Other events
 * and tools are "ignored".
 */
export function parseToolEvent(
  raw: unknown,
  runtime: string,
  /** The runtime's names of the events: before and after a tool, and those that name its transcript. */
  events: { before: string; after: string; transcript?: readonly string[] },
  tools: Record<string, (input: Record<string, unknown>, cwd: string) => HookCall[]>,
  ids: (event: ToolEvent) => (string | undefined)[] = () => [],
): HookEvent {
  const input = objectOf(raw, "the hook input");
  const name = field(input, "hook_event_name");
  if (events.transcript?.includes(name)) return transcriptEvent(input, name);
  if (name !== events.before && name !== events.after)
    return { kind: "ignored", why: `wsops governs ${events.before} and ${events.after}, not ${name}` };
  const event: ToolEvent = {
    input,
    phase: name === events.before ? "before" : "after",
    sessionId: field(input, "session_id"),
    cwd: field(input, "cwd"),
    toolName: field(input, "tool_name"),
    toolInput: objectOf(input.tool_input ?? {}, "tool_input"),
  };
  const { sessionId, cwd, toolName, toolInput } = event;
  const mcp = MCP_TOOL.exec(toolName);
  const build = tools[toolName];
  if (!mcp && !build) return { kind: "ignored", why: `wsops does not govern ${runtime}'s ${toolName}` };
  const calls = mcp
    ? [{ tool: mcpTool(mcp[1] as string, mcp[2] as string, toolInput) }]
    : (build as NonNullable<typeof build>)(toolInput, cwd);
  const named = ids(event);
  const withIds = calls.map((call, k) => (named[k] ? { ...call, id: named[k] } : call));
  if (event.phase === "before") return { kind: "before", sessionId, cwd, toolName, calls: withIds };
  return { kind: "after", sessionId, cwd, toolName, calls: withIds, outcome: outcomeOf(input.tool_response) };
}
