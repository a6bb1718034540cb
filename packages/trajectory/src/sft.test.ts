// SFT examples from hand-made trajectories (the cases a real run rarely shows), and the structural
// checker against both dialects: every example built passes; every broken one names what is wrong.
import type { Trajectory, TrajectoryStep } from "@workspace-ops/contracts";
import { describe, expect, it } from "vitest";
import { sftExample } from "./sft.js";
import { checkSftExample } from "./sft-check.js";

type Draft = TrajectoryStep extends infer S
  ? S extends TrajectoryStep
    ? Omit<S, "index" | "at">
    : never
  : never;

function trajectory(steps: Draft[]): Trajectory {
  return {
    kind: "Trajectory",
    apiVersion: "workspace-ops.dev/v1",
    trajectoryId: "traj-test",
    lineage: {
      sessionId: "s",
      toolExecutionIds: [],
      approvalRequestIds: [],
      traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
    },
    steps: steps.map((s, index) => ({ index, at: "2026-11-21T12:00:00Z", ...s }) as TrajectoryStep),
    redaction: { redactedAt: "2026-11-21T12:00:00Z", redactorVersion: "0", rules: [], totalRedactions: 0 },
  };
}

const call = (id: string, argv = ["ls"]): Draft => ({
  type: "tool_call",
  toolExecutionId: id,
  tool: { kind: "shell", name: argv[0] as string, argv },
});
const tool = (id: string, content = '{"outcome":"succeeded"}'): Draft => ({
  type: "message",
  role: "tool",
  toolExecutionId: id,
  content,
  trainable: false,
});
const say = (
  role: "system" | "user" | "assistant",
  content: string,
  trainable = role === "assistant",
): Draft => ({ type: "message", role, content, trainable });

describe("sftExample", () => {
  it("puts parallel calls in one assistant message and a message said meanwhile after their results", () => {
    const result = sftExample(
      trajectory([
        say("user", "go"),
        call("a"),
        call("b"),
        say("user", "still there?"),
        tool("a"),
        tool("b"),
        say("assistant", "done"),
      ]),
      "openai",
    );
    if (!result.ok) throw new Error(result.detail);
    expect(
      result.example.messages.map((m) => [
        m.role,
        m.tool_calls?.map((c) => c.id) ?? m.tool_call_id ?? m.content,
      ]),
    ).toEqual([
      ["user", "go"],
      ["assistant", ["a", "b"]],
      ["tool", "a"],
      ["tool", "b"],
      ["user", "still there?"],
      ["assistant", "done"],
    ]);
    expect(checkSftExample(result.example, "openai")).toEqual([]);
  });

  it("names MCP functions mcp__<server>__<tool> with the sanitized arguments, and lists the tools", () => {
    const result = sftExample(
      trajectory([
        say("user", "read it"),
        {
          type: "tool_call",
          toolExecutionId: "m1",
          tool: { kind: "mcp", server: "files.local", name: "read:file", sanitizedArgs: { path: "a.txt" } },
        },
        tool("m1"),
      ]),
      "openai",
    );
    if (!result.ok) throw new Error(result.detail);
    expect(result.example.messages[1]?.tool_calls).toEqual([
      {
        id: "m1",
        type: "function",
        function: { name: "mcp__files_local__read_file", arguments: '{"path":"a.txt"}' },
      },
    ]);
    expect(result.example.tools?.map((t) => t.function.name)).toEqual(["mcp__files_local__read_file"]);
    expect(checkSftExample(result.example, "openai")).toEqual([]);
  });

  it("answers a call that has no tool message, so the example stays well formed", () => {
    const result = sftExample(trajectory([say("user", "go"), call("a")]), "tinker");
    if (!result.ok) throw new Error(result.detail);
    expect(result.example.messages.at(-1)).toEqual({
      role: "tool",
      content: '{"outcome":"pending","note":"no result was recorded"}',
      tool_call_id: "a",
      trainable: false,
    });
    expect(checkSftExample(result.example, "tinker")).toEqual([]);
  });

  it("trains on no refused call, and leaves out a trajectory with nothing to train on", () => {
    const refused: Draft = {
      type: "decision",
      decisionId: "d",
      toolExecutionId: "a",
      decision: "deny",
      reasons: [{ code: "network_denied", message: "no", policy: "p" }],
    };
    expect(sftExample(trajectory([say("user", "go"), call("a"), refused, tool("a")]), "openai")).toEqual({
      ok: false,
      detail: "no assistant message or allowed tool call to train on",
    });
  });
});

describe("checkSftExample", () => {
  const good = {
    messages: [
      { role: "user", content: "go" },
      {
        role: "assistant",
        content: "",
        tool_calls: [
          { id: "a", type: "function", function: { name: "shell", arguments: '{"argv":["ls"]}' } },
        ],
        weight: 1,
      },
      { role: "tool", tool_call_id: "a", content: "ok" },
      { role: "assistant", content: "done" },
    ],
    tools: [{ type: "function", function: { name: "shell", parameters: { type: "object" } } }],
  };
  const fnOf = (l: typeof good) =>
    (l.messages[1] as { tool_calls: [{ function: { name: string; arguments: string } }] }).tool_calls[0]
      .function;
  const broken = (change: (line: typeof good & Record<string, unknown>) => void) => {
    const line = structuredClone(good) as typeof good & Record<string, unknown>;
    change(line);
    return checkSftExample(line, "openai");
  };

  it("accepts a well-formed example", () => {
    expect(checkSftExample(good, "openai")).toEqual([]);
  });

  it.each([
    [
      "an unknown top-level key",
      (l: Record<string, unknown>) => (l.metadata = {}),
      [{ pointer: "/metadata", message: "unknown key" }],
    ],
    [
      "a weight on a user message",
      (l: typeof good) => Object.assign(l.messages[0] as object, { weight: 1 }),
      [{ pointer: "/messages/0/weight", message: "not a key of user messages in the openai format" }],
    ],
    [
      "a weight that is not 0 or 1",
      (l: typeof good) => Object.assign(l.messages[3] as object, { weight: 0.5 }),
      [{ pointer: "/messages/3/weight", message: "must be 0 or 1" }],
    ],
    [
      "arguments that do not parse",
      (l: typeof good) => (fnOf(l).arguments = "{argv"),
      [{ pointer: "/messages/1/tool_calls/0/function/arguments", message: "does not parse as JSON" }],
    ],
    [
      "arguments that are not an object",
      (l: typeof good) => (fnOf(l).arguments = "[1]"),
      [{ pointer: "/messages/1/tool_calls/0/function/arguments", message: "must encode a JSON object" }],
    ],
    [
      "a tool message answering no open call",
      (l: typeof good) => ((l.messages[2] as { tool_call_id: string }).tool_call_id = "b"),
      [
        {
          pointer: "/messages/2/tool_call_id",
          message: "b answers no open tool call of the assistant message before it",
        },
        { pointer: "/messages/3", message: "tool call(s) a are not answered before this assistant message" },
      ],
    ],
    [
      "a call never answered",
      (l: typeof good) => l.messages.splice(2, 2),
      [{ pointer: "/messages", message: "tool call(s) a are never answered" }],
    ],
    [
      "a function name outside [a-zA-Z0-9_-]",
      (l: typeof good) => (fnOf(l).name = "my.tool"),
      [{ pointer: "/messages/1/tool_calls/0/function/name", message: "must match [a-zA-Z0-9_-]{1,64}" }],
    ],
    [
      "a function not among the tools",
      (l: typeof good) => ((l.tools[0] as { function: { name: string } }).function.name = "other"),
      [
        {
          pointer: "/messages/1/tool_calls/0/function/name",
          message: '"shell" is not among the example\'s tools',
        },
      ],
    ],
    [
      "an unknown role",
      (l: typeof good) => ((l.messages[0] as { role: string }).role = "developer"),
      [{ pointer: "/messages/0/role", message: "must be system, user, assistant or tool" }],
    ],
    [
      "no assistant message trained on",
      (l: typeof good) => {
        (l.messages[1] as { weight: number }).weight = 0;
        Object.assign(l.messages[3] as object, { weight: 0 });
      },
      [{ pointer: "/messages", message: "no assistant message is trained on" }],
    ],
  ] as const)("names %s", (_what, change, problems) => {
    expect(broken(change as (l: typeof good & Record<string, unknown>) => void)).toEqual(problems);
  });

  it("requires trainable on every tinker message, and no weight or tools", () => {
    expect(checkSftExample(good, "tinker")).toEqual([
      { pointer: "/tools", message: "unknown key" },
      { pointer: "/messages/0/trainable", message: "every message needs trainable (true or false)" },
      { pointer: "/messages/1/weight", message: "not a key of assistant messages in the tinker format" },
      { pointer: "/messages/1/trainable", message: "every message needs trainable (true or false)" },
      { pointer: "/messages/2/trainable", message: "every message needs trainable (true or false)" },
      { pointer: "/messages/3/trainable", message: "every message needs trainable (true or false)" },
      { pointer: "/messages", message: "no assistant message is trained on" },
    ]);
  });
});
