// Building the ToolExecutionRequest of one hook call: the session as correlation (its trace id is
// derived from the session, so a session's calls share one trace), the cwd relative to the
// workspace, and the tool by kind: a shell command, a file tool's absolute paths, a web tool's URL
// or query, an MCP tool with its arguments redacted.
import { createHash, randomBytes } from "node:crypto";
import { createRequire } from "node:module";
import { isAbsolute, relative, resolve } from "node:path";
import type { Principal, ToolExecutionRequest } from "@workspace-ops/contracts";
import { redact } from "@workspace-ops/redact";
import type picomatchType from "picomatch";

export type Tool = ToolExecutionRequest["tool"];

/** What every call of a hook shares. */
export interface HookSession {
  /** Absolute workspace root. */
  workspaceRoot: string;
  workspaceId: string;
  actor: Principal;
  /** The runtime's name: "claude-code", "gemini-cli" (the request's channel). */
  runtime: string;
  sessionId: string;
  /** The runtime's working directory, absolute. */
  cwd: string;
  profileId?: string;
}

/** A mistake in the runtime's input: the hook fails closed on it in governed mode. */
export class HookInputError extends Error {}

const IDENTIFIER = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/** A runtime's id made into a contract Identifier (kept when it is one, else a digest of it). */
export function identifier(prefix: string, raw: string): string {
  const candidate = `${prefix}${raw}`;
  if (IDENTIFIER.test(candidate)) return candidate;
  return `${prefix}${createHash("sha256").update(raw).digest("hex").slice(0, 32)}`;
}

/** The request for one tool call; `id` is the call's own id (from the runtime's tool-use id, or new). */
export function buildRequest(
  session: HookSession,
  id: string,
  tool: Tool,
  cwd = session.cwd,
): ToolExecutionRequest {
  const where = relative(session.workspaceRoot, cwd) || ".";
  if (where.startsWith("..") || isAbsolute(where))
    throw new OutsideWorkspace(
      `the agent works in ${cwd}, outside the workspace ${session.workspaceRoot}: start it in the workspace, or give the hook --workspace`,
    );
  const trace = createHash("sha256").update(session.sessionId).digest("hex").slice(0, 32);
  return {
    kind: "ToolExecutionRequest",
    apiVersion: "workspace-ops.dev/v1",
    toolExecutionId: id,
    requestedAt: new Date().toISOString(),
    context: {
      organizationId: "local",
      workspaceId: session.workspaceId,
      sessionId: session.sessionId,
      agentRunId: session.sessionId,
      agentRunStepId: id,
      actor: session.actor,
      surface: "cli",
      channel: session.runtime,
      cwd: where,
    },
    tool,
    correlation: { traceparent: `00-${trace}-${randomBytes(8).toString("hex")}-01` },
    ...(session.profileId ? { profileId: session.profileId } : {}),
  };
}

/** The agent's cwd is outside the workspace: nothing the policy knows can be said about the call. */
export class OutsideWorkspace extends Error {}

export const shellTool = (command: string): Tool => ({
  kind: "shell",
  name: "bash",
  argv: ["bash", "-c", command],
});

/** A file tool on paths as the runtime names them (relative ones from `cwd`), normalized. */
export const fileTool = (
  name: string,
  access: "read" | "write",
  paths: readonly string[],
  cwd: string,
): Tool => ({
  kind: "file",
  name,
  access,
  paths: paths.map((p) => resolve(cwd, p)),
});

// Loaded on the first glob only: every other hook call does without it.
let picomatch: typeof picomatchType | undefined;

/** Where a glob pattern starts searching: its literal leading folders, from `dir`. */
export function globBase(pattern: string, dir: string): string {
  picomatch ??= createRequire(import.meta.url)("picomatch") as typeof picomatchType;
  return resolve(dir, picomatch.scan(pattern).base);
}

export const webFetch = (name: string, url: string): Tool => ({ kind: "web", name, access: "fetch", url });

export const webSearch = (name: string, query: string): Tool => ({
  kind: "web",
  name,
  access: "search",
  query,
});

/** An MCP tool: its arguments redacted (the request is persisted; the runtime keeps the originals). */
export function mcpTool(server: string, name: string, args: unknown): Tool {
  const value = args && typeof args === "object" && !Array.isArray(args) ? args : {};
  return { kind: "mcp", server, name, sanitizedArgs: redact(value).value as Record<string, unknown> };
}

/** A string field of a tool's input, or a HookInputError naming it. */
export function text(input: Record<string, unknown>, field: string, tool: string): string {
  const value = input[field];
  if (typeof value !== "string" || value === "")
    throw new HookInputError(`${tool}: tool_input.${field} must be a non-empty string`);
  return value;
}

/** An optional string field. */
export function optionalText(
  input: Record<string, unknown>,
  field: string,
  tool: string,
): string | undefined {
  return input[field] === undefined ? undefined : text(input, field, tool);
}
