// The HTTP half of the filtering proxy, on Node's own HTTP parser: CONNECT tunnels (HTTPS and any
// other TCP) and absolute-form requests for plain http:// URLs. Each target is decided before a
// byte goes out, and connected to at the address the decision resolved.
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import { connect, type Socket } from "node:net";
import type { Duplex } from "node:stream";
import type { Verdict } from "./allowlist.js";

export type Decide = (
  protocol: "http" | "connect" | "socks5",
  host: string,
  port: number,
) => Promise<Verdict>;

// Hop-by-hop headers (RFC 9110 §7.6.1) and the proxy's own: never forwarded.
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "proxy-authenticate",
  "proxy-authorization",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
]);

export function createHttpProxy(decide: Decide, tunnels: Set<Duplex>): Server {
  const server = createServer((req, res) => void forward(decide, req, res));
  server.on("connect", (req: IncomingMessage, client: Duplex, head: Buffer) => {
    tunnels.add(client);
    client.once("close", () => tunnels.delete(client));
    void tunnel(decide, req, client, head, tunnels);
  });
  // A client that sends garbage gets a 400 from Node and nothing else happens.
  server.on("clientError", (_error, socket) => socket.destroy());
  return server;
}

/** "host:port" or "[v6]:port", as the CONNECT line names it. */
function authority(target: string | undefined): { host: string; port: number } | null {
  try {
    const url = new URL(`http://${target ?? ""}`);
    const port = Number(url.port);
    if (!url.hostname || !url.port || url.pathname !== "/" || url.username) return null;
    return { host: url.hostname, port };
  } catch {
    return null;
  }
}

async function tunnel(
  decide: Decide,
  req: IncomingMessage,
  client: Duplex,
  head: Buffer,
  tunnels: Set<Duplex>,
) {
  client.on("error", () => client.destroy());
  const target = authority(req.url);
  if (!target) return refuse(client, 400, "Bad Request", "CONNECT needs host:port");
  const verdict = await decide("connect", target.host, target.port);
  if (!verdict.allowed)
    return refuse(client, 403, "Forbidden", `${target.host}:${target.port} refused (${verdict.reason})`);
  const upstream: Socket = connect({ host: verdict.address, port: target.port });
  tunnels.add(upstream);
  upstream.once("close", () => {
    tunnels.delete(upstream);
    client.destroy();
  });
  client.once("close", () => upstream.destroy());
  let established = false;
  upstream.once("error", () => {
    if (!established) refuse(client, 502, "Bad Gateway", `${target.host}:${target.port} unreachable`);
  });
  upstream.once("connect", () => {
    established = true;
    client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
    if (head.length > 0) upstream.write(head);
    upstream.pipe(client);
    client.pipe(upstream);
  });
}

async function forward(decide: Decide, req: IncomingMessage, res: ServerResponse) {
  let url: URL;
  try {
    url = new URL(req.url ?? "");
  } catch {
    return reply(res, 400, "a proxy request names an absolute http:// URL");
  }
  if (url.protocol !== "http:")
    return reply(res, 400, `only http:// is proxied this way (use CONNECT for ${url.protocol})`);
  const port = url.port === "" ? 80 : Number(url.port);
  const verdict = await decide("http", url.hostname, port);
  if (!verdict.allowed) return reply(res, 403, `${url.hostname}:${port} refused (${verdict.reason})`);
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(req.headers))
    if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
  const upstream = httpRequest({
    host: verdict.address,
    port,
    method: req.method,
    path: `${url.pathname}${url.search}`,
    // The client's Host header (the name it asked for), not the address connected to.
    headers: { ...headers, host: url.host },
    setHost: false,
  });
  upstream.on("response", (answer) => {
    const kept: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(answer.headers))
      if (value !== undefined && !HOP_BY_HOP.has(name)) kept[name] = value;
    res.writeHead(answer.statusCode ?? 502, answer.statusMessage, kept);
    answer.pipe(res);
  });
  upstream.on("error", () => {
    if (!res.headersSent) reply(res, 502, `${url.hostname}:${port} unreachable`);
    else res.destroy();
  });
  req.pipe(upstream);
}

function reply(res: ServerResponse, status: number, message: string) {
  res.writeHead(status, { "content-type": "text/plain", connection: "close" });
  res.end(`wsops sandbox proxy: ${message}\n`);
}

function refuse(client: Duplex, status: number, text: string, message: string) {
  if (client.writable)
    client.end(
      `HTTP/1.1 ${status} ${text}\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nwsops sandbox proxy: ${message}\n`,
    );
}
