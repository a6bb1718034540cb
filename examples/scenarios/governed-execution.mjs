// Scenario 3: the reference executor in governed mode, in a temporary workspace: an allowed read-only
// command, a denied destructive one, a prod step that needs approval (refused to its requester and to
// an unsigned claim of being alice, approved with alice's signing key, then resumed), a timeout, and
// the audit log verified against the audit key that signed its head. Its lifecycle events go to a
// JSONL file, and each must be a CloudEvent the official SDK accepts.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { validate } from "@workspace-ops/contracts";
import { createApproverKey, createAuditKey, Executor, loadApproverKey } from "@workspace-ops/executor";
import { CloudEvent } from "cloudevents";

const traceparent = "00-5b8aa5a2d2c872e8321cf37308d69df2-051581bf3cb55c13-01";
const agent = { type: "agent", id: "agent-coder-1" };
const alice = { type: "user", id: "alice" };
let n = 0;

const toolCall = (argv) => ({
  kind: "ToolExecutionRequest",
  apiVersion: "workspace-ops.dev/v1",
  toolExecutionId: `texec-demo-${++n}`,
  requestedAt: new Date().toISOString(),
  context: {
    organizationId: "org-acme",
    workspaceId: "ws-demo",
    sessionId: "sess-demo",
    agentRunId: "run-demo",
    agentRunStepId: `run-demo-${n}`,
    actor: agent,
    surface: "cli",
    cwd: ".",
  },
  tool: { kind: "shell", name: argv[0], argv },
  correlation: { traceparent },
});

/** A WorkspaceOperationContract delegated by alice to the demo agent, valid for an hour. */
export const operation = (operationType, artifact) => {
  const now = Date.now();
  return {
    kind: "WorkspaceOperationContract",
    apiVersion: "workspace-ops.dev/v1",
    workspaceOperation: {
      operationId: `op-demo-${++n}`,
      operationType,
      commandRef: "cmd://demo",
      requestedAt: new Date(now).toISOString(),
      workspace: { organizationId: "org-acme", workspaceId: "ws-demo", root: "/workspace" },
    },
    operationTask: { taskId: `task-demo-${n}`, state: "pending" },
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
    budget: { maxWallClockSeconds: 120, maxSteps: 5 },
    artifact,
    lifecycle: { emits: ["dev.workspace-ops.operation.started", "dev.workspace-ops.operation.completed"] },
    audit: { traceparent },
  };
};

const execution = (environment, steps) => ({
  kind: "LocalAgentExecution",
  apiVersion: "workspace-ops.dev/v1",
  executionId: `exec-demo-${++n}`,
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

/** Each line of the events file: accepted by the CloudEvents SDK and by the contract, or why not. */
function checkEvents(path) {
  const problems = [];
  const lines = readFileSync(path, "utf8").split("\n").filter(Boolean);
  for (const [n, line] of lines.entries()) {
    const event = JSON.parse(line);
    try {
      new CloudEvent(event, true).validate();
    } catch (error) {
      problems.push(`event ${n + 1} refused by the CloudEvents SDK: ${error.message}`);
    }
    const checked = validate("OperationLifecycleEvent", event);
    if (!checked.ok) problems.push(`event ${n + 1} breaks its contract: ${checked.errors[0]?.message}`);
  }
  return { count: lines.length, problems };
}

/** @param {{ eventsFile?: string }} [options] where the events go (default: events.jsonl beside the state) */
export async function executorScenario(options = {}) {
  console.log("\n3. Executor: a governed session in a temporary workspace\n");
  const workspaceRoot = mkdtempSync(join(tmpdir(), "wsops-demo-"));
  writeFileSync(join(workspaceRoot, "README.md"), "# demo workspace\n");
  // The state lives outside the workspace (by default under ~/.local/state/wsops); the demo keeps it in
  // a temporary directory of its own so it leaves nothing in your home.
  const stateDir = mkdtempSync(join(tmpdir(), "wsops-demo-state-"));
  const eventsFile = options.eventsFile ?? join(stateDir, "events.jsonl");
  // Keys as `wsops keys create` makes them (alice's signing key; the audit key that signs every commit's
  // audit head), in a temporary config directory instead of ~/.config/wsops/keys.
  const keyEnv = { XDG_CONFIG_HOME: mkdtempSync(join(tmpdir(), "wsops-demo-keys-")) };
  await createApproverKey(alice, keyEnv);
  const aliceKey = await loadApproverKey(alice, undefined, keyEnv);
  const auditKey = await createAuditKey(join(stateDir, "state.db"), keyEnv);
  const executor = await Executor.open({
    workspaceRoot,
    stateDir,
    mode: "governed",
    sandbox: { backend: "auto" },
    sinks: [eventsFile],
    auditKey: auditKey.privateKeyPath,
  });
  const rows = [];
  const problems = [];
  /** @type {import("@workspace-ops/store").AuditVerification | undefined} */
  let verdict;
  const expect = (what, got, want, detail) => {
    rows.push([what, got, detail]);
    if (got !== want) problems.push(`${what}: expected ${want}, got ${got}`);
  };
  try {
    const ls = await executor.exec(toolCall(["ls", "-a"]));
    expect(
      "read-only ls -a",
      ls.kind === "finished" ? ls.result.outcome : ls.kind,
      "succeeded",
      ls.kind === "finished"
        ? `exit ${ls.result.exitCode}, ${ls.result.output?.stdout.bytes} bytes of output`
        : "",
    );

    const push = await executor.exec(toolCall(["git", "push", "--force", "origin", "main"]));
    expect(
      "git push --force",
      push.kind === "finished" ? push.result.outcome : push.kind,
      "denied",
      push.kind === "finished" ? push.result.reasons?.[0]?.code : "",
    );

    const profile = {
      kind: "AgentMachineProfile",
      apiVersion: "workspace-ops.dev/v1",
      profileId: "profile-demo",
      persona: "coder",
      allowedOperationTypes: ["agent_machine.execution.start"],
      sandbox: { network: "none", filesystem: "workspace-write", backend: "auto" },
      envAllowlist: ["PATH", "HOME"],
      // Only alice approves, and only with her key.
      approvers: [{ principal: alice, publicKey: aliceKey.publicKey }],
      defaultBudget: { maxWallClockSeconds: 600, maxSteps: 20 },
    };
    const created = await executor.submit(operation("agent_machine.profile.create", profile));
    expect(
      "profile.create",
      created.kind === "finished" ? created.state : created.kind,
      "succeeded",
      "the workspace's active profile",
    );

    const deploy = await executor.submit(
      operation(
        "agent_machine.execution.start",
        execution("prod", [["release-notes", ["cat", "README.md"], 30]]),
      ),
    );
    expect(
      "prod execution",
      deploy.kind,
      "pending",
      deploy.kind === "pending" ? `approval ${deploy.approvalRequestId}` : "",
    );
    if (deploy.kind === "pending") {
      const self = await executor.approve(deploy.approvalRequestId, agent);
      expect(
        "  approved by its requester",
        self.ok ? "approved" : "refused",
        "refused",
        self.ok ? "" : self.reasons?.map((r) => r.code).join(", "),
      );
      const claimed = await executor.approve(deploy.approvalRequestId, alice);
      expect(
        "  --by user:alice, no key",
        claimed.ok ? "approved" : "refused",
        "refused",
        claimed.ok ? "" : claimed.error.code,
      );
      const approved = await executor.approve(deploy.approvalRequestId, alice, { key: aliceKey });
      expect(
        "  signed by user:alice",
        approved.ok ? "approved" : "refused",
        "approved",
        approved.ok
          ? `signed: ${approved.signed}, ${approved.resolution.signature?.publicKey.slice(0, 24)}…`
          : "",
      );
      const resumed = await executor.resume(deploy.operationId);
      expect(
        "  resumed",
        "state" in resumed ? resumed.state : resumed.kind,
        "succeeded",
        "ran after approval",
      );
    }

    const slow = await executor.submit(
      operation("agent_machine.execution.start", execution("dev", [["wait", ["sleep", "30"], 1]])),
    );
    expect(
      "sleep 30 with a 1 s timeout",
      slow.kind === "finished" ? slow.state : slow.kind,
      "timed_out",
      "process group ended",
    );
    verdict = await executor.context.store.verifyAudit({ headKeys: [auditKey.publicKey] });
  } finally {
    await executor.close();
  }
  expect(
    "audit verify",
    verdict?.ok ? "intact" : "broken",
    "intact",
    verdict?.ok
      ? `${verdict.records} hash-chained records, head signed with the audit key (${verdict.signature?.verified ? "verified" : "not verified"})`
      : verdict?.firstBad.message,
  );
  const events = checkEvents(eventsFile);
  problems.push(...events.problems);
  expect(
    "lifecycle events",
    events.problems.length === 0 && events.count > 0 ? "valid" : "invalid",
    "valid",
    `${events.count} CloudEvents in ${eventsFile}, each accepted by the CloudEvents SDK`,
  );
  const width = Math.max(...rows.map((r) => r[0].length));
  for (const [what, got, detail] of rows)
    console.log(`  ${what.padEnd(width)}  ${String(got).padEnd(10)}  ${detail ?? ""}`);
  console.log(
    `\n  workspace: ${workspaceRoot}\n  state and audit log: ${join(stateDir, "state.db")} (SQLite, outside the workspace)`,
  );
  return { problems, stateDir };
}
