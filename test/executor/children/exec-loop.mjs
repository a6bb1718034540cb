// @ts-check
// Governed execs of /bin/true in a loop, printing each finished call's id (acknowledged: its result is
// committed) on its own line, until killed. argv: <workspace> <store URL> <durability>
import { Executor } from "@workspace-ops/executor";
import { toolCall } from "../../bench/lib/executor-payloads.mjs";

const [workspaceRoot, store, durability] = process.argv.slice(2);
const executor = await Executor.open({
  workspaceRoot: /** @type {string} */ (workspaceRoot),
  store: /** @type {string} */ (store),
  durability: /** @type {"full" | "relaxed"} */ (durability),
  mode: "governed",
  sandbox: { backend: "process" },
});
for (;;) {
  const request = toolCall(["/bin/true"]);
  const outcome = await executor.exec(request);
  if (outcome.kind !== "finished" || outcome.result.outcome !== "succeeded")
    throw new Error(`exec of /bin/true: ${JSON.stringify(outcome)}`);
  // stdout is a pipe: the write is synchronous, so a printed id was acknowledged.
  process.stdout.write(`${request.toolExecutionId}\n`);
}
