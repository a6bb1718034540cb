// @ts-check
// A valid ToolExecutionRequest, built the way an agent runtime sends one: a copy of toolCall() from
// packages/executor/src/testing/payloads.ts (not exported by the package). One difference: tool.name
// is the command's base name, because the contract's Identifier pattern has no "/" (toolCall(["/bin/true"])
// there would be rejected as invalid before anything is decided or run).
import { randomUUID } from "node:crypto";

export const T0 = "2026-11-21T12:00:00Z";
export const traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
export const agent = { type: "agent", id: "agent-coder-1" };

/**
 * @param {string[]} argv
 * @param {{ actor?: { type: string, id: string }, cwd?: string, id?: string }} [extra]
 */
export function toolCall(argv, extra = {}) {
  const id = extra.id ?? `texec-${randomUUID()}`;
  return {
    kind: "ToolExecutionRequest",
    apiVersion: "workspace-ops.dev/v1",
    toolExecutionId: id,
    requestedAt: T0,
    context: {
      organizationId: "org-acme",
      workspaceId: "ws-demo",
      sessionId: "sess-1",
      agentRunId: "run-1",
      agentRunStepId: `${id}-step`,
      actor: extra.actor ?? agent,
      surface: "cli",
      cwd: extra.cwd ?? ".",
    },
    tool: { kind: "shell", name: (argv[0] ?? "x").split("/").pop() || "x", argv },
    correlation: { traceparent },
  };
}
