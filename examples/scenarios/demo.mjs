#!/usr/bin/env node
// npm run demo: the main job end to end — contracts, policy decisions, a governed session, agent
// runtimes (a Claude Code hook, an MCP client through the proxy), governed model calls, wsops serve
// (the approval inbox over HTTP), and last the governed session exported as training data. With
// `npm run demo -- --serve` the server stays up, so serve comes last then.
// Exit 0 when every scenario behaves as it should, 1 otherwise (naming what did not).
import { agentRuntimesScenario } from "./agent-runtimes.mjs";
import { contractsScenario } from "./contracts.mjs";
import { executorScenario } from "./governed-execution.mjs";
import { modelCallsScenario } from "./model-calls.mjs";
import { policyScenario } from "./policy-decisions.mjs";
import { serveScenario } from "./serve.mjs";
import { trajectoryScenario } from "./trajectory-export.mjs";

const unknown = process.argv.slice(2).filter((a) => a !== "--serve");
if (unknown.length) {
  console.error(`demo: unknown argument ${unknown.join(" ")}\nusage: npm run demo [-- --serve]`);
  process.exit(2);
}
const serve = process.argv.includes("--serve");
console.log("workspace-ops demo\n");
const problems = [...(await contractsScenario()), ...(await policyScenario())];
const executor = await executorScenario();
problems.push(...executor.problems, ...(await agentRuntimesScenario()), ...(await modelCallsScenario()));
if (serve)
  problems.push(
    ...(await trajectoryScenario(executor.stateDir, 6)),
    ...(await serveScenario({ serve, number: 7 })),
  );
else
  problems.push(...(await serveScenario({ number: 6 })), ...(await trajectoryScenario(executor.stateDir, 7)));
if (problems.length) {
  console.log(`\nDEMO FAILED: ${problems.length} problem(s):`);
  for (const p of problems) console.log(`  ${p}`);
  process.exit(1);
}
console.log("\nEverything behaved as it should.");
