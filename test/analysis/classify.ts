// Analysis + the compiled policy, the way the executor decides a shell call (no profile, no grants).
import { type Analyzer, type CommandAnalysis, loadAnalyzer } from "@workspace-ops/analysis";
import { defaultBundleDir, PolicyRuntime } from "@workspace-ops/policy";
import { T0, toolCall } from "../../packages/executor/dist/testing/payloads.js";
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
    const request = toolCall(argv, { id: "texec-corpus" });
    const analysis = analyzer.analyzeArgv(argv);
    const evaluation = policy.evaluate("workspace_ops/tool_execution/decision", {
      now: T0,
      request,
      analysis,
    });
    if (!evaluation.ok) throw new Error(`${JSON.stringify(command)}: ${evaluation.error.message}`);
    const { decision, reasons, classification } = evaluation.decision;
    if (!classification) throw new Error(`${JSON.stringify(command)}: no classification`);
    return { argv, class: classification.class, decision, codes: reasons.map((r) => r.code), analysis };
  };
}
