#!/usr/bin/env node
// npm run demo: the main job end to end — contracts, policy decisions, a governed session, and agent
// runtimes (a Claude Code hook, an MCP client through the proxy).
// Exit 0 when every scenario behaves as it should, 1 otherwise (naming what did not).
import { agentRuntimesScenario } from "./agent-runtimes.mjs";
import { contractsScenario } from "./contracts.mjs";
import { executorScenario } from "./governed-execution.mjs";
import { policyScenario } from "./policy-decisions.mjs";

console.log("workspace-ops demo\n");
const problems = [
  ...(await contractsScenario()),
  ...(await policyScenario()),
  ...(await executorScenario()),
  ...(await agentRuntimesScenario()),
];
if (problems.length) {
  console.log(`\nDEMO FAILED: ${problems.length} problem(s):`);
  for (const p of problems) console.log(`  ${p}`);
  process.exit(1);
}
console.log("\nEverything behaved as it should.");
