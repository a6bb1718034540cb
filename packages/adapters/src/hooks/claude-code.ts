// Claude Code's hooks (PreToolUse, PostToolUse): its JSON on stdin, by tool name, onto calls; an
// answer onto hookSpecificOutput.permissionDecision. See docs/integrations.md.
import { field, type HookCall, objectOf, outcomeOf, type RuntimeProtocol } from "./event.js";
import {
  fileTool,
  globBase,
  identifier,
  mcpTool,
  optionalText,
  shellTool,
  text,
  webFetch,
  webSearch,
} from "./request.js";

type Input = Record<string, unknown>;

/** Claude Code's tools, by name, as the calls wsops decides (cwd: the session's). */
const tools: Record<string, (input: Input, cwd: string) => HookCall["tool"]> = {
  Bash: (i) => shellTool(text(i, "command", "Bash")),
  Read: (i, cwd) => fileTool("Read", "read", [text(i, "file_path", "Read")], cwd),
  Write: (i, cwd) => fileTool("Write", "write", [text(i, "file_path", "Write")], cwd),
  Edit: (i, cwd) => fileTool("Edit", "write", [text(i, "file_path", "Edit")], cwd),
  MultiEdit: (i, cwd) => fileTool("MultiEdit", "write", [text(i, "file_path", "MultiEdit")], cwd),
  NotebookEdit: (i, cwd) =>
    fileTool("NotebookEdit", "write", [text(i, "notebook_path", "NotebookEdit")], cwd),
  Glob: (i, cwd) => {
    const dir = optionalText(i, "path", "Glob") ?? cwd;
    return fileTool("Glob", "read", [globBase(text(i, "pattern", "Glob"), dir)], cwd);
  },
  Grep: (i, cwd) => fileTool("Grep", "read", [optionalText(i, "path", "Grep") ?? cwd], cwd),
  LS: (i, cwd) => fileTool("LS", "read", [text(i, "path", "LS")], cwd),
  WebFetch: (i) => webFetch("WebFetch", text(i, "url", "WebFetch")),
  WebSearch: (i) => webSearch("WebSearch", text(i, "query", "WebSearch")),
};

const MCP = /^mcp__(.+?)__(.+)$/;

export const claudeCode: RuntimeProtocol = {
  name: "claude-code",
  projectDirEnv: "CLAUDE_PROJECT_DIR",
  parse(raw) {
    const input = objectOf(raw, "the hook input");
    const event = field(input, "hook_event_name");
    if (event !== "PreToolUse" && event !== "PostToolUse")
      return { kind: "ignored", why: `wsops governs PreToolUse and PostToolUse, not ${event}` };
    const sessionId = field(input, "session_id");
    const cwd = field(input, "cwd");
    const toolName = field(input, "tool_name");
    const toolInput = objectOf(input.tool_input ?? {}, "tool_input");
    const mcp = MCP.exec(toolName);
    const build = tools[toolName];
    if (!mcp && !build) return { kind: "ignored", why: `wsops does not govern Claude Code's ${toolName}` };
    const tool = mcp
      ? mcpTool(mcp[1] as string, mcp[2] as string, toolInput)
      : (build as NonNullable<typeof build>)(toolInput, cwd);
    const calls = [{ id: identifier("texec-", field(input, "tool_use_id")), tool }];
    if (event === "PreToolUse") return { kind: "before", sessionId, cwd, toolName, calls };
    const response = input.tool_response;
    return { kind: "after", sessionId, cwd, toolName, calls, outcome: outcomeOf(response) };
  },
  render(answer) {
    if (answer.verdict === "none") return "";
    const decision = answer.verdict === "approval_required" ? "deny" : answer.verdict;
    return `${JSON.stringify({
      hookSpecificOutput: {
        hookEventName: "PreToolUse",
        permissionDecision: decision,
        permissionDecisionReason: answer.reason,
      },
    })}\n`;
  },
};
