// The hooks at the end of a turn and of a session, end to end: the real binary reads a recorded-style
// transcript (Claude Code's Stop/SessionEnd, Gemini CLI's AfterAgent/SessionEnd) and attaches its
// conversation to the session (redacted, each message once, however often a turn ends), and an export
// shows it beside the session's governed calls. Whatever goes wrong with the transcript is one line on
// stderr and exit 0: such a hook never holds the agent.
import { appendFileSync, chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { wsops } from "../cli/run-cli.js";
import { hook, recorded, workspace } from "./support.js";

const SESSION = "0b6f2c1e-5d7a-4f1e-9c3b-2a8d7e6f5a41";
const fixtures = new URL("./fixtures/claude-code/", import.meta.url).pathname;

/** A turn of the recorded transcript, with the workspace filled in. */
const turn = (n: 1 | 2, ws: { dir: string }) =>
  readFileSync(join(fixtures, `transcript-turn-${n}.jsonl`), "utf8").replaceAll("{{WORKSPACE}}", ws.dir);

const ending = (event: "Stop" | "SessionEnd", transcript: string, ws: { dir: string }) => ({
  session_id: SESSION,
  transcript_path: transcript,
  cwd: ws.dir,
  permission_mode: "default",
  hook_event_name: event,
  ...(event === "Stop" ? { stop_hook_active: false } : { reason: "prompt_input_exit" }),
});

type Step = { type: string; role?: string; content?: string; at: string; trainable?: boolean };

function exportedSteps(ws: { dir: string }, session = SESSION): Step[] {
  const ran = wsops(["export", "--format", "trajectory", "--session", session], { cwd: ws.dir });
  expect(ran.code).toBe(0);
  const lines = ran.stdout.trim().split("\n");
  expect(lines).toHaveLength(1);
  return (JSON.parse(lines[0] as string) as { steps: Step[] }).steps;
}

const conversation = [
  {
    role: "user",
    content:
      "List the files here and tell me what changed. The CI token is [REDACTED:github-token] if you need it.",
    at: "2026-12-01T12:00:01.104Z",
  },
  {
    role: "assistant",
    content: "I'll list the files and check git status. I won't need the token.",
    at: "2026-12-01T12:00:04.020Z",
  },
  {
    role: "assistant",
    content: "There are two entries, README.md and src/, and git reports no changes.",
    at: "2026-12-01T12:00:07.250Z",
  },
];
const secondTurn = [
  {
    role: "user",
    content: "Thanks. Ask a helper to look for TODOs, then show me README.md.",
    at: "2026-12-01T12:01:10.000Z",
  },
  {
    role: "assistant",
    content: "The helper found no TODOs.\n\nREADME.md holds one heading: # demo.",
    at: "2026-12-01T12:01:12.500Z",
  },
];

/** The conversation's steps (the tool messages are the calls' results). */
const said = (steps: Step[]) => steps.filter((s) => s.type === "message" && s.role !== "tool");
const messagesOf = (steps: Step[]) => said(steps).map(({ role, content, at }) => ({ role, content, at }));

/** How many messages each session_annotated audit record says were attached. */
const annotatedCounts = (auditJsonl: string) =>
  auditJsonl
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as { type: string; data: { messages?: number } })
    .filter((r) => r.type === "session_annotated")
    .map((r) => r.data.messages);

describe("wsops hook claude-code: the transcript into the session's annotations", () => {
  it("records the conversation once however often a turn ends, redacted, beside the governed calls", () => {
    const ws = workspace();
    const transcript = join(mkdtempSync(join(tmpdir(), "wsops-claude-projects-")), `${SESSION}.jsonl`);
    writeFileSync(transcript, turn(1, ws));

    // The turn's governed call, before and after it ran.
    const pre = recorded("claude-code", "pre-bash-read-only", ws);
    expect(hook("claude-code", pre, ws).code).toBe(0);
    const post = {
      ...pre,
      hook_event_name: "PostToolUse",
      tool_response: { stdout: "README.md\nsrc\n", stderr: "", interrupted: false, isImage: false },
    };
    expect(hook("claude-code", post, ws)).toEqual({ code: 0, stdout: "", stderr: "" });

    // The turn ends (twice: Claude Code may run Stop again for the same transcript).
    const quiet = { code: 0, stdout: "", stderr: "" };
    expect(hook("claude-code", ending("Stop", transcript, ws), ws)).toEqual(quiet);
    expect(hook("claude-code", ending("Stop", transcript, ws), ws)).toEqual(quiet);
    let steps = exportedSteps(ws);
    expect(messagesOf(steps)).toEqual(conversation);
    expect(steps.filter((s) => s.type === "tool_call")).toHaveLength(1);
    expect(said(steps).map((s) => s.trainable)).toEqual([false, true, true]);

    // The next turn, then the session ends: only the new messages are added.
    appendFileSync(transcript, turn(2, ws));
    expect(hook("claude-code", ending("Stop", transcript, ws), ws)).toEqual(quiet);
    expect(hook("claude-code", ending("SessionEnd", transcript, ws), ws, ["--mode", "observe"])).toEqual(
      quiet,
    );
    steps = exportedSteps(ws);
    expect(messagesOf(steps)).toEqual([...conversation, ...secondTurn]);

    // Stored once per message, the token never.
    const audit = wsops(["audit", "export"], { cwd: ws.dir });
    expect(annotatedCounts(audit.stdout)).toEqual([3, 2]);
    expect(audit.stdout).not.toContain("ghp_abcdefghijklmnopqrstuvwxyz0123456789");
  });

  it("warns in one line and exits 0 when the transcript or the state cannot be read, in both modes", () => {
    const ws = workspace();
    const missing = join(tmpdir(), "wsops-no-such-dir", "t.jsonl");
    for (const mode of ["governed", "observe"]) {
      expect(hook("claude-code", ending("Stop", missing, ws), ws, ["--mode", mode])).toEqual({
        code: 0,
        stdout: "",
        stderr: `wsops hook claude-code: the transcript ${missing} cannot be read (ENOENT); the conversation was not recorded\n`,
      });
    }
    const unreadable = join(mkdtempSync(join(tmpdir(), "wsops-claude-projects-")), "t.jsonl");
    writeFileSync(unreadable, turn(1, ws));
    chmodSync(unreadable, 0);
    const denied = hook("claude-code", ending("SessionEnd", unreadable, ws), ws);
    // root reads a file whatever its mode: then the transcript is recorded and nothing is said.
    if (process.getuid?.() !== 0)
      expect(denied.stderr).toBe(
        `wsops hook claude-code: the transcript ${unreadable} cannot be read (EACCES); the conversation was not recorded\n`,
      );
    expect(denied).toMatchObject({ code: 0, stdout: "" });

    const { transcript_path: _, ...noPath } = ending("Stop", missing, ws);
    expect(hook("claude-code", noPath, ws)).toEqual({
      code: 0,
      stdout: "",
      stderr:
        "wsops hook claude-code: the Stop input names no transcript_path; the conversation was not recorded\n",
    });

    const readable = join(mkdtempSync(join(tmpdir(), "wsops-claude-projects-")), "t.jsonl");
    writeFileSync(readable, turn(1, ws));
    const noState = hook("claude-code", ending("Stop", readable, ws), ws, [
      "--store",
      `sqlite:${readable}/state.db`,
    ]);
    expect(noState.code).toBe(0);
    expect(noState.stdout).toBe("");
    expect(noState.stderr).toMatch(
      /^wsops hook claude-code: the workspace's state cannot be opened or written: .*EEXIST.*; the conversation was not recorded\n$/,
    );
  });
});

describe("wsops hook gemini-cli: the transcript into the session's annotations", () => {
  const GEMINI_SESSION = "gem-7c2f9a10-3b4d-4e8f-a1c2-d3e4f5a6b7c8";
  const message = (id: string, timestamp: string, type: string, content: unknown, extra: object = {}) => ({
    id,
    timestamp,
    type,
    content,
    ...extra,
  });
  const turnOne = [
    message("m1", "2026-12-01T12:00:00.500Z", "user", "Show me the recent commits."),
    message("m2", "2026-12-01T12:00:02.000Z", "gemini", "", {
      toolCalls: [
        { id: "c1", name: "run_shell_command", args: { command: "git log --oneline -5" }, status: "success" },
      ],
      thoughts: [{ subject: "Plan", description: "Run git log.", timestamp: "2026-12-01T12:00:01.000Z" }],
      model: "gemini-2.5-pro",
    }),
    message("m3", "2026-12-01T12:00:03.000Z", "gemini", "There are no commits yet."),
  ];
  const turnTwo = [
    message("m4", "2026-12-01T12:01:00.000Z", "user", [{ text: "OK, thanks." }]),
    message("m5", "2026-12-01T12:01:01.000Z", "info", "Session saved"),
    message("m6", "2026-12-01T12:01:02.000Z", "gemini", [{ text: "You're welcome." }]),
  ];
  const recording = (messages: unknown[]) =>
    JSON.stringify({
      sessionId: GEMINI_SESSION,
      projectHash: "5d41402abc4b2a76b9719d911017c592",
      startTime: "2026-12-01T12:00:00.000Z",
      lastUpdated: "2026-12-01T12:01:02.000Z",
      messages,
    });
  const ending = (event: "AfterAgent" | "SessionEnd", transcript: string, ws: { dir: string }) => ({
    session_id: GEMINI_SESSION,
    transcript_path: transcript,
    cwd: ws.dir,
    hook_event_name: event,
    timestamp: "2026-12-01T12:01:03.000Z",
    ...(event === "AfterAgent"
      ? {
          prompt: "Show me the recent commits.",
          prompt_response: "There are no commits yet.",
          stop_hook_active: false,
        }
      : { reason: "exit" }),
  });

  it("records the conversation once however often a turn ends, beside the governed calls", () => {
    const ws = workspace();
    const transcript = join(mkdtempSync(join(tmpdir(), "wsops-gemini-chats-")), "session.json");
    writeFileSync(transcript, recording(turnOne));
    expect(hook("gemini-cli", recorded("gemini-cli", "before-run-shell-read-only", ws), ws).code).toBe(0);

    const noOpinion = { code: 0, stdout: "{}\n", stderr: "" };
    expect(hook("gemini-cli", ending("AfterAgent", transcript, ws), ws)).toEqual(noOpinion);
    expect(hook("gemini-cli", ending("AfterAgent", transcript, ws), ws)).toEqual(noOpinion);
    writeFileSync(transcript, recording([...turnOne, ...turnTwo]));
    expect(hook("gemini-cli", ending("SessionEnd", transcript, ws), ws)).toEqual(noOpinion);

    const steps = exportedSteps(ws, GEMINI_SESSION);
    expect(messagesOf(steps)).toEqual([
      { role: "user", content: "Show me the recent commits.", at: "2026-12-01T12:00:00.500Z" },
      { role: "assistant", content: "There are no commits yet.", at: "2026-12-01T12:00:03.000Z" },
      { role: "user", content: "OK, thanks.", at: "2026-12-01T12:01:00.000Z" },
      { role: "assistant", content: "You're welcome.", at: "2026-12-01T12:01:02.000Z" },
    ]);
    expect(steps.filter((s) => s.type === "tool_call")).toHaveLength(1);
    expect(annotatedCounts(wsops(["audit", "export"], { cwd: ws.dir }).stdout)).toEqual([2, 2]);
  });

  it("warns in one line and answers no opinion when the transcript cannot be read", () => {
    const ws = workspace();
    const missing = join(tmpdir(), "wsops-no-such-dir", "session.json");
    expect(hook("gemini-cli", ending("AfterAgent", missing, ws), ws)).toEqual({
      code: 0,
      stdout: "{}\n",
      stderr: `wsops hook gemini-cli: the transcript ${missing} cannot be read (ENOENT); the conversation was not recorded\n`,
    });
  });
});
