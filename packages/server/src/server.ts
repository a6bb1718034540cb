// Starts the app on a loopback address (by default) with node's own limits on slow clients, and stops
// it: open event streams end, connections close.
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import type { Executor } from "@workspace-ops/executor";
import { createApp } from "./app.js";
import type { Access } from "./auth/guard.js";
import { Sessions } from "./auth/sessions.js";
import { serverVersion } from "./version.js";

export interface ServeOptions {
  executor: Executor;
  /** Default 127.0.0.1; port 0 picks a free one. */
  host?: string;
  port: number;
  /** The URL people open when it is not the listen address (a proxy in front); its origin is accepted too. */
  publicUrl?: string;
  /** How long a sign-in lasts (default 3600). */
  sessionSeconds?: number;
  /** The bearer token agent runtimes send to POST /api/v1/decide. */
  runtimeToken: string;
  approveFlags?: readonly string[];
  log?: (line: string) => void;
}

export interface RunningServer {
  /** The URL of the inbox (the public URL when given). */
  url: string;
  origins: ReadonlySet<string>;
  close(): Promise<void>;
}

const loopbacks = new Set(["127.0.0.1", "::1", "localhost"]);

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const host = options.host ?? "127.0.0.1";
  const secure = options.publicUrl?.startsWith("https:") ?? false;
  const access: Access = {
    origins: new Set(),
    secure,
    sessions: new Sessions({ sessionSeconds: options.sessionSeconds ?? 3600, now: () => new Date() }),
    runtimeToken: options.runtimeToken,
  };
  const closing = new AbortController();
  const app = createApp(
    {
      executor: options.executor,
      access,
      version: serverVersion,
      approveFlags: options.approveFlags ?? [],
      closing: closing.signal,
      log: options.log ?? ((line) => process.stderr.write(`${line}\n`)),
    },
    new URL("./web/", import.meta.url),
  );
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const started = serve(
      {
        fetch: app.fetch,
        hostname: host,
        port: options.port,
        // Slow or silent clients are cut off: headers within 10 s, the whole request within 30 s.
        serverOptions: { headersTimeout: 10_000, requestTimeout: 30_000, keepAliveTimeout: 5_000 },
      },
      () => resolve(started),
    );
    started.once("error", reject);
  });
  const { port } = server.address() as AddressInfo;
  const shown = host.includes(":") ? `[${host}]` : host;
  const scheme = secure ? "https" : "http";
  access.origins.add(`${scheme}://${shown}:${port}`);
  if (loopbacks.has(host)) access.origins.add(`${scheme}://localhost:${port}`);
  if (options.publicUrl) access.origins.add(new URL(options.publicUrl).origin);
  const url = options.publicUrl ? new URL(options.publicUrl).origin : `${scheme}://${shown}:${port}`;
  return {
    url: `${url}/`,
    origins: access.origins,
    close: async () => {
      closing.abort();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as import("node:http").Server).closeAllConnections?.();
      });
    },
  };
}
