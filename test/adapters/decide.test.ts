// wsops decide end to end: one request, and a long-lived JSONL session answered in order.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { describe, expect, it } from "vitest";
import { cliEnv, repoRoot, wsops } from "../cli/run-cli.js";
import { status, workspace } from "./support.js";

const request = (id: string, tool: object) => ({
  kind: "ToolExecutionRequest",
  apiVersion: "workspace-ops.dev/v1",
  toolExecutionId: id,
  requestedAt: new Date().toISOString(),
  context: {
    organizationId: "local",
    workspaceId: "ws",
    sessionId: "sess-decide",
    agentRunId: "run-1",
    agentRunStepId: id,
    actor: { type: "agent", id: "my-runtime" },
    surface: "cli",
    cwd: ".",
  },
  tool,
  correlation: { traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" },
});

const shell = (command: string) => ({ kind: "shell", name: "bash", argv: ["bash", "-c", command] });

describe("wsops decide", () => {
  it("answers one request with the decision and the verdict; exit codes as policy eval", () => {
    const ws = workspace();
    const allow = wsops(["decide"], { cwd: ws.dir, input: JSON.stringify(request("texec-d1", shell("ls"))) });
    expect(allow.code).toBe(0);
    const answer = JSON.parse(allow.stdout);
    expect(answer).toMatchObject({
      toolExecutionId: "texec-d1",
      mode: "governed",
      verdict: "allow",
      enforced: true,
      reasons: [],
      decision: { kind: "ToolExecutionDecision", decision: "allow", toolExecutionId: "texec-d1" },
    });
    expect(status("texec-d1", ws).state).toBe("running");

    const parked = wsops(["decide"], {
      cwd: ws.dir,
      input: JSON.stringify(request("texec-d2", shell("rm -rf build"))),
    });
    expect(parked.code).toBe(3);
    const approval = JSON.parse(parked.stdout).approval;
    expect(approval).toEqual({
      approvalRequestId: expect.stringMatching(/^apr-/),
      expiresAt: expect.any(String),
      state: "pending",
      toolExecutionId: "texec-d2",
      approve: `wsops approve ${approval.approvalRequestId} --by user:NAME --workspace ${ws.dir}`,
    });
    const denied = wsops(["decide"], {
      cwd: ws.dir,
      input: JSON.stringify(
        request("texec-d3", { kind: "web", name: "fetch", access: "fetch", url: "https://x.example/" }),
      ),
    });
    expect(denied.code).toBe(1);
    expect(JSON.parse(denied.stdout)).toMatchObject({
      verdict: "deny",
      reasons: [{ code: "web_network_denied" }],
    });

    const invalid = wsops(["decide"], {
      cwd: ws.dir,
      input: JSON.stringify({ kind: "ToolExecutionRequest" }),
    });
    expect(invalid.code).toBe(4);
    expect(JSON.parse(invalid.stdout)).toMatchObject({
      verdict: "deny",
      error: { code: "request_invalid" },
      errors: expect.arrayContaining([expect.objectContaining({ keyword: "required" })]),
    });
    expect(wsops(["decide", "--mode", "observe"], { cwd: ws.dir, input: "nope" }).code).toBe(0);
  });

  it("--jsonl keeps one process and answers each line in order, outcomes included", async () => {
    const ws = workspace();
    const child = spawn(
      process.execPath,
      [join(repoRoot, "packages/cli/bin/wsops.js"), "decide", "--jsonl", "--runtime", "my-runtime"],
      {
        cwd: ws.dir,
        env: cliEnv,
        stdio: ["pipe", "pipe", "pipe"],
      },
    );
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const ask = async (line: string) => {
      child.stdin.write(`${line}\n`);
      return JSON.parse(((await lines.next()).value as string) ?? "null");
    };
    expect(await ask(JSON.stringify(request("texec-j1", shell("cat README.md"))))).toMatchObject({
      toolExecutionId: "texec-j1",
      verdict: "allow",
    });
    expect(await ask("not json")).toMatchObject({ verdict: "deny", error: { code: "request_invalid" } });
    expect(
      await ask(
        JSON.stringify({
          kind: "ToolOutcome",
          toolExecutionId: "texec-j1",
          outcome: "succeeded",
          output: "# demo\n",
        }),
      ),
    ).toEqual({
      toolExecutionId: "texec-j1",
      recorded: true,
      state: "succeeded",
    });
    expect(await ask(JSON.stringify(request("texec-j2", shell("rm -rf build"))))).toMatchObject({
      verdict: "approval_required",
    });
    // Pipelined: three lines at once, three answers in order.
    child.stdin.write(
      `${[shell("ls"), shell("pwd"), shell("git status")].map((t, i) => JSON.stringify(request(`texec-p${i}`, t))).join("\n")}\n`,
    );
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push(JSON.parse((await lines.next()).value as string).toolExecutionId);
    expect(ids).toEqual(["texec-p0", "texec-p1", "texec-p2"]);
    child.stdin.end();
    const code = await new Promise((resolve) => child.on("close", resolve));
    expect(code).toBe(0);
    expect(status("texec-j1", ws)).toMatchObject({ state: "succeeded", result: { outcome: "succeeded" } });
  });
});
