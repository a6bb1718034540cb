// Running an allowed MCP tool call: the executor does not speak MCP itself (the SDK is a dependency
// of @workspace-ops/adapters only); whoever opens it hands it a caller that does — the MCP proxy its
// connection to the real server, `wsops exec --mcp-config` a client per configured server.
import { createHash } from "node:crypto";
import { redact, redactText } from "@workspace-ops/redact";
import type { StreamCapture } from "./sandbox/types.js";

/** An MCP CallToolResult, as the server sent it. */
export interface McpToolResult {
  content?: unknown[];
  structuredContent?: unknown;
  isError?: boolean;
  [key: string]: unknown;
}

/** One allowed call, as the executor hands it to the caller. */
export interface McpCall {
  server: string;
  tool: string;
  /** As the client sent them (the records keep them redacted). */
  arguments: Record<string, unknown>;
  toolExecutionId: string;
}

export interface McpCaller {
  /** Whether a server of this name is configured here. */
  has(server: string): boolean;
  /**
   * Calls the tool. Resolves to the server's result (isError for a tool error); rejects when the
   * server cannot be reached or answers with an error; `signal` cancels it.
   */
  callTool(call: McpCall, signal: AbortSignal): Promise<McpToolResult>;
}

const PREVIEW_CHARS = 4096;
// Redaction looks this far into a text; the preview is its first PREVIEW_CHARS characters.
const REDACTED_CHARS = 4 * PREVIEW_CHARS;

/** What the result records of an MCP call's output: its JSON, digested, and a redacted preview. */
export function mcpOutput(result: McpToolResult): { stdout: StreamCapture; stderr: StreamCapture } {
  // Redacted as a value first: a secret under a key such as "token" is found by its key.
  return {
    stdout: capture(JSON.stringify(result), JSON.stringify(redact(result).value)),
    stderr: capture(""),
  };
}

/**
 * A text an agent runtime or a server reports as a result's OutputStream: its size and the digest of
 * the whole text, and a redacted preview (of `shown`, the same text prepared for redaction).
 */
export function capture(text: string, shown = text): StreamCapture {
  return {
    bytes: Buffer.byteLength(text),
    digest: `sha256:${createHash("sha256").update(text).digest("hex")}`,
    preview: Array.from(redactText(shown.slice(0, REDACTED_CHARS)).text)
      .slice(0, PREVIEW_CHARS)
      .join(""),
    truncated: false,
  };
}
