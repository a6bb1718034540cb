// The runtimes' hook inputs as calls, and answers as their outputs: pure mapping, no executor.
import { describe, expect, it } from "vitest";
import { claudeCode } from "./claude-code.js";
import { geminiCli } from "./gemini-cli.js";
import { HookInputError } from "./request.js";

const claude = (tool: string, input: object, event = "PreToolUse", extra: object = {}) =>
  claudeCode.parse({
    session_id: "s-1",
    transcript_path: "/home/dev/.claude/t.jsonl",
    cwd: "/home/dev/demo/src",
    permission_mode: "default",
    hook_event_name: event,
    tool_name: tool,
    tool_input: input,
    tool_use_id: "toolu_01",
    ...extra,
  });

const gemini = (tool: string, input: object, event = "BeforeTool", extra: object = {}) =>
  geminiCli.parse({
    session_id: "g-1",
    transcript_path: "/t",
    cwd: "/home/dev/demo",
    hook_event_name: event,
    timestamp: "2026-12-01T12:00:00Z",
    tool_name: tool,
    tool_input: input,
    ...extra,
  });

const callsOf = (event: ReturnType<typeof claudeCode.parse>) => {
  if (event.kind === "ignored") throw new Error(event.why);
  if (event.kind === "transcript") throw new Error(`a ${event.eventName} event has no calls`);
  return event.calls;
};

describe("Claude Code's tools as calls", () => {
  it.each([
    ["Bash", { command: "ls -la" }, { kind: "shell", name: "bash", argv: ["bash", "-c", "ls -la"] }],
    [
      "Read",
      { file_path: "/home/dev/demo/a.ts" },
      { kind: "file", name: "Read", access: "read", paths: ["/home/dev/demo/a.ts"] },
    ],
    [
      "Write",
      { file_path: "b.ts", content: "x" },
      { kind: "file", name: "Write", access: "write", paths: ["/home/dev/demo/src/b.ts"] },
    ],
    [
      "Edit",
      { file_path: "/home/dev/demo/../x", old_string: "a", new_string: "b" },
      { kind: "file", name: "Edit", access: "write", paths: ["/home/dev/x"] },
    ],
    [
      "MultiEdit",
      { file_path: "/a", edits: [] },
      { kind: "file", name: "MultiEdit", access: "write", paths: ["/a"] },
    ],
    [
      "NotebookEdit",
      { notebook_path: "/n.ipynb", new_source: "" },
      { kind: "file", name: "NotebookEdit", access: "write", paths: ["/n.ipynb"] },
    ],
    [
      "Glob",
      { pattern: "**/*.ts" },
      { kind: "file", name: "Glob", access: "read", paths: ["/home/dev/demo/src"] },
    ],
    [
      "Glob",
      { pattern: "../../etc/*.conf", path: "/home/dev/demo" },
      { kind: "file", name: "Glob", access: "read", paths: ["/home/etc"] },
    ],
    [
      "Grep",
      { pattern: "TODO" },
      { kind: "file", name: "Grep", access: "read", paths: ["/home/dev/demo/src"] },
    ],
    [
      "Grep",
      { pattern: "TODO", path: "/etc" },
      { kind: "file", name: "Grep", access: "read", paths: ["/etc"] },
    ],
    [
      "WebFetch",
      { url: "https://x.example/a", prompt: "p" },
      { kind: "web", name: "WebFetch", access: "fetch", url: "https://x.example/a" },
    ],
    ["WebSearch", { query: "q" }, { kind: "web", name: "WebSearch", access: "search", query: "q" }],
    [
      "mcp__github__create_issue",
      { title: "t", token: "ghp_abcdefghijklmnopqrstuvwxyz0123456789" },
      {
        kind: "mcp",
        server: "github",
        name: "create_issue",
        sanitizedArgs: { title: "t", token: "[REDACTED:sensitive-key]" },
      },
    ],
  ])("%s %j", (tool, input, expected) => {
    expect(callsOf(claude(tool, input))).toEqual([{ id: "texec-toolu_01", tool: expected }]);
  });

  it("reads how a tool ended from PostToolUse", () => {
    expect(
      claude("Bash", { command: "x" }, "PostToolUse", {
        tool_response: { stdout: "a", stderr: "", interrupted: true },
      }),
    ).toMatchObject({
      kind: "after",
      outcome: { outcome: "failed", output: '{"stdout":"a","stderr":"","interrupted":true}' },
    });
    expect(
      claude("Read", { file_path: "/a" }, "PostToolUse", { tool_response: { file: { content: "x" } } }),
    ).toMatchObject({
      outcome: { outcome: "succeeded" },
    });
  });

  it("ignores other tools and events, and refuses malformed input by name", () => {
    expect(claude("TodoWrite", { todos: [] })).toEqual({
      kind: "ignored",
      why: "wsops does not govern Claude Code's TodoWrite",
    });
    expect(claude("Bash", {}, "SubagentStop")).toEqual({
      kind: "ignored",
      why: "wsops governs PreToolUse and PostToolUse, not SubagentStop",
    });
    expect(() => claude("Read", { file_path: 7 })).toThrow(
      new HookInputError("Read: tool_input.file_path must be a non-empty string"),
    );
    expect(() => claude("Read", { file_path: "/a" }, "PreToolUse", { tool_use_id: undefined })).toThrow(
      "the hook input needs tool_use_id (a non-empty string)",
    );
    expect(() => claudeCode.parse([])).toThrow("the hook input must be a JSON object");
  });

  it("reads Stop and SessionEnd as the transcript's events, whatever they lack", () => {
    const stop = { session_id: "s-1", transcript_path: "/t.jsonl", cwd: "/w", hook_event_name: "Stop" };
    expect(claudeCode.parse({ ...stop, stop_hook_active: false })).toEqual({
      kind: "transcript",
      eventName: "Stop",
      sessionId: "s-1",
      cwd: "/w",
      transcriptPath: "/t.jsonl",
    });
    expect(claudeCode.parse({ hook_event_name: "SessionEnd", reason: "exit", transcript_path: 7 })).toEqual({
      kind: "transcript",
      eventName: "SessionEnd",
    });
  });

  it("renders answers as hookSpecificOutput; approval_required is a deny; no opinion is nothing", () => {
    expect(JSON.parse(claudeCode.render({ verdict: "approval_required", reason: "r" }))).toEqual({
      hookSpecificOutput: {
        hookEventName: "PreToolUse",
        permissionDecision: "deny",
        permissionDecisionReason: "r",
      },
    });
    expect(
      JSON.parse(claudeCode.render({ verdict: "ask", reason: "r" })).hookSpecificOutput.permissionDecision,
    ).toBe("ask");
    expect(claudeCode.render({ verdict: "none", reason: "" })).toBe("");
  });
});

describe("Gemini CLI's tools as calls", () => {
  it.each([
    [
      "run_shell_command",
      { command: "make", directory: "pkg" },
      [{ tool: { kind: "shell", name: "bash", argv: ["bash", "-c", "make"] }, cwd: "/home/dev/demo/pkg" }],
    ],
    [
      "read_file",
      { absolute_path: "/home/dev/demo/a" },
      [{ tool: { kind: "file", name: "read_file", access: "read", paths: ["/home/dev/demo/a"] } }],
    ],
    [
      "read_file",
      { path: "/a" },
      [{ tool: { kind: "file", name: "read_file", access: "read", paths: ["/a"] } }],
    ],
    [
      "write_file",
      { file_path: "/a", content: "" },
      [{ tool: { kind: "file", name: "write_file", access: "write", paths: ["/a"] } }],
    ],
    [
      "replace",
      { file_path: "/a", old_string: "", new_string: "" },
      [{ tool: { kind: "file", name: "replace", access: "write", paths: ["/a"] } }],
    ],
    [
      "glob",
      { pattern: "src/**/*.ts" },
      [{ tool: { kind: "file", name: "glob", access: "read", paths: ["/home/dev/demo/src"] } }],
    ],
    [
      "search_file_content",
      { pattern: "x" },
      [{ tool: { kind: "file", name: "search_file_content", access: "read", paths: ["/home/dev/demo"] } }],
    ],
    [
      "list_directory",
      { path: "/home/dev" },
      [{ tool: { kind: "file", name: "list_directory", access: "read", paths: ["/home/dev"] } }],
    ],
    [
      "read_many_files",
      { paths: ["src/*.ts", "/etc/hosts"] },
      [
        {
          tool: {
            kind: "file",
            name: "read_many_files",
            access: "read",
            paths: ["/home/dev/demo/src", "/etc/hosts"],
          },
        },
      ],
    ],
    [
      "web_fetch",
      { prompt: "compare https://a.example/x and https://b.example/y, then https://a.example/x" },
      [
        { tool: { kind: "web", name: "web_fetch", access: "fetch", url: "https://a.example/x" } },
        { tool: { kind: "web", name: "web_fetch", access: "fetch", url: "https://b.example/y" } },
      ],
    ],
    [
      "google_web_search",
      { query: "q" },
      [{ tool: { kind: "web", name: "google_web_search", access: "search", query: "q" } }],
    ],
    [
      "mcp__fs__read",
      { path: "/a" },
      [{ tool: { kind: "mcp", server: "fs", name: "read", sanitizedArgs: { path: "/a" } } }],
    ],
  ])("%s %j", (tool, input, expected) => {
    expect(callsOf(gemini(tool, input))).toEqual(expected);
  });

  it("reads AfterAgent and SessionEnd as the transcript's events", () => {
    expect(gemini("run_shell_command", {}, "AfterAgent", { prompt: "p", prompt_response: "r" })).toEqual({
      kind: "transcript",
      eventName: "AfterAgent",
      sessionId: "g-1",
      cwd: "/home/dev/demo",
      transcriptPath: "/t",
    });
    expect(gemini("run_shell_command", {}, "SessionEnd")).toMatchObject({ kind: "transcript" });
  });

  it("reads AfterTool's error, and renders decisions (ask and no opinion: {})", () => {
    expect(
      gemini("read_file", { path: "/a" }, "AfterTool", {
        tool_response: { llmContent: "", returnDisplay: "", error: { message: "ENOENT" } },
      }),
    ).toMatchObject({
      kind: "after",
      outcome: { outcome: "failed" },
    });
    expect(JSON.parse(geminiCli.render({ verdict: "approval_required", reason: "r" }))).toEqual({
      decision: "deny",
      reason: "r",
    });
    expect(JSON.parse(geminiCli.render({ verdict: "allow", reason: "ok" }))).toEqual({
      decision: "allow",
      reason: "ok",
    });
    expect(geminiCli.render({ verdict: "ask", reason: "r" })).toBe("{}\n");
    expect(() => gemini("web_fetch", { prompt: "no links here" })).toThrow(
      "web_fetch: tool_input.prompt names no http(s) URL",
    );
  });
});
