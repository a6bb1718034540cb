// `wsops grant` and `wsops revoke` without hand-written JSON: the WorkspaceOperationContract of a
// tool_grant.apply or .revoke, built here with a delegation from the invoking user (who submits it),
// then decided and recorded like any other operation.
import type { Principal, ToolGrantRecord, WorkspaceOperationContract } from "@workspace-ops/contracts";
import { newId, newTraceparent } from "./ids.js";
import { workspaceIdOf } from "./state-dir.js";

/** The tool a grant covers: a program and an argv pattern, or an MCP tool as "server/tool". */
export type GrantedTool = ToolGrantRecord["tool"];

/** How long the delegation behind one grant or revoke lasts: it is used at once. */
const DELEGATION_SECONDS = 300;

export interface GrantRequest {
  to: Principal;
  tool: GrantedTool;
  expiresAt: Date;
  /** The invoking user: the grantor, and the delegator of the operation. */
  by: Principal;
}

export function grantOperation(
  request: GrantRequest,
  workspaceRoot: string,
  now: Date,
): WorkspaceOperationContract {
  const artifact: ToolGrantRecord = {
    kind: "ToolGrantRecord",
    apiVersion: "workspace-ops.dev/v1",
    grantId: newId("grant"),
    tool: request.tool,
    grantee: request.to,
    grantor: request.by,
    grantedAt: now.toISOString(),
    expiresAt: request.expiresAt.toISOString(),
  };
  return operation("agent_machine.tool_grant.apply", artifact, request.by, workspaceRoot, now);
}

export function revokeOperation(
  grant: ToolGrantRecord,
  by: Principal,
  reason: string,
  workspaceRoot: string,
  now: Date,
): WorkspaceOperationContract {
  const { revokedAt: _r, revocationReason: _w, ...live } = grant;
  const artifact: ToolGrantRecord = { ...live, revokedAt: now.toISOString(), revocationReason: reason };
  return operation("agent_machine.tool_grant.revoke", artifact, by, workspaceRoot, now);
}

function operation(
  operationType: "agent_machine.tool_grant.apply" | "agent_machine.tool_grant.revoke",
  artifact: ToolGrantRecord,
  by: Principal,
  workspaceRoot: string,
  now: Date,
): WorkspaceOperationContract {
  return {
    kind: "WorkspaceOperationContract",
    apiVersion: "workspace-ops.dev/v1",
    workspaceOperation: {
      operationId: newId("op"),
      operationType,
      commandRef: `cmd://wsops/${operationType === "agent_machine.tool_grant.apply" ? "grant" : "revoke"}`,
      requestedAt: now.toISOString(),
      workspace: { organizationId: "local", workspaceId: workspaceIdOf(workspaceRoot), root: workspaceRoot },
    },
    operationTask: { taskId: newId("task"), state: "pending" },
    // The invoking user delegates the one operation to themself: no ambient authority, even for them.
    delegation: {
      delegator: by,
      delegate: by,
      scopes: [operationType],
      issuedAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + DELEGATION_SECONDS * 1000).toISOString(),
    },
    controls: {
      delegatedAuthorityRequired: true,
      ambientAuthority: false,
      durableWorkspaceState: { mode: "operation-contract-only", externalWrites: false },
    },
    budget: { maxWallClockSeconds: 30, maxSteps: 1 },
    artifact,
    lifecycle: {
      emits: [
        "dev.workspace-ops.operation.started",
        "dev.workspace-ops.operation.completed",
        "dev.workspace-ops.operation.failed",
      ],
    },
    audit: { traceparent: newTraceparent() },
  } as WorkspaceOperationContract;
}
