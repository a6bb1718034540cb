// @ts-check
// One of the executors of the PostgreSQL benchmark: waits for "go", makes <calls> governed execs of
// /bin/true on the shared store, then prints { ms, ids } and exits. argv: <store URL> <durability> <calls>
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Executor } from "@workspace-ops/executor";
import { toolCall } from "../lib/executor-payloads.mjs";

const [store, durability, calls] = process.argv.slice(2);
const executor = await Executor.open({
  workspaceRoot: mkdtempSync(join(tmpdir(), "wsops-bench-pg-")),
  stateDir: mkdtempSync(join(tmpdir(), "wsops-bench-pg-state-")),
  store: /** @type {string} */ (store),
  durability: /** @type {"full" | "relaxed"} */ (durability),
  mode: "governed",
  sandbox: { backend: "process" },
});
const send = /** @type {(message: unknown) => void} */ (process.send?.bind(process));
send("ready");
await new Promise((resolve) => process.once("message", resolve));
const ids = [];
const t = performance.now();
for (let i = 0; i < Number(calls); i++) {
  const request = toolCall(["/bin/true"]);
  const outcome = await executor.exec(request);
  if (outcome.kind !== "finished" || outcome.result.outcome !== "succeeded")
    throw new Error(`exec of /bin/true: ${JSON.stringify(outcome)}`);
  ids.push(request.toolExecutionId);
}
const ms = performance.now() - t;
await executor.close();
process.stdout.write(`${JSON.stringify({ ms, ids })}\n`);
process.disconnect();
