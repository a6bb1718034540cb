// Scenario 2: the shipped policy bundle decides three tool calls (allowed, denied, approval required),
// each analysed first as the executor does, then explains one compound shell command part by part.
import { loadAnalyzer } from "@workspace-ops/analysis";
import { explainToolCall } from "@workspace-ops/executor";
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
  const analyzer = await loadAnalyzer();
  const problems = [];
  const cases = [
    [["git", "status"], "allow"],
    [["git", "push", "--force", "origin", "main"], "deny"],
    [["rm", "-rf", "build"], "approval_required"],
  ];
  for (const [argv, expected] of cases) {
    const result = runtime.evaluate("workspace_ops/tool_execution/decision", {
      request: request(argv),
      analysis: analyzer.analyzeArgv(argv),
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
  problems.push(...explainCompound(runtime, analyzer));
  return problems;
}

/** One compound command explained, as `wsops explain --shell '…'` prints it. */
function explainCompound(policy, analyzer) {
  const script = "npm test 2>&1 | tail -n 20 && git -C packages/app diff --stat > /dev/null; rm -rf dist";
  console.log(`\n  explained: bash -lc '${script}'`);
  const { analysis, evaluation } = explainToolCall({ argv: ["bash", "-lc", script], policy, analyzer });
  if (!evaluation.ok) return [`explain: no decision (${evaluation.error.code})`];
  const { decision, reasons, classification } = evaluation.decision;
  for (const part of analysis.parts) {
    const c = classification?.parts.find((x) => x.index === part.index);
    console.log(`    [${part.index}] ${part.argv.join(" ").padEnd(30)} ${c?.class.padEnd(15)} ${c?.entry}`);
  }
  console.log(
    `    joined by ${analysis.operators.join(" ")} — the call is ${classification?.class}, decided by part ${classification?.part}`,
  );
  console.log(`    ${decision}: ${reasons.map((r) => r.code).join(", ")}`);
  const expected = ["approval_required", "destructive", 3];
  const got = [decision, classification?.class, classification?.part];
  return JSON.stringify(got) === JSON.stringify(expected)
    ? []
    : [`explain: expected ${JSON.stringify(expected)}, got ${JSON.stringify(got)}`];
}
