// A real governed session for the tests: a real executor (process sandbox), real commands, a real
// SQLite store — a read-only listing, a destructive call approved by another principal, a network call
// denied twice, the conversation and cohort attached by annotation, and model usage.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Executor } from "@workspace-ops/executor";

export const traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
const agent = { type: "agent", id: "agent-coder-1" } as const;
export const alice = { type: "user", id: "alice" } as const;

let n = 0;

/** A ToolExecutionRequest of the session for a tool (shell or MCP). */
export function request(sessionId: string, id: string, tool: object) {
  return {
    kind: "ToolExecutionRequest",
    apiVersion: "workspace-ops.dev/v1",
    toolExecutionId: id,
    requestedAt: new Date().toISOString(),
    context: {
      organizationId: "org-acme",
      workspaceId: "ws-test",
      sessionId,
      agentRunId: "run-1",
      agentRunStepId: `${id}-step`,
      actor: agent,
      surface: "cli",
      cwd: ".",
    },
    tool,
    correlation: { traceparent },
  };
}

/** A shell call of the session. */
export const toolCall = (sessionId: string, argv: string[], id = `texec-${process.pid}-${++n}`) =>
  request(sessionId, id, { kind: "shell", name: argv[0] ?? "x", argv });

/** A real executor (governed, process sandbox) on a new workspace holding `files`, with its own state directory. */
export async function openExecutor(files: Record<string, string>, stateDir?: string) {
  const workspaceRoot = mkdtempSync(join(tmpdir(), "wsops-traj-ws-"));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(workspaceRoot, name), content);
  const state = stateDir ?? mkdtempSync(join(tmpdir(), "wsops-traj-state-"));
  const executor = await Executor.open({
    workspaceRoot,
    stateDir: state,
    mode: "governed",
    sandbox: { backend: "process" },
  });
  return { executor, workspaceRoot, stateDir: state };
}

/** Now, then a pause: a message said at this time sorts before the commits that follow it. */
async function moment(): Promise<string> {
  const at = new Date().toISOString();
  await sleep(5);
  return at;
}

export interface GovernedRun {
  stateDir: string;
  workspaceRoot: string;
  sessionId: string;
  ids: { ls: string; rm: string; curl1: string; curl2: string; approvalRequestId: string };
}

export async function governedRun(
  options: { sessionId?: string; annotate?: boolean; stateDir?: string } = {},
): Promise<GovernedRun> {
  const sessionId = options.sessionId ?? "sess-governed";
  const { executor, workspaceRoot, stateDir } = await openExecutor(
    { "notes.txt": "hello\n" },
    options.stateDir,
  );
  try {
    const asked = await moment();
    const thinking = await moment();
    const ls = toolCall(sessionId, ["ls", "-a"]);
    await executor.exec(ls);
    const rm = toolCall(sessionId, ["rm", "notes.txt"]);
    const pending = await executor.exec(rm);
    if (pending.kind !== "pending") throw new Error(`rm was not parked: ${JSON.stringify(pending)}`);
    await executor.approve(pending.approvalRequestId, alice);
    await executor.resume(rm.toolExecutionId);
    const curl1 = toolCall(sessionId, ["curl", "https://example.com"]);
    await executor.exec(curl1);
    const curl2 = toolCall(sessionId, ["curl", "https://example.com"]);
    await executor.exec(curl2);
    await executor.recordUsage({
      kind: "UsageRecord",
      apiVersion: "workspace-ops.dev/v1",
      usageId: `use-${sessionId}`,
      persona: "coder",
      provider: "anthropic",
      model: "claude-sonnet-4-5",
      tokensIn: 1200,
      tokensOut: 300,
      costUsd: 0.0081,
      occurredAt: await moment(),
      sessionId,
    });
    const done = await moment();
    if (options.annotate !== false) {
      const annotated = await executor.annotateSession({
        kind: "SessionAnnotation",
        apiVersion: "workspace-ops.dev/v1",
        sessionId,
        messages: [
          { role: "system", content: "You are a careful coding agent.", at: asked },
          { role: "user", content: "Remove notes.txt and fetch example.com.", at: asked },
          { role: "assistant", content: "Let me look at the workspace first.", at: thinking },
          { role: "assistant", content: "notes.txt is gone; the network is closed to me here.", at: done },
        ],
        cohort: { arm: "candidate", flag: "governed-exec-rollout", model: "claude-sonnet-4-5" },
        eval: { evalId: "eval-test", scenarioId: "scn-cleanup", success: true },
      });
      if (!annotated.ok) throw new Error(`annotation refused: ${JSON.stringify(annotated)}`);
    }
    return {
      stateDir,
      workspaceRoot,
      sessionId,
      ids: {
        ls: ls.toolExecutionId,
        rm: rm.toolExecutionId,
        curl1: curl1.toolExecutionId,
        curl2: curl2.toolExecutionId,
        approvalRequestId: pending.approvalRequestId,
      },
    };
  } finally {
    await executor.close();
  }
}

export function operation(operationType: string, artifact: object, id: string) {
  const now = Date.now();
  return {
    kind: "WorkspaceOperationContract",
    apiVersion: "workspace-ops.dev/v1",
    workspaceOperation: {
      operationId: id,
      operationType,
      commandRef: "cmd://test",
      requestedAt: new Date(now).toISOString(),
      workspace: { organizationId: "org-acme", workspaceId: "ws-test", root: "/workspace" },
    },
    operationTask: { taskId: `task-${id}`, state: "pending" },
    delegation: {
      delegator: alice,
      delegate: agent,
      scopes: [operationType],
      issuedAt: new Date(now - 60_000).toISOString(),
      expiresAt: new Date(now + 3_600_000).toISOString(),
    },
    controls: {
      delegatedAuthorityRequired: true,
      ambientAuthority: false,
      durableWorkspaceState: { mode: "operation-contract-only", externalWrites: false },
    },
    budget: { maxWallClockSeconds: 60, maxSteps: 5 },
    artifact,
    lifecycle: { emits: ["dev.workspace-ops.operation.started", "dev.workspace-ops.operation.completed"] },
    audit: { traceparent },
  };
}

export const profile = {
  kind: "AgentMachineProfile",
  apiVersion: "workspace-ops.dev/v1",
  profileId: "profile-test",
  persona: "coder",
  allowedOperationTypes: ["agent_machine.execution.start"],
  sandbox: { network: "none", filesystem: "workspace-write", backend: "process" },
  envAllowlist: ["PATH", "HOME"],
  defaultBudget: { maxWallClockSeconds: 600, maxSteps: 20 },
};

export const execution = (id: string, environment: string, steps: [string, string[], number][]) => ({
  kind: "LocalAgentExecution",
  apiVersion: "workspace-ops.dev/v1",
  executionId: id,
  owner: alice,
  environment,
  steps: steps.map(([name, argv, timeoutSeconds]) => ({
    name,
    argv,
    cwd: ".",
    timeoutSeconds,
    destructive: false,
  })),
});
