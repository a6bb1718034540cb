// Valid payloads for executor tests, built the way an agent runtime would send them.
import { randomUUID } from "node:crypto";

export const T0 = "2026-11-21T12:00:00Z";
export const traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
export const alice = { type: "user", id: "alice" } as const;
export const agent = { type: "agent", id: "agent-coder-1" } as const;

export function toolCall(
  argv: string[],
  extra: { actor?: { type: string; id: string }; cwd?: string; id?: string } = {},
) {
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
    // The contract's Identifier has no "/": an absolute argv[0] is named by its base name.
    tool: { kind: "shell", name: (argv[0] ?? "x").split("/").pop() || "x", argv },
    correlation: { traceparent },
  };
}

export function operation(
  operationType: string,
  artifact: object,
  extra: { id?: string; budget?: object; scopes?: string[] } = {},
) {
  return {
    kind: "WorkspaceOperationContract",
    apiVersion: "workspace-ops.dev/v1",
    workspaceOperation: {
      operationId: extra.id ?? `op-${randomUUID()}`,
      operationType,
      commandRef: "cmd://test",
      requestedAt: T0,
      workspace: { organizationId: "org-acme", workspaceId: "ws-demo", root: "/workspace" },
    },
    operationTask: { taskId: `task-${randomUUID()}`, state: "pending" },
    delegation: {
      delegator: { type: "user", id: "carol" },
      delegate: agent,
      scopes: extra.scopes ?? [operationType],
      issuedAt: "2026-11-21T11:00:00Z",
      expiresAt: "2026-11-21T18:00:00Z",
    },
    controls: {
      delegatedAuthorityRequired: true,
      ambientAuthority: false,
      durableWorkspaceState: { mode: "operation-contract-only", externalWrites: false },
    },
    budget: extra.budget ?? { maxWallClockSeconds: 600, maxSteps: 10 },
    artifact,
    lifecycle: { emits: ["dev.workspace-ops.operation.started", "dev.workspace-ops.operation.completed"] },
    audit: { traceparent },
  };
}

export const profile = (overrides: object = {}) => ({
  kind: "AgentMachineProfile",
  apiVersion: "workspace-ops.dev/v1",
  profileId: "profile-coder",
  persona: "coder",
  allowedOperationTypes: [
    "agent_machine.execution.start",
    "agent_machine.execution.cancel",
    "agent_machine.tool_grant.apply",
    "agent_machine.tool_grant.revoke",
    "agent_machine.model_provider.bind",
    "agent_machine.container.run",
    "agent_machine.diagnostics.export_redacted",
  ],
  sandbox: { network: "none", filesystem: "workspace-write", backend: "process" },
  envAllowlist: ["PATH", "HOME"],
  defaultBudget: { maxWallClockSeconds: 3600, maxSteps: 50 },
  ...overrides,
});

export const execution = (steps: object[], environment = "dev") => ({
  kind: "LocalAgentExecution",
  apiVersion: "workspace-ops.dev/v1",
  executionId: `exec-${randomUUID()}`,
  owner: alice,
  environment,
  steps,
});

export const step = (name: string, argv: string[], extra: object = {}) => ({
  name,
  argv,
  cwd: ".",
  timeoutSeconds: 30,
  destructive: false,
  ...extra,
});

/** An agent runtime's file tool (Read, Write …) on absolute paths. */
export function fileCall(name: string, access: "read" | "write", paths: string[]) {
  return { ...toolCall(["x"]), tool: { kind: "file", name, access, paths } };
}

/** An agent runtime's web tool: a fetch of a URL or a search. */
export function webCall(name: string, access: "fetch" | "search", what: string) {
  return {
    ...toolCall(["x"]),
    tool: { kind: "web", name, access, [access === "fetch" ? "url" : "query"]: what },
  };
}
