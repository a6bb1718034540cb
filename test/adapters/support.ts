// Shared by the adapter tests: a workspace, the recorded hook inputs with its paths filled in, and
// the real wsops binary run on them.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { wsops } from "../cli/run-cli.js";

const fixtures = new URL("./fixtures/", import.meta.url).pathname;

/** A workspace with a little project in it; and a folder outside it. */
export function workspace() {
  const dir = mkdtempSync(join(tmpdir(), "wsops-hook-ws-"));
  mkdirSync(join(dir, "src"));
  writeFileSync(join(dir, "src", "index.ts"), "export const a = 1;\n");
  writeFileSync(join(dir, "README.md"), "# demo\n");
  const outside = mkdtempSync(join(tmpdir(), "wsops-hook-outside-"));
  return { dir, outside };
}

/** A recorded hook input with {{WORKSPACE}}, {{HOME}} and {{OUTSIDE}} filled in. */
export function recorded(
  runtime: "claude-code" | "gemini-cli",
  name: string,
  ws: { dir: string; outside: string },
) {
  const text = readFileSync(join(fixtures, runtime, `${name}.json`), "utf8")
    .replaceAll("{{WORKSPACE}}", ws.dir)
    .replaceAll("{{HOME}}", homedir())
    .replaceAll("{{OUTSIDE}}", ws.outside);
  return JSON.parse(text) as Record<string, unknown>;
}

/** `wsops hook RUNTIME ARGS…` with the input on stdin, in the workspace. */
export function hook(runtime: string, input: unknown, ws: { dir: string }, args: string[] = []) {
  return wsops(["hook", runtime, ...args], {
    cwd: ws.dir,
    input: typeof input === "string" ? input : JSON.stringify(input),
  });
}

/** A call's state and decision, read with wsops status. */
export function status(id: string, ws: { dir: string }) {
  const ran = wsops(["status", id, "--json"], { cwd: ws.dir });
  if (ran.code !== 0) throw new Error(`wsops status ${id}: ${ran.stderr}`);
  return JSON.parse(ran.stdout) as {
    state: string;
    decision?: { decision: string };
    result?: Record<string, unknown>;
  };
}

/** A profile.create operation for the workspace, delegated by alice to herself, valid for an hour. */
export function writeProfileOperation(file: string, root: string, extra: object = {}) {
  const now = Date.now();
  const at = (s: number) => new Date(now + s * 1000).toISOString();
  const operation = {
    kind: "WorkspaceOperationContract",
    apiVersion: "workspace-ops.dev/v1",
    workspaceOperation: {
      operationId: `op-profile-${now}`,
      operationType: "agent_machine.profile.create",
      commandRef: "cmd://test/profile",
      requestedAt: at(0),
      workspace: { organizationId: "local", workspaceId: "ws", root },
    },
    operationTask: { taskId: `task-${now}`, state: "pending" },
    delegation: {
      delegator: { type: "user", id: "alice" },
      delegate: { type: "user", id: "alice" },
      scopes: ["agent_machine.profile.create"],
      issuedAt: at(-60),
      expiresAt: at(3600),
    },
    controls: {
      delegatedAuthorityRequired: true,
      ambientAuthority: false,
      durableWorkspaceState: { mode: "operation-contract-only", externalWrites: false },
    },
    budget: { maxWallClockSeconds: 30, maxSteps: 1 },
    artifact: {
      kind: "AgentMachineProfile",
      apiVersion: "workspace-ops.dev/v1",
      profileId: "profile-agents",
      persona: "coder",
      allowedOperationTypes: [
        "agent_machine.execution.start",
        "agent_machine.tool_grant.apply",
        "agent_machine.tool_grant.revoke",
      ],
      sandbox: { network: "none", filesystem: "workspace-write", backend: "process" },
      envAllowlist: ["PATH", "HOME"],
      defaultBudget: { maxWallClockSeconds: 600, maxSteps: 20 },
      ...extra,
    },
    lifecycle: { emits: ["dev.workspace-ops.operation.completed"] },
    audit: { traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" },
  };
  writeFileSync(file, JSON.stringify(operation));
}
