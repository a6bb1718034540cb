// `wsops mcp proxy -- COMMAND ARGS…`: a stdio MCP proxy on the official SDK's transports. It starts
// the real server and passes every message through unchanged, both ways — requests, responses,
// notifications, and the server's own requests to the client (sampling, elicitation, roots) —
// except tools/call, which the executor governs: the call is decided (grants on "<server>/<tool>",
// argument rules), and only an allowed (or approved) call reaches the server, under a request id
// of the proxy's own; its result goes back to the client under the client's id and is recorded,
// redacted. A denied call is a tool error result naming the reasons; a call that needs approval
// waits for it, or is a tool error naming the approval (then the same call retried goes through).
import { randomUUID } from "node:crypto";
import type { Readable, Writable } from "node:stream";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import {
  isJSONRPCErrorResponse,
  isJSONRPCNotification,
  isJSONRPCRequest,
  isJSONRPCResultResponse,
  type JSONRPCMessage,
  type JSONRPCRequest,
} from "@modelcontextprotocol/sdk/types.js";
import { errorsInOneLine } from "@workspace-ops/contracts";
import type { Executor, McpCall, McpCaller, McpToolResult, ToolCallOutcome } from "@workspace-ops/executor";
import { buildRequest, type HookSession, identifier, mcpTool } from "../hooks/request.js";

export interface UpstreamServer {
  /** The name grants use: "<name>/<tool>". */
  name: string;
  command: string;
  args: readonly string[];
  env?: Record<string, string>;
  cwd?: string;
}

export interface ProxyOptions {
  server: UpstreamServer;
  /** Opens the executor with the proxy's connection as its MCP caller. */
  open: (mcp: McpCaller) => Promise<Executor>;
  session: HookSession;
  /** wait (default): hold the call until a person resolves it; error: answer at once, naming it. */
  approval: "wait" | "error";
  waitTimeoutMs: number;
  approveFlags: readonly string[];
  /** The client's side (default: this process's stdin and stdout). */
  input?: Readable;
  output?: Writable;
  /** Notes for a person (stderr); never the protocol stream. */
  log: (line: string) => void;
}

/** A JSON-RPC error the server answered a governed call with: passed to the client as it came. */
class UpstreamError extends Error {
  constructor(readonly error: { code: number; message: string; data?: unknown }) {
    super(error.message);
  }
}

type Id = string | number;

/** Runs until either side closes; resolves to the exit code. */
export async function runProxy(options: ProxyOptions): Promise<number> {
  const { server, log } = options;
  const upstream = new StdioClientTransport({
    command: server.command,
    args: [...server.args],
    // The client configured the proxy with the environment it means for the server.
    env: { ...(process.env as Record<string, string>), ...server.env },
    stderr: "inherit",
    ...(server.cwd ? { cwd: server.cwd } : {}),
  });
  const downstream = new StdioServerTransport(options.input, options.output);
  let sequence = 0;
  /** The proxy's own requests to the server (governed calls), by their id. */
  const ours = new Map<Id, { resolve: (result: McpToolResult) => void; reject: (error: Error) => void }>();
  /** A governed call's original params (its _meta, a progress token), by its toolExecutionId. */
  const params = new Map<string, JSONRPCRequest["params"]>();
  /** The toolExecutionId of a governed call, by the client's request id. */
  const callOf = new Map<Id, string>();
  const errors = new Map<string, UpstreamError>();

  const caller: McpCaller = {
    has: (name) => name === server.name,
    callTool: (call: McpCall, signal: AbortSignal) =>
      new Promise((resolve, reject) => {
        const id = `wsops-${++sequence}`;
        const original = params.get(call.toolExecutionId) ?? {};
        ours.set(id, {
          resolve,
          reject: (error) => {
            if (error instanceof UpstreamError) errors.set(call.toolExecutionId, error);
            reject(error);
          },
        });
        signal.addEventListener(
          "abort",
          () => {
            ours.delete(id);
            void upstream.send({
              jsonrpc: "2.0",
              method: "notifications/cancelled",
              params: { requestId: id, reason: "cancelled" },
            });
            reject(new Error("the call was cancelled"));
          },
          { once: true },
        );
        void upstream
          .send({
            jsonrpc: "2.0",
            id,
            method: "tools/call",
            params: { ...original, name: call.tool, arguments: call.arguments },
          })
          .catch((error: Error) => {
            ours.delete(id);
            reject(error);
          });
      }),
  };
  const executor = await options.open(caller);

  const reply = (message: JSONRPCMessage) =>
    downstream.send(message).catch((error: Error) => log(`cannot answer the client: ${error.message}`));

  async function govern(message: JSONRPCRequest): Promise<void> {
    const callParams = (message.params ?? {}) as { name?: unknown; arguments?: unknown };
    const toolExecutionId = identifier("texec-", randomUUID());
    const args = (
      callParams.arguments && typeof callParams.arguments === "object" ? callParams.arguments : {}
    ) as Record<string, unknown>;
    params.set(toolExecutionId, message.params);
    callOf.set(message.id, toolExecutionId);
    try {
      const request = buildRequest(
        options.session,
        toolExecutionId,
        mcpTool(server.name, String(callParams.name ?? ""), args),
      );
      const outcome = await executor.exec(request, {
        wait: options.approval === "wait",
        waitTimeoutMs: options.waitTimeoutMs,
        mcpArguments: args,
        onPending: (pending) =>
          log(
            `${server.name}/${String(callParams.name)} waits for approval ${pending.approvalRequestId} (until ${pending.expiresAt}): ${approveCommand(pending.approvalRequestId, options.approveFlags)}`,
          ),
      });
      const upstreamError = errors.get(toolExecutionId);
      if (upstreamError) await reply({ jsonrpc: "2.0", id: message.id, error: upstreamError.error });
      else await reply({ jsonrpc: "2.0", id: message.id, result: resultFor(outcome, options.approveFlags) });
    } catch (error) {
      await reply({
        jsonrpc: "2.0",
        id: message.id,
        result: toolError(`workspace-ops could not decide the call: ${(error as Error).message}`),
      });
    } finally {
      params.delete(toolExecutionId);
      callOf.delete(message.id);
      errors.delete(toolExecutionId);
    }
  }

  upstream.onmessage = (message) => {
    const id = "id" in message ? message.id : undefined;
    if (
      (isJSONRPCResultResponse(message) || isJSONRPCErrorResponse(message)) &&
      id !== undefined &&
      ours.has(id)
    ) {
      const waiter = ours.get(id);
      ours.delete(id);
      if (isJSONRPCErrorResponse(message)) waiter?.reject(new UpstreamError(message.error));
      else waiter?.resolve(message.result as McpToolResult);
      return;
    }
    void reply(message);
  };
  downstream.onmessage = (message) => {
    if (isJSONRPCRequest(message) && message.method === "tools/call") {
      void govern(message);
      return;
    }
    // A cancel of a governed call names the client's id: the executor cancels the call (on the
    // server too, under the proxy's id, when it runs there).
    if (isJSONRPCNotification(message) && message.method === "notifications/cancelled") {
      const requestId = (message.params as { requestId?: Id } | undefined)?.requestId;
      const call = requestId === undefined ? undefined : callOf.get(requestId);
      if (call !== undefined) {
        void executor.cancel(call, "cancelled by the MCP client");
        return;
      }
    }
    void upstream.send(message).catch((error: Error) => log(`cannot reach the server: ${error.message}`));
  };

  const closed = new Promise<number>((resolve) => {
    upstream.onclose = () => {
      void downstream.close();
      resolve(0);
    };
    downstream.onclose = () => {
      void upstream.close();
      resolve(0);
    };
    upstream.onerror = (error) => log(`server: ${error.message}`);
    downstream.onerror = (error) => log(`client: ${error.message}`);
  });
  try {
    await upstream.start();
  } catch (error) {
    log(`cannot start the MCP server ${server.command}: ${(error as Error).message}`);
    await executor.close();
    return 69;
  }
  await downstream.start();
  // The client's stdin ending is the end of the session.
  (options.input ?? process.stdin).once("end", () => void downstream.close());
  const code = await closed;
  await executor.close();
  return code;
}

const approveCommand = (id: string, flags: readonly string[]) =>
  [`wsops approve ${id} --by user:NAME`, ...flags].join(" ");

const toolError = (text: string): McpToolResult => ({ content: [{ type: "text", text }], isError: true });

/** What the client gets for a governed call that did not come back from the server. */
function resultFor(outcome: ToolCallOutcome, approveFlags: readonly string[]): McpToolResult {
  if (outcome.kind === "rejected")
    return toolError(
      `workspace-ops refused the call: ${outcome.error.message}${outcome.errors?.length ? `: ${errorsInOneLine(outcome.errors)}` : ""}`,
    );
  if (outcome.kind === "pending")
    return toolError(
      `workspace-ops: the call needs approval (${outcome.result.reasons?.map((r) => r.message).join("; ")}). Approval ${outcome.approvalRequestId} waits until ${outcome.expiresAt}; a person approves it with: ${approveCommand(outcome.approvalRequestId, approveFlags)} — then call the tool again with the same arguments, and it goes through once. [${outcome.toolExecutionId}]`,
    );
  if (outcome.mcpResult) return outcome.mcpResult;
  const { result } = outcome;
  const why = result.reasons?.map((r) => `${r.code}: ${r.message}`).join("; ") ?? "";
  return toolError(`workspace-ops: ${result.outcome}${why ? ` (${why})` : ""} [${result.toolExecutionId}]`);
}
