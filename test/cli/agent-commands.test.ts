// The exec people can live with, and the commands around it, through the real binary: stdin, the
// approval announced at once, approvals, status and logs by approval id, a repeated id, grants,
// and --help of every command.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { commands } from "../../packages/cli/dist/registry.js";
import { workspace, writeProfileOperation } from "../adapters/support.js";
import { cliEnv, repoRoot, wsops } from "./run-cli.js";

const bin = join(repoRoot, "packages/cli/bin/wsops.js");

describe("wsops exec", () => {
  it("passes standard input to the command, or closes it with --no-stdin", () => {
    const { dir } = workspace();
    const piped = wsops(["exec", "--sandbox", "process", "--", "grep", "-c", "hello"], {
      cwd: dir,
      input: "hello\nworld\nhello\n",
    });
    expect(piped).toMatchObject({ code: 0, stdout: "2\n" });
    const closed = wsops(["exec", "--sandbox", "process", "--no-stdin", "--", "grep", "-c", "hello"], {
      cwd: dir,
      input: "hello\n",
    });
    expect(closed).toMatchObject({ code: 1, stdout: "0\n" });
  });

  it("says at once which approval it waits for and how to resolve it; approvals, status and logs know the id", async () => {
    const { dir } = workspace();
    mkdirSync(join(dir, "build"));
    const child = spawn(process.execPath, [bin, "exec", "--sandbox", "process", "--", "rm", "-rf", "build"], {
      cwd: dir,
      env: cliEnv,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (b) => (stderr += b));
    const done = new Promise<number | null>((resolve) => child.on("close", resolve));
    const deadline = Date.now() + 30_000;
    while (!stderr.includes("waiting up to") && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    const apr = /approval required \((apr-[0-9a-f-]+)\)/.exec(stderr)?.[1] as string;
    const texec = /resume: {2}wsops resume (texec-[0-9a-f-]+)/.exec(stderr)?.[1] as string;
    expect(stderr).toBe(
      [
        `wsops: approval required (${apr}): rm -rf build is destructive and needs approval`,
        `  the request expires at ${/expires at (\S+)/.exec(stderr)?.[1]}`,
        `  approve: wsops approve ${apr} --by user:NAME --workspace ${dir}`,
        `  deny:    wsops deny ${apr} --by user:NAME --workspace ${dir}`,
        `  resume:  wsops resume ${texec} --workspace ${dir}   (runs it once approved, if nobody waits for it)`,
        "  waiting up to 900 s (--wait-timeout)…",
        "",
      ].join("\n"),
    );
    const listed = JSON.parse(wsops(["approvals", "--pending", "--json"], { cwd: dir }).stdout);
    expect(listed).toEqual([
      {
        approvalRequestId: apr,
        subjectId: texec,
        state: "pending",
        requestedBy: "agent:local-agent",
        requestedAt: expect.any(String),
        expiresAt: expect.any(String),
        command: "rm -rf build",
        cwd: ".",
        reasons: [
          {
            code: "destructive_needs_approval",
            message: "rm -rf build is destructive and needs approval",
            policy: "workspace_ops.rules.tool_risk",
          },
        ],
        commands: {
          approve: `wsops approve ${apr} --by user:NAME`,
          deny: `wsops deny ${apr} --by user:NAME`,
          resume: `wsops resume ${texec}`,
        },
      },
    ]);
    const text = wsops(["approvals"], { cwd: dir }).stdout;
    expect(text).toContain(`${apr}  pending until `);
    expect(text).toContain(`  rm -rf build  (cwd .; ${texec}; asked by agent:local-agent)`);
    expect(wsops(["status", apr], { cwd: dir }).stdout).toMatch(
      new RegExp(`^${texec}: tool_execution awaiting_approval \\(approval ${apr}\\)`),
    );
    expect(wsops(["logs", apr], { cwd: dir }).stdout).toContain("approval_request");
    expect(wsops(["approve", apr, "--by", "user:alice"], { cwd: tmpdir(), env: cliEnv }).code).not.toBe(0);
    expect(wsops(["approve", apr, "--by", "user:alice", "--workspace", dir], { cwd: tmpdir() }).code).toBe(0);
    expect(await done).toBe(0);
    expect(wsops(["approvals", "--pending"], { cwd: dir }).stdout).toBe("no approval is pending\n");
  });

  it("exits 73 for a request id it has seen, 65 for an invalid request", () => {
    const { dir, outside } = workspace();
    const file = join(outside, "request.json");
    writeFileSync(
      file,
      JSON.stringify({
        kind: "ToolExecutionRequest",
        apiVersion: "workspace-ops.dev/v1",
        toolExecutionId: "texec-twice",
        requestedAt: new Date().toISOString(),
        context: {
          organizationId: "local",
          workspaceId: "ws",
          sessionId: "s",
          agentRunId: "r",
          agentRunStepId: "s1",
          actor: { type: "agent", id: "a" },
          surface: "cli",
          cwd: ".",
        },
        tool: { kind: "shell", name: "true", argv: ["true"] },
        correlation: { traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" },
      }),
    );
    expect(wsops(["exec", "--sandbox", "process", "--request", file], { cwd: dir }).code).toBe(0);
    const again = wsops(["exec", "--sandbox", "process", "--request", file], { cwd: dir });
    expect(again).toMatchObject({
      code: 73,
      stderr: "wsops: tool execution texec-twice was already received\n",
    });
    writeFileSync(file, "{}");
    expect(wsops(["exec", "--request", file], { cwd: dir }).code).toBe(65);
  });
});

describe("wsops grant and revoke", () => {
  it("grant a command to an agent as an audited operation, then revoke it", () => {
    const { dir, outside } = workspace();
    const commit = [
      "exec",
      "--sandbox",
      "process",
      "--json",
      "--actor",
      "agent:coder",
      "--",
      "git",
      "commit",
      "-m",
      "wip",
    ];
    expect(JSON.parse(wsops(commit, { cwd: dir }).stdout)).toMatchObject({
      outcome: "denied",
      reasons: [{ code: "grant_missing" }],
    });
    // Without a profile that allows it, the policy refuses the grant itself.
    const refused = wsops(
      ["grant", "--to", "agent:coder", "--by", "user:alice", "--", "git", "commit", "-m", "*"],
      { cwd: dir },
    );
    expect(refused.code).toBe(77);
    expect(refused.stderr).toBe(
      "wsops: denied (profile_missing: the workspace has no active profile, so agent_machine.tool_grant.apply is not allowed)\n",
    );
    writeProfileOperation(join(outside, "profile.json"), dir);
    expect(wsops(["submit", join(outside, "profile.json")], { cwd: dir }).code).toBe(0);
    const granted = wsops(
      [
        "grant",
        "--to",
        "agent:coder",
        "--by",
        "user:alice",
        "--expires",
        "2h",
        "--",
        "git",
        "commit",
        "-m",
        "*",
      ],
      { cwd: dir },
    );
    expect(granted.code).toBe(0);
    const grantId =
      /^(grant-[0-9a-f-]+): git commit -m \* granted to agent:coder by user:alice until \S+\n$/.exec(
        granted.stdout,
      )?.[1] as string;
    expect(grantId).toBeDefined();
    expect(JSON.parse(wsops(commit, { cwd: dir }).stdout).reasons ?? []).not.toContainEqual(
      expect.objectContaining({ code: "grant_missing" }),
    );
    expect(wsops(["revoke", grantId, "--by", "user:alice", "--reason", "done"], { cwd: dir })).toMatchObject({
      code: 0,
      stdout: `${grantId}: revoked by user:alice\n`,
    });
    expect(JSON.parse(wsops(commit, { cwd: dir }).stdout)).toMatchObject({
      outcome: "denied",
      reasons: [{ code: "grant_revoked" }],
    });
    expect(wsops(["revoke", "grant-nope", "--by", "user:alice"], { cwd: dir })).toMatchObject({
      code: 1,
      stderr: "wsops revoke: no grant grant-nope\n",
    });
    expect(wsops(["grant", "--to", "agent:coder", "--expires", "soon", "--", "ls"], { cwd: dir }).code).toBe(
      2,
    );
    const audit = wsops(["audit", "verify"], { cwd: dir });
    expect(audit.code).toBe(0);
  });
});

describe("every command", () => {
  it.each(Object.keys(commands))("wsops %s --help prints its usage and exits 0", (name) => {
    const ran = wsops([name, "--help"], { cwd: mkdtempSync(join(tmpdir(), "wsops-help-")) });
    expect(ran.code).toBe(0);
    expect(ran.stdout).toMatch(new RegExp(`^Usage:(.|\\n)*wsops ${name}`));
    expect(ran.stderr).toBe("");
  });

  it("wsops --version", () => {
    expect(wsops(["--version"]).stdout).toMatch(/^wsops \d+\.\d+\.\d+\n$/);
  });
});
