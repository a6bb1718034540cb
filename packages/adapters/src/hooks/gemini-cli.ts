// Gemini CLI's hooks (BeforeTool, AfterTool): its JSON on stdin, by tool name, onto calls; an
// answer onto {decision, reason}. AfterAgent and SessionEnd: the conversation of its transcript onto
// the session's annotations. Gemini gives a call no id: AfterTool finds the call by its digest
// (the latest running call of the session that is the same call). Gemini has no "ask": a profile
// that leaves approvals to the runtime gets no opinion, so Gemini's own confirmation applies.
import { resolve } from "node:path";
import { type HookCall, parseToolEvent, type RuntimeProtocol } from "./event.js";
import { readGeminiCliTranscript } from "./gemini-cli-transcript.js";
import {
  fileTool,
  globBase,
  HookInputError,
  optionalText,
  shellTool,
  text,
  webFetch,
  webSearch,
} from "./request.js";

type Input = Record<string, unknown>;

// web_fetch's prompt names the URLs it fetches (up to 20) in its text; each is decided as a fetch.
const URLS = /\bhttps?:\/\/[^\s<>"'`)\]]+/gi;

const tools: Record<string, (input: Input, cwd: string) => HookCall[]> = {
  run_shell_command: (i, cwd) => {
    const directory = optionalText(i, "directory", "run_shell_command");
    return [
      {
        tool: shellTool(text(i, "command", "run_shell_command")),
        ...(directory ? { cwd: resolve(cwd, directory) } : {}),
      },
    ];
  },
  read_file: (i, cwd) => [
    {
      tool: fileTool(
        "read_file",
        "read",
        [pathOf(i, ["path", "absolute_path", "file_path"], "read_file")],
        cwd,
      ),
    },
  ],
  write_file: (i, cwd) => [
    { tool: fileTool("write_file", "write", [text(i, "file_path", "write_file")], cwd) },
  ],
  replace: (i, cwd) => [{ tool: fileTool("replace", "write", [text(i, "file_path", "replace")], cwd) }],
  glob: (i, cwd) => {
    const dir = optionalText(i, "path", "glob") ?? cwd;
    return [{ tool: fileTool("glob", "read", [globBase(text(i, "pattern", "glob"), dir)], cwd) }];
  },
  search_file_content: (i, cwd) => [
    {
      tool: fileTool(
        "search_file_content",
        "read",
        [optionalText(i, "path", "search_file_content") ?? cwd],
        cwd,
      ),
    },
  ],
  list_directory: (i, cwd) => [
    { tool: fileTool("list_directory", "read", [text(i, "path", "list_directory")], cwd) },
  ],
  read_many_files: (i, cwd) => {
    const paths = i.paths;
    if (!Array.isArray(paths) || paths.length === 0 || !paths.every((p) => typeof p === "string" && p !== ""))
      throw new HookInputError("read_many_files: tool_input.paths must be a non-empty array of strings");
    // Paths may be globs: each is decided where it starts searching.
    return [
      {
        tool: fileTool(
          "read_many_files",
          "read",
          (paths as string[]).map((p) => globBase(p, cwd)),
          cwd,
        ),
      },
    ];
  },
  web_fetch: (i) => {
    // A URL in prose ends before the punctuation that follows it ("see https://x.example/a, then …").
    const found = (text(i, "prompt", "web_fetch").match(URLS) ?? []).map((u) => u.replace(/[.,;:!?]+$/, ""));
    const urls = [...new Set(found)];
    if (urls.length === 0) throw new HookInputError("web_fetch: tool_input.prompt names no http(s) URL");
    return urls.map((url) => ({ tool: webFetch("web_fetch", url) }));
  },
  google_web_search: (i) => [{ tool: webSearch("google_web_search", text(i, "query", "google_web_search")) }],
};

function pathOf(input: Input, fields: string[], tool: string): string {
  const name = fields.find((f) => input[f] !== undefined);
  if (!name) throw new HookInputError(`${tool}: tool_input needs ${fields.join(" or ")}`);
  return text(input, name, tool);
}

export const geminiCli: RuntimeProtocol = {
  name: "gemini-cli",
  projectDirEnv: "GEMINI_PROJECT_DIR",
  parse: (raw) =>
    parseToolEvent(
      raw,
      "Gemini CLI",
      { before: "BeforeTool", after: "AfterTool", transcript: ["AfterAgent", "SessionEnd"] },
      tools,
    ),
  readTranscript: readGeminiCliTranscript,
  render(answer) {
    if (answer.verdict === "none" || answer.verdict === "ask") return "{}\n";
    const decision = answer.verdict === "allow" ? "allow" : "deny";
    return `${JSON.stringify({ decision, reason: answer.reason })}\n`;
  },
};
