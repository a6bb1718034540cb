// Scenario 2: the shipped policy bundle decides three tool calls: allowed, denied, approval required.
import { PolicyRuntime } from "@workspace-ops/policy";

const request = (argv) => ({
  kind: "ToolExecutionRequest",
  apiVersion: "workspace-ops.dev/v1",
  toolExecutionId: `texec-demo-${argv[0]}`,
  requestedAt: "2026-11-21T12:00:00Z",
  context: {
    organizationId: "org-acme",
    workspaceId: "ws-demo",
    sessionId: "sess-demo",
    agentRunId: "run-demo",
    agentRunStepId: "run-demo-1",
    actor: { type: "agent", id: "agent-coder-1" },
    surface: "cli",
    cwd: ".",
  },
  tool: { kind: "shell", name: argv[0], argv },
  correlation: { traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" },
});

export async function policyScenario() {
  console.log("\n2. Policy: three tool calls decided in-process by the WASM bundle\n");
  const loaded = await PolicyRuntime.load();
  if (!loaded.ok) return [`policy bundle: ${loaded.error.code}: ${loaded.error.message}`];
  const runtime = loaded.runtime;
  const problems = [];
  const cases = [
    [["git", "status"], "allow"],
    [["git", "push", "--force", "origin", "main"], "deny"],
    [["rm", "-rf", "build"], "approval_required"],
  ];
  for (const [argv, expected] of cases) {
    const result = runtime.evaluate("workspace_ops/tool_execution/decision", {
      request: request(argv),
      now: "2026-11-21T12:00:00Z",
      grants: [],
    });
    if (!result.ok) {
      problems.push(`${argv.join(" ")}: no decision (${result.error.code})`);
      continue;
    }
    const { decision, reasons } = result.decision;
    const why = reasons.map((r) => `${r.code}: ${r.message}`).join("; ") || "read-only";
    console.log(`  ${decision.padEnd(17)} ${argv.join(" ").padEnd(32)} ${why}`);
    if (decision !== expected) problems.push(`${argv.join(" ")}: expected ${expected}, got ${decision}`);
  }
  console.log(
    `\n  bundle ${runtime.revision}; each decision carries a record (decisionId, input digest, duration)`,
  );
  return problems;
}
