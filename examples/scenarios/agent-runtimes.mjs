// Scenario 4: agent runtimes plug in, in a temporary workspace: Claude Code's PreToolUse hook (the real
// `wsops hook claude-code` on a Read and on a destructive Bash command), and an MCP client (the
// official SDK's) talking to the real filesystem server through `wsops mcp proxy`: a granted read, a
// write without a grant.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { Executor } from "@workspace-ops/executor";

const root = fileURLToPath(new URL("../../", import.meta.url));
const wsops = join(root, "packages/cli/bin/wsops.js");
const fsServer = join(root, "node_modules/@modelcontextprotocol/server-filesystem/dist/index.js");
const alice = { type: "user", id: "alice" };

/** The workspace's profile, created by alice (grants need a profile that allows them). */
function profileOperation(workspaceRoot) {
  const now = Date.now();
  return {
    kind: "WorkspaceOperationContract",
    apiVersion: "workspace-ops.dev/v1",
    workspaceOperation: {
      operationId: `op-demo-profile-${now}`,
      operationType: "agent_machine.profile.create",
      commandRef: "cmd://demo",
      requestedAt: new Date(now).toISOString(),
      workspace: { organizationId: "local", workspaceId: "demo", root: workspaceRoot },
    },
    operationTask: { taskId: `task-demo-${now}`, state: "pending" },
    delegation: {
      delegator: alice,
      delegate: alice,
      scopes: ["agent_machine.profile.create"],
      issuedAt: new Date(now - 60_000).toISOString(),
      expiresAt: new Date(now + 3_600_000).toISOString(),
    },
    controls: {
      delegatedAuthorityRequired: true,
      ambientAuthority: false,
      durableWorkspaceState: { mode: "operation-contract-only", externalWrites: false },
    },
    budget: { maxWallClockSeconds: 60, maxSteps: 1 },
    artifact: {
      kind: "AgentMachineProfile",
      apiVersion: "workspace-ops.dev/v1",
      profileId: "profile-agents",
      persona: "coder",
      allowedOperationTypes: ["agent_machine.tool_grant.apply", "agent_machine.tool_grant.revoke"],
      sandbox: { network: "none", filesystem: "workspace-write", backend: "auto" },
      envAllowlist: ["PATH", "HOME"],
      defaultBudget: { maxWallClockSeconds: 600, maxSteps: 20 },
    },
    lifecycle: { emits: ["dev.workspace-ops.operation.completed"] },
    audit: { traceparent: "00-5b8aa5a2d2c872e8321cf37308d69df2-051581bf3cb55c13-01" },
  };
}

export async function agentRuntimesScenario() {
  console.log("\n4. Agent runtimes: a Claude Code hook and an MCP client through wsops\n");
  const workspaceRoot = mkdtempSync(join(tmpdir(), "wsops-demo-agents-"));
  writeFileSync(join(workspaceRoot, "README.md"), "# demo workspace\n");
  const stateDir = mkdtempSync(join(tmpdir(), "wsops-demo-agents-state-"));
  const flags = ["--workspace", workspaceRoot, "--state-dir", stateDir];
  const rows = [];
  const problems = [];
  const expect = (what, got, want, detail) => {
    rows.push([what, got, detail]);
    if (got !== want) problems.push(`${what}: expected ${want}, got ${got}`);
  };

  // Claude Code's PreToolUse hook, as Claude Code runs it: its JSON on stdin, the answer on stdout.
  const hook = (tool, input, id) => {
    const ran = spawnSync(process.execPath, [wsops, "hook", "claude-code", ...flags], {
      input: JSON.stringify({
        session_id: "demo-session",
        transcript_path: join(workspaceRoot, "transcript.jsonl"),
        cwd: workspaceRoot,
        permission_mode: "default",
        hook_event_name: "PreToolUse",
        tool_name: tool,
        tool_input: input,
        tool_use_id: id,
      }),
      encoding: "utf8",
    });
    try {
      return JSON.parse(ran.stdout).hookSpecificOutput;
    } catch {
      return { permissionDecision: `exit ${ran.status}`, permissionDecisionReason: ran.stderr.trim() };
    }
  };
  const read = hook("Read", { file_path: join(workspaceRoot, "README.md") }, "toolu_demo_1");
  expect("hook: Read README.md", read.permissionDecision, "allow", read.permissionDecisionReason);
  const rm = hook("Bash", { command: "rm -rf src" }, "toolu_demo_2");
  expect(
    "hook: Bash rm -rf src",
    rm.permissionDecision,
    "deny",
    /Approval (apr-\S+)/.exec(rm.permissionDecisionReason ?? "")?.[0] ?? rm.permissionDecisionReason,
  );

  // An MCP client through the proxy: the agent holds a grant on fs/read_text_file only.
  const executor = await Executor.open({ workspaceRoot, stateDir, mode: "governed" });
  try {
    await executor.submit(profileOperation(workspaceRoot), alice);
    const { outcome } = await executor.grant({
      to: { type: "agent", id: "mcp-client" },
      tool: { kind: "mcp", name: "fs/read_text_file" },
      expiresAt: new Date(Date.now() + 3_600_000),
      by: alice,
    });
    expect(
      "grant fs/read_text_file",
      "state" in outcome ? outcome.state : outcome.kind,
      "succeeded",
      "to agent:mcp-client, by user:alice",
    );
  } finally {
    await executor.close();
  }
  const client = new Client({ name: "demo-client", version: "1.0.0" });
  await client.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: [
        wsops,
        "mcp",
        "proxy",
        "--name",
        "fs",
        ...flags,
        "--",
        process.execPath,
        fsServer,
        workspaceRoot,
      ],
      stderr: "ignore",
    }),
  );
  try {
    const text = (result) => (result.content ?? []).map((c) => c.text).join(" ");
    const got = await client.callTool({
      name: "read_text_file",
      arguments: { path: join(workspaceRoot, "README.md") },
    });
    expect("mcp: read_text_file", got.isError ? "denied" : "allowed", "allowed", JSON.stringify(text(got)));
    const put = await client.callTool({
      name: "write_file",
      arguments: { path: join(workspaceRoot, "notes.md"), content: "x" },
    });
    expect(
      "mcp: write_file (no grant)",
      put.isError ? "denied" : "allowed",
      "denied",
      text(put).slice(0, 90),
    );
  } finally {
    await client.close();
  }

  const width = Math.max(...rows.map((r) => r[0].length));
  for (const [what, got, detail] of rows)
    console.log(`  ${what.padEnd(width)}  ${String(got).padEnd(10)}  ${detail ?? ""}`);
  console.log(`\n  see the calls: npx wsops approvals ${flags.join(" ")}`);
  return problems;
}
