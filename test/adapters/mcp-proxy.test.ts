// wsops mcp proxy end to end: the official SDK's client, the real filesystem server
// (@modelcontextprotocol/server-filesystem), the real wsops binary between them, a real store.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { ListRootsRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { openSqliteStore } from "@workspace-ops/store";
import { afterEach, describe, expect, it } from "vitest";
import { cliEnv, repoRoot, stateDirOf, wsops } from "../cli/run-cli.js";
import { workspace, writeProfileOperation } from "./support.js";

const bin = join(repoRoot, "packages/cli/bin/wsops.js");
const server = join(repoRoot, "node_modules/@modelcontextprotocol/server-filesystem/dist/index.js");
const secret = "ghp_abcdefghijklmnopqrstuvwxyz0123456789";

const clients: Client[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) await c.close();
});

/** A workspace with a profile that lets user:alice grant, and the grants the tests need. */
function governedWorkspace(grants: string[]) {
  const ws = workspace();
  writeFileSync(join(ws.dir, "secret.txt"), `token=${secret}\n`);
  const operation = join(ws.outside, "profile.json");
  writeProfileOperation(operation, ws.dir);
  expect(wsops(["submit", operation], { cwd: ws.dir })).toMatchObject({ code: 0 });
  for (const tool of grants) {
    const granted = wsops(
      ["grant", "--to", "agent:mcp-client", "--by", "user:alice", "--mcp", `fs/${tool}`],
      {
        cwd: ws.dir,
      },
    );
    expect(granted).toMatchObject({ code: 0, stdout: expect.stringMatching(/^grant-[0-9a-f-]+: mcp fs\//) });
  }
  return ws;
}

/** The SDK's client on `wsops mcp proxy -- node server-filesystem` (no directory: the client's roots). */
async function connect(ws: { dir: string }, flags: string[] = []) {
  let stderr = "";
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [bin, "mcp", "proxy", "--name", "fs", ...flags, "--", process.execPath, server],
    cwd: ws.dir,
    env: cliEnv as Record<string, string>,
    stderr: "pipe",
  });
  transport.stderr?.on("data", (chunk) => {
    stderr += chunk;
  });
  const client = new Client(
    { name: "test-client", version: "1.0.0" },
    { capabilities: { roots: { listChanged: true } } },
  );
  // The server asks the client for its roots: a request from the server, through the proxy.
  client.setRequestHandler(ListRootsRequestSchema, async () => ({
    roots: [{ uri: pathToFileURL(ws.dir).href, name: "workspace" }],
  }));
  await client.connect(transport);
  clients.push(client);
  return { client, stderr: () => stderr };
}

const textOf = (result: unknown) =>
  ((result as { content: { type: string; text: string }[] }).content ?? []).map((c) => c.text).join("\n");

async function until<T>(probe: () => Promise<T | undefined> | T | undefined, what: string): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const pendingApproval = (ws: { dir: string }) => {
  const listed = JSON.parse(wsops(["approvals", "--pending", "--json"], { cwd: ws.dir }).stdout) as {
    approvalRequestId: string;
    command: string;
  }[];
  return listed[0];
};

describe("wsops mcp proxy", () => {
  it("passes everything through, allows a granted read, denies writes without a grant or into a credential store, and waits for an approved write", async () => {
    const ws = governedWorkspace(["list_allowed_directories", "read_text_file", "write_file"]);
    const { client, stderr } = await connect(ws);
    const tools = (await client.listTools()).tools.map((t) => t.name);
    expect(tools).toEqual(expect.arrayContaining(["read_text_file", "write_file", "edit_file"]));
    // The server learnt its directory from the client's roots (roots/list went server → client).
    const allowed = await until(async () => {
      const text = textOf(await client.callTool({ name: "list_allowed_directories", arguments: {} }));
      return text.includes(ws.dir) ? text : undefined;
    }, "the roots to reach the server");
    expect(allowed).toContain(ws.dir);

    const read = await client.callTool({
      name: "read_text_file",
      arguments: { path: join(ws.dir, "secret.txt") },
    });
    expect(read.isError).toBeFalsy();
    expect(textOf(read)).toBe(`token=${secret}\n`);

    const edit = await client.callTool({
      name: "edit_file",
      arguments: { path: join(ws.dir, "README.md"), edits: [{ oldText: "demo", newText: "pwned" }] },
    });
    expect(edit.isError).toBe(true);
    expect(textOf(edit)).toMatch(
      /^workspace-ops: denied \(grant_missing: agent mcp-client holds no grant for fs\/edit_file\) \[texec-[0-9a-f-]+\]$/,
    );
    expect(readFileSync(join(ws.dir, "README.md"), "utf8")).toBe("# demo\n");

    mkdirSync(join(ws.dir, ".ssh"));
    const planted = await client.callTool({
      name: "write_file",
      arguments: { path: join(ws.dir, ".ssh", "authorized_keys"), content: "ssh-ed25519 AAAA attacker" },
    });
    expect(planted.isError).toBe(true);
    expect(textOf(planted)).toContain("mcp_argument_denied: fs/write_file: argument path = ");
    expect(existsSync(join(ws.dir, ".ssh", "authorized_keys"))).toBe(false);

    const workflow = join(ws.dir, ".github", "workflows", "ci.yml");
    mkdirSync(join(ws.dir, ".github", "workflows"), { recursive: true });
    const writing = client.callTool(
      { name: "write_file", arguments: { path: workflow, content: "on: push\n" } },
      undefined,
      { timeout: 60_000 },
    );
    const waiting = await until(() => pendingApproval(ws), "the approval request");
    expect(waiting.command).toBe(`mcp fs/write_file {"path":"${workflow}","content":"on: push\\n"}`);
    await until(
      () => (stderr().includes(waiting.approvalRequestId) ? true : undefined),
      "the proxy to say so",
    );
    expect(stderr()).toContain(
      `wsops approve ${waiting.approvalRequestId} --by user:NAME --workspace ${ws.dir}`,
    );
    expect(existsSync(workflow)).toBe(false);
    expect(
      wsops(["approve", waiting.approvalRequestId, "--by", "user:alice"], { cwd: ws.dir }),
    ).toMatchObject({
      code: 0,
    });
    const written = await writing;
    expect(written.isError).toBeFalsy();
    expect(readFileSync(workflow, "utf8")).toBe("on: push\n");

    // What was recorded: the read's result with the output redacted.
    const store = await openSqliteStore(join(stateDirOf(ws.dir), "state.db"));
    try {
      const calls = await store.listStreams({ kind: "tool_execution", limit: 100 });
      const results = await Promise.all(
        calls.map(async (c) => (await store.read(c.stream)).findLast((r) => r.type === "result")?.data),
      );
      const readResult = results.find((r) => JSON.stringify(r).includes("REDACTED:github-token")) as {
        outcome: string;
        output: { stdout: { preview: string } };
      };
      expect(readResult.outcome).toBe("succeeded");
      expect(JSON.stringify(results)).not.toContain(secret);
      const requests = await Promise.all(calls.map(async (c) => (await store.read(c.stream))[0]?.data));
      expect(JSON.stringify(requests)).not.toContain(secret);
    } finally {
      await store.close();
    }
  });

  it("with --approval error answers a tool error naming the approval; the same call made again after it goes through once", async () => {
    const ws = governedWorkspace(["write_file"]);
    const { client } = await connect(ws, ["--approval", "error"]);
    const workflow = join(ws.dir, ".github", "workflows", "release.yml");
    mkdirSync(join(ws.dir, ".github", "workflows"), { recursive: true });
    const call = { name: "write_file", arguments: { path: workflow, content: "on: tag\n" } };
    const refused = await client.callTool(call);
    expect(refused.isError).toBe(true);
    const apr = /Approval (apr-[0-9a-f-]+) waits/.exec(textOf(refused))?.[1] as string;
    expect(textOf(refused)).toContain(
      `a person approves it with: wsops approve ${apr} --by user:NAME --workspace ${ws.dir}`,
    );
    expect(existsSync(workflow)).toBe(false);
    expect(wsops(["approve", apr, "--by", "user:alice"], { cwd: ws.dir })).toMatchObject({ code: 0 });
    const again = await client.callTool(call);
    expect(again.isError).toBeFalsy();
    expect(readFileSync(workflow, "utf8")).toBe("on: tag\n");
    const third = await client.callTool({ ...call, arguments: { ...call.arguments, content: "on: tag\n" } });
    expect(third.isError).toBe(true);
    expect(textOf(third)).not.toContain(apr);
  });

  it("wsops exec --mcp-config runs an allowed MCP call through the configured server", () => {
    const ws = governedWorkspace(["read_text_file"]);
    const config = join(ws.outside, "mcp.json");
    writeFileSync(
      config,
      JSON.stringify({ mcpServers: { fs: { command: process.execPath, args: [server, ws.dir] } } }),
    );
    const request = join(ws.outside, "request.json");
    writeFileSync(
      request,
      JSON.stringify({
        kind: "ToolExecutionRequest",
        apiVersion: "workspace-ops.dev/v1",
        toolExecutionId: "texec-mcp-exec-1",
        requestedAt: new Date().toISOString(),
        context: {
          organizationId: "local",
          workspaceId: "ws",
          sessionId: "sess-mcp",
          agentRunId: "run-mcp",
          agentRunStepId: "step-1",
          actor: { type: "agent", id: "mcp-client" },
          surface: "cli",
          cwd: ".",
        },
        tool: {
          kind: "mcp",
          server: "fs",
          name: "read_text_file",
          sanitizedArgs: { path: join(ws.dir, "README.md") },
        },
        correlation: { traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" },
      }),
    );
    const ran = wsops(["exec", "--json", "--request", request, "--mcp-config", config], { cwd: ws.dir });
    expect(ran.code).toBe(0);
    const result = JSON.parse(ran.stdout);
    expect(result).toMatchObject({ outcome: "succeeded", exitCode: 0 });
    expect(JSON.parse(result.output.stdout.preview)).toMatchObject({
      content: [{ type: "text", text: "# demo\n" }],
    });
    const without = wsops(["exec", "--json", "--request", request], { cwd: ws.dir });
    expect(without.code).toBe(73);
  });
});
