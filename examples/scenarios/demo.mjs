#!/usr/bin/env node
// npm run demo: the main job end to end — contracts, policy decisions, a governed session, agent
// runtimes (a Claude Code hook, an MCP client through the proxy), governed model calls, and last the
// governed session exported as training data.
// Exit 0 when every scenario behaves as it should, 1 otherwise (naming what did not).
import { agentRuntimesScenario } from "./agent-runtimes.mjs";
import { contractsScenario } from "./contracts.mjs";
import { executorScenario } from "./governed-execution.mjs";
import { modelCallsScenario } from "./model-calls.mjs";
import { policyScenario } from "./policy-decisions.mjs";
import { trajectoryScenario } from "./trajectory-export.mjs";

console.log("workspace-ops demo\n");
const problems = [...(await contractsScenario()), ...(await policyScenario())];
const executor = await executorScenario();
problems.push(
  ...executor.problems,
  ...(await agentRuntimesScenario()),
  ...(await modelCallsScenario()),
  ...(await trajectoryScenario(executor.stateDir)),
);
if (problems.length) {
  console.log(`\nDEMO FAILED: ${problems.length} problem(s):`);
  for (const p of problems) console.log(`  ${p}`);
  process.exit(1);
}
console.log("\nEverything behaved as it should.");
