// Scenario 6 (7 with --serve, which keeps the server up and so comes last): wsops serve over a
// governed workspace — the HTTP API, the approval inbox and the timeline.
// alice (her key made as `wsops keys create` makes it) is the profile's approver; an agent's destructive
// call waits for her. She signs in with her key (as `wsops login` does), the inbox lists the call, and
// she approves it through the API: the resolution is signed by the server's session key under her
// delegation, and the executor verifies it as it verifies one made by her own CLI before the call runs.
// With --serve the call is left waiting and the server stays up for a person to look (Ctrl-C stops it).
import { randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createApproverKey, Executor, loadApproverKey } from "@workspace-ops/executor";
import { startServer } from "@workspace-ops/server";
import { login } from "@workspace-ops/server/login";
import { operation } from "./governed-execution.mjs";

const alice = { type: "user", id: "alice" };
const agent = { type: "agent", id: "agent-coder-1" };
let n = 0;

const toolCall = (argv) => ({
  kind: "ToolExecutionRequest",
  apiVersion: "workspace-ops.dev/v1",
  toolExecutionId: `texec-serve-${Date.now()}-${++n}`,
  requestedAt: new Date().toISOString(),
  context: {
    organizationId: "org-acme",
    workspaceId: "ws-demo",
    sessionId: "sess-serve-demo",
    agentRunId: "run-serve-demo",
    agentRunStepId: `run-serve-demo-${n}`,
    actor: agent,
    surface: "cli",
    cwd: ".",
  },
  tool: { kind: "shell", name: argv[0], argv },
  correlation: { traceparent: `00-${randomBytes(16).toString("hex")}-${randomBytes(8).toString("hex")}-01` },
});

/** alice is the profile's one approver, with her key. */
const profile = (publicKey) => ({
  kind: "AgentMachineProfile",
  apiVersion: "workspace-ops.dev/v1",
  profileId: "profile-serve-demo",
  persona: "coder",
  allowedOperationTypes: ["agent_machine.execution.start"],
  sandbox: { network: "none", filesystem: "workspace-write", backend: "auto" },
  envAllowlist: ["PATH", "HOME"],
  approvers: [{ principal: alice, publicKey }],
  defaultBudget: { maxWallClockSeconds: 600, maxSteps: 20 },
});

/**
 * @param {{ serve?: boolean, number?: number }} [options] serve: keep the server up (and the call
 * waiting) until Ctrl-C; number: the scenario's place in the demo
 */
export async function serveScenario(options = {}) {
  console.log(`\n${options.number ?? 7}. wsops serve: the approval inbox and the timeline over HTTP\n`);
  const problems = [];
  const workspaceRoot = mkdtempSync(join(tmpdir(), "wsops-demo-serve-"));
  writeFileSync(join(workspaceRoot, "scratch.txt"), "a file the agent wants gone\n");
  const stateDir = mkdtempSync(join(tmpdir(), "wsops-demo-serve-state-"));
  const keyEnv = { XDG_CONFIG_HOME: mkdtempSync(join(tmpdir(), "wsops-demo-serve-keys-")) };
  await createApproverKey(alice, keyEnv);
  const key = await loadApproverKey(alice, undefined, keyEnv);
  const executor = await Executor.open({
    workspaceRoot,
    stateDir,
    mode: "governed",
    sandbox: { backend: "auto" },
  });
  const server = await startServer({
    executor,
    host: "127.0.0.1",
    port: options.serve ? 7420 : 0,
    runtimeToken: randomBytes(32).toString("base64url"),
    log: (line) => console.error(line),
  }).catch(() => startServer({ executor, port: 0, runtimeToken: randomBytes(32).toString("base64url") }));
  try {
    await executor.submit(operation("agent_machine.profile.create", profile(key.publicKey)));
    await executor.exec(toolCall(["ls", "-a"]));
    const parked = await executor.exec(toolCall(["rm", "scratch.txt"]));
    if (parked.kind !== "pending")
      problems.push(`rm scratch.txt: expected to wait for approval, got ${parked.kind}`);
    const signedIn = await login(server.url, alice, key);
    if (!signedIn.ok) throw new Error(`sign-in refused: ${signedIn.code}: ${signedIn.detail}`);
    const auth = { authorization: `Bearer ${signedIn.login.token}` };
    const inbox = await (
      await fetch(`${server.url}api/v1/approvals?state=pending`, { headers: auth })
    ).json();
    const listed = inbox.items?.map((i) => i.command) ?? [];
    console.log(`  inbox: ${server.url}   (${listed.length} waiting: ${listed.join(", ")})`);
    if (!listed.includes("rm scratch.txt"))
      problems.push(`the inbox does not list rm scratch.txt: ${JSON.stringify(inbox)}`);
    if (options.serve) {
      console.log(`  open once in your browser to sign in as user:alice:\n    ${signedIn.login.loginUrl}`);
      console.log(
        `  a new link: XDG_CONFIG_HOME=${keyEnv.XDG_CONFIG_HOME} npx wsops login ${server.url} --principal user:alice`,
      );
      console.log(`  API: ${server.url}openapi.json — Ctrl-C stops the server`);
      await new Promise((resolve) => {
        process.once("SIGINT", resolve);
        process.once("SIGTERM", resolve);
      });
      return problems;
    }
    if (parked.kind === "pending") {
      const resolved = await fetch(`${server.url}api/v1/approvals/${parked.approvalRequestId}/resolution`, {
        method: "POST",
        headers: { ...auth, "content-type": "application/json" },
        body: JSON.stringify({ resolution: "approved", comment: "demo: approved over HTTP" }),
      });
      const body = await resolved.json();
      console.log(
        `  approved over HTTP: ${resolved.status}, signed by the session key under alice's delegation`,
      );
      if (resolved.status !== 200)
        problems.push(`approving over HTTP: ${resolved.status} ${JSON.stringify(body)}`);
      const ran = await executor.resume(parked.toolExecutionId);
      const outcome = ran.kind === "finished" ? ran.result.outcome : ran.kind;
      const approval = ran.kind === "finished" ? ran.result.approval : undefined;
      console.log(
        `  resumed: ${outcome} (approval verified: signed ${approval?.signed}, by ${approval?.resolvedBy?.id})`,
      );
      if (outcome !== "succeeded" || approval?.signed !== true)
        problems.push(
          `the call approved over HTTP did not run verified: ${outcome}, ${JSON.stringify(approval)}`,
        );
      const timeline = await (
        await fetch(`${server.url}api/v1/executions?session=sess-serve-demo`, { headers: auth })
      ).json();
      console.log(`  timeline: ${server.url}#/sessions/sess-serve-demo (${timeline.items?.length} calls)`);
      console.log(
        "  npm run demo -- --serve keeps the server up with the call waiting, to look at in a browser",
      );
    }
    return problems;
  } finally {
    await server.close();
    await executor.close();
  }
}
