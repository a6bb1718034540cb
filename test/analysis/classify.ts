// Analysis + the compiled policy, the way the executor decides a shell call (no profile, no grants).
import { type Analyzer, type CommandAnalysis, loadAnalyzer } from "@workspace-ops/analysis";
import { defaultBundleDir, PolicyRuntime } from "@workspace-ops/policy";
import type { Command, RiskClass } from "./corpus.js";

export interface Classified {
  argv: string[];
  class: RiskClass;
  decision: "allow" | "deny" | "approval_required";
  codes: string[];
  analysis: CommandAnalysis;
}

export const rank: Record<RiskClass, number> = {
  read_only: 0,
  mutating: 1,
  code_execution: 2,
  network: 3,
  unknown: 4,
  destructive: 5,
};

export const argvOf = (command: Command): string[] =>
  typeof command === "string" ? ["bash", "-lc", command] : command;

export async function classifier(): Promise<(command: Command) => Classified> {
  const loaded = await PolicyRuntime.load(defaultBundleDir);
  if (!loaded.ok) throw new Error(`${loaded.error.code}: ${loaded.error.message}`);
  const policy = loaded.runtime;
  const analyzer: Analyzer = await loadAnalyzer();
  return (command) => {
    const argv = argvOf(command);
    const request = {
      kind: "ToolExecutionRequest",
      apiVersion: "workspace-ops.dev/v1",
      toolExecutionId: "texec-corpus",
      requestedAt: "2026-11-21T12:00:00Z",
      context: {
        organizationId: "org-acme",
        workspaceId: "ws-demo",
        sessionId: "sess-1",
        agentRunId: "run-1",
        agentRunStepId: "step-1",
        actor: { type: "agent", id: "agent-coder-1" },
        surface: "cli",
        cwd: ".",
      },
      tool: { kind: "shell", name: "command", argv },
      correlation: { traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" },
    };
    const analysis = analyzer.analyzeArgv(argv);
    const evaluation = policy.evaluate("workspace_ops/tool_execution/decision", {
      now: "2026-11-21T12:00:00Z",
      request,
      analysis,
    });
    if (!evaluation.ok) throw new Error(`${JSON.stringify(command)}: ${evaluation.error.message}`);
    const { decision, reasons, classification } = evaluation.decision;
    if (!classification) throw new Error(`${JSON.stringify(command)}: no classification`);
    return { argv, class: classification.class, decision, codes: reasons.map((r) => r.code), analysis };
  };
}
