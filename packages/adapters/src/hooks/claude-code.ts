// Claude Code's hooks (PreToolUse, PostToolUse): its JSON on stdin, by tool name, onto calls; an
// answer onto hookSpecificOutput.permissionDecision. Stop and SessionEnd: the conversation of its
// transcript onto the session's annotations. See docs/integrations.md.
import { readClaudeCodeTranscript } from "./claude-code-transcript.js";
import { field, type HookCall, parseToolEvent, type RuntimeProtocol } from "./event.js";
import {
  fileTool,
  globBase,
  identifier,
  optionalText,
  shellTool,
  text,
  webFetch,
  webSearch,
} from "./request.js";

type Input = Record<string, unknown>;

/** Claude Code's tools, by name, as the call wsops decides (cwd: the session's). */
const tool: Record<string, (input: Input, cwd: string) => HookCall["tool"]> = {
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

/** Each of them is one call. */
const tools = Object.fromEntries(
  Object.entries(tool).map(([name, build]) => [name, (i: Input, cwd: string) => [{ tool: build(i, cwd) }]]),
);

export const claudeCode: RuntimeProtocol = {
  name: "claude-code",
  projectDirEnv: "CLAUDE_PROJECT_DIR",
  parse: (raw) =>
    parseToolEvent(
      raw,
      "Claude Code",
      { before: "PreToolUse", after: "PostToolUse", transcript: ["Stop", "SessionEnd"] },
      tools,
      (event) => [identifier("texec-", field(event.input, "tool_use_id"))],
    ),
  readTranscript: readClaudeCodeTranscript,
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
