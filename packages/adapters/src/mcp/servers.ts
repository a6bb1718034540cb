// MCP servers named in a configuration file, for `wsops exec --mcp-config FILE` (the executor runs an
// allowed MCP call on its server): the format MCP clients use, {"mcpServers": {NAME: {command, args,
// env, cwd}}}. Each server is started on its first call, with the SDK's client, and stopped by close().
import { readFile } from "node:fs/promises";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import type { McpCall, McpCaller, McpToolResult } from "@workspace-ops/executor";
import type { UpstreamServer } from "./proxy.js";

export class McpConfigError extends Error {}

/** The servers of a configuration file, checked: a mistake names the file and the entry. */
export async function readMcpConfig(file: string): Promise<UpstreamServer[]> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, "utf8"));
  } catch (error) {
    throw new McpConfigError(`cannot read ${file} as JSON: ${(error as Error).message}`);
  }
  const servers = (parsed as { mcpServers?: unknown } | null)?.mcpServers;
  if (!servers || typeof servers !== "object" || Array.isArray(servers))
    throw new McpConfigError(`${file}: /mcpServers must be an object of servers by name`);
  return Object.entries(servers as Record<string, unknown>).map(([name, entry]) => {
    const e = (entry ?? {}) as { command?: unknown; args?: unknown; env?: unknown; cwd?: unknown };
    const at = `${file}: /mcpServers/${name}`;
    if (typeof e.command !== "string" || e.command === "")
      throw new McpConfigError(`${at}/command must be a string`);
    if (e.args !== undefined && !(Array.isArray(e.args) && e.args.every((a) => typeof a === "string")))
      throw new McpConfigError(`${at}/args must be an array of strings`);
    if (
      e.env !== undefined &&
      !(e.env && typeof e.env === "object" && Object.values(e.env).every((v) => typeof v === "string"))
    )
      throw new McpConfigError(`${at}/env must be an object of strings`);
    if (e.cwd !== undefined && typeof e.cwd !== "string")
      throw new McpConfigError(`${at}/cwd must be a string`);
    return {
      name,
      command: e.command,
      args: (e.args as string[] | undefined) ?? [],
      ...(e.env ? { env: e.env as Record<string, string> } : {}),
      ...(e.cwd ? { cwd: e.cwd as string } : {}),
    };
  });
}

/** A caller that starts each configured server on its first call. */
export function configuredServers(
  servers: readonly UpstreamServer[],
): McpCaller & { close(): Promise<void> } {
  const byName = new Map(servers.map((s) => [s.name, s]));
  const clients = new Map<string, Promise<Client>>();
  const connect = (server: UpstreamServer) => {
    let client = clients.get(server.name);
    if (!client) {
      client = (async () => {
        const c = new Client({ name: "wsops", version: "0.1.0" });
        await c.connect(
          new StdioClientTransport({
            command: server.command,
            args: [...server.args],
            env: { ...(process.env as Record<string, string>), ...server.env },
            stderr: "inherit",
            ...(server.cwd ? { cwd: server.cwd } : {}),
          }),
        );
        return c;
      })();
      clients.set(server.name, client);
    }
    return client;
  };
  return {
    has: (name) => byName.has(name),
    async callTool(call: McpCall, signal: AbortSignal): Promise<McpToolResult> {
      const server = byName.get(call.server);
      if (!server) throw new Error(`no MCP server ${call.server} is configured`);
      const client = await connect(server);
      return (await client.callTool({ name: call.tool, arguments: call.arguments }, undefined, {
        signal,
      })) as McpToolResult;
    },
    async close() {
      for (const client of clients.values()) await (await client.catch(() => null))?.close();
    },
  };
}
