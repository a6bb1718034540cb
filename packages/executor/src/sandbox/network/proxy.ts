// The filtering proxy an allowlist run reaches the network through: HTTP (plain requests and CONNECT
// tunnels, on Node's http) and SOCKS5 (with @pondwader/socks5-server), each on a Unix socket that is
// bound into the sandbox. It runs in the executor, outside the sandbox; every connection attempt is
// decided by decideConnection and recorded.
import { createServer as createNetServer, type Server as NetServer } from "node:net";
import { join } from "node:path";
import type { Duplex } from "node:stream";
import { fileURLToPath } from "node:url";
import {
  createServer as createSocksServer,
  defaultConnectionHandler,
  type Socks5Server,
} from "@pondwader/socks5-server";
import type { ConnectionAttempt } from "@workspace-ops/contracts";
import { decideConnection, parseAllowlist, type Resolver } from "./allowlist.js";
import { createHttpProxy, type Decide } from "./http-proxy.js";

/** One decided attempt, as ToolExecutionResult records it. */
export type { ConnectionAttempt } from "@workspace-ops/contracts";

export interface ConnectionLog {
  connections: ConnectionAttempt[];
  /** Attempts beyond MAX_LISTED: decided, counted, not listed. */
  omitted: number;
}

export interface FilteringProxy {
  /** Unix socket of the HTTP proxy (plain requests and CONNECT). */
  httpSocket: string;
  /** Unix socket of the SOCKS5 proxy. */
  socksSocket: string;
  log(): ConnectionLog;
  /** Stops accepting and ends every open tunnel. */
  close(): Promise<void>;
}

export interface ProxyOptions {
  /** A private directory (0700) for the two sockets. */
  dir: string;
  /** Allowlist entries as the obligations give them ("host", "*.domain", with optional ":port"). */
  allowlist: readonly string[];
  now?: () => Date;
  /** Test seam: how names are resolved (default: the system resolver, as getaddrinfo sees it). */
  resolve?: Resolver;
}

/** The in-sandbox end of the proxy (plain JavaScript, run by path with the executor's own node). */
export const BRIDGE_SCRIPT = fileURLToPath(new URL("./bridge.mjs", import.meta.url));

/** As many attempts as ToolExecutionResult lists; the rest are counted. */
export const MAX_LISTED = 256;

export async function startFilteringProxy(options: ProxyOptions): Promise<FilteringProxy> {
  const entries = parseAllowlist(options.allowlist);
  const now = options.now ?? (() => new Date());
  const log: ConnectionLog = { connections: [], omitted: 0 };
  const note = (attempt: Omit<ConnectionAttempt, "at">) => {
    const entry = { ...attempt, host: printable(attempt.host), at: now().toISOString() };
    if (log.connections.length < MAX_LISTED) log.connections.push(entry);
    else log.omitted += 1;
  };
  const decide: Decide = async (protocol, host, port) => {
    const verdict = await decideConnection(entries, host, port, options.resolve);
    const { allowed, reason } = verdict;
    note({ host, port, protocol, allowed, reason, ...(verdict.allowed ? { address: verdict.address } : {}) });
    return verdict;
  };

  const httpSocket = join(options.dir, "http.sock");
  const socksSocket = join(options.dir, "socks.sock");
  const tunnels = new Set<Duplex>();
  const http = createHttpProxy(decide, tunnels);
  const socks = socksProxy(decide, note, tunnels);
  // The SOCKS library parses what arrives on a socket; the listening socket is ours.
  const socksListener = createNetServer((socket) => socks._handleConnection(socket));
  try {
    await Promise.all([listen(http, httpSocket), listen(socksListener, socksSocket)]);
  } catch (error) {
    await Promise.allSettled([closeServer(http), closeServer(socksListener)]);
    throw error;
  }
  return {
    httpSocket,
    socksSocket,
    log: () => ({ connections: [...log.connections], omitted: log.omitted }),
    close: async () => {
      for (const tunnel of tunnels) tunnel.destroy();
      // Kept-alive plain-HTTP connections too, or closing would wait for their clients.
      http.closeAllConnections();
      await Promise.all([closeServer(http), closeServer(socksListener)]);
    },
  };
}

function socksProxy(
  decide: Decide,
  note: (attempt: Omit<ConnectionAttempt, "at">) => void,
  tunnels: Set<Duplex>,
): Socks5Server {
  const server = createSocksServer();
  // BIND and UDP ASSOCIATE reach the handler too, so they are refused and recorded here.
  server.supportedCommands.add("bind").add("udp");
  server.setConnectionHandler(async (connection, sendStatus) => {
    const { socket, command, destAddress, destPort } = connection;
    tunnels.add(socket);
    socket.once("close", () => tunnels.delete(socket));
    if (command !== "connect") {
      note({ host: destAddress, port: destPort, protocol: "socks5", allowed: false, reason: "unsupported" });
      sendStatus("COMMAND_NOT_SUPPORTED");
      return;
    }
    const verdict = await decide("socks5", destAddress, destPort);
    if (!verdict.allowed) {
      sendStatus("CONNECTION_NOT_ALLOWED");
      return;
    }
    // The library's own handler, aimed at the address decided on rather than at the name.
    connection.destAddress = verdict.address;
    const upstream = defaultConnectionHandler(connection, sendStatus);
    if (upstream) {
      tunnels.add(upstream);
      upstream.once("close", () => tunnels.delete(upstream));
    }
  });
  return server;
}

/** What the record shows of a host the client sent: printable ASCII, at most 255 characters. */
function printable(host: string): string {
  const shown = host
    .toLowerCase()
    .replace(/[^!-~]/g, "?")
    .slice(0, 255);
  return shown === "" ? "?" : shown;
}

function listen(server: NetServer, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(path, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

function closeServer(server: NetServer): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}
