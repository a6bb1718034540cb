// The filtering proxy on its Unix sockets, with real servers and Node's HTTP client as the client.
import { mkdtempSync } from "node:fs";
import { createServer as createHttpServer, request, type Server } from "node:http";
import { connect, createServer as createNetServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type FilteringProxy, MAX_LISTED, startFilteringProxy } from "./proxy.js";

const AT = "2026-11-21T12:00:00.000Z";
let web: Server;
let webPort = 0;
let proxy: FilteringProxy;

beforeEach(async () => {
  web = createHttpServer((req, res) => res.end(`${req.method} ${req.url} host=${req.headers.host}\n`));
  await new Promise<void>((resolve) => web.listen(0, "127.0.0.1", resolve));
  webPort = (web.address() as { port: number }).port;
  proxy = await startFilteringProxy({
    dir: mkdtempSync(join(tmpdir(), "wsops-proxy-")),
    allowlist: [`localhost:${webPort}`],
    now: () => new Date(AT),
  });
});
afterEach(async () => {
  await proxy.close();
  await new Promise((resolve) => web.close(resolve));
});

/** An absolute-form request through the proxy's Unix socket: [status, body]. */
function viaProxy(url: string): Promise<[number, string]> {
  return new Promise((resolve, reject) => {
    const host = url.startsWith("http://") ? new URL(url).host : "proxy";
    const req = request({ socketPath: proxy.httpSocket, path: url, headers: { host } });
    req.on("response", (res) => {
      let body = "";
      res.on("data", (chunk) => (body += chunk));
      res.on("end", () => resolve([res.statusCode ?? 0, body]));
    });
    req.on("error", reject);
    req.end();
  });
}

/** A CONNECT tunnel: the status line the proxy answered, and what came back for `send` if it opened. */
function tunnel(target: string, send: string): Promise<[number, string]> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: proxy.httpSocket, method: "CONNECT", path: target });
    req.on("connect", (res, socket) => {
      if (res.statusCode !== 200) {
        resolve([res.statusCode ?? 0, ""]);
        socket.destroy();
        return;
      }
      let body = "";
      socket.on("data", (chunk) => (body += chunk));
      socket.on("end", () => resolve([200, body]));
      socket.write(send);
    });
    req.on("error", reject);
    req.end();
  });
}

describe("the filtering proxy", () => {
  it("forwards an allowlisted plain HTTP request, keeping the Host the client asked for", async () => {
    expect(await viaProxy(`http://localhost:${webPort}/a?b=1`)).toEqual([
      200,
      `GET /a?b=1 host=localhost:${webPort}\n`,
    ]);
    expect(proxy.log()).toEqual({
      connections: [
        {
          host: "localhost",
          port: webPort,
          protocol: "http",
          allowed: true,
          reason: "allowlisted",
          address: expect.stringMatching(/^(127\.0\.0\.1|::1)$/),
          at: AT,
        },
      ],
      omitted: 0,
    });
  });

  it("refuses with 403 what the allowlist does not name, and records it", async () => {
    expect(await viaProxy(`http://127.0.0.1:${webPort}/`)).toEqual([
      403,
      `wsops sandbox proxy: 127.0.0.1:${webPort} refused (not_allowlisted)\n`,
    ]);
    expect(await tunnel("localhost:1", "")).toEqual([403, ""]);
    expect(proxy.log().connections).toEqual([
      {
        host: "127.0.0.1",
        port: webPort,
        protocol: "http",
        allowed: false,
        reason: "not_allowlisted",
        at: AT,
      },
      { host: "localhost", port: 1, protocol: "connect", allowed: false, reason: "not_allowlisted", at: AT },
    ]);
  });

  it("opens a CONNECT tunnel to an allowlisted port and carries bytes both ways", async () => {
    const echo = createNetServer((socket) => socket.once("data", (data) => socket.end(`echo:${data}`)));
    await new Promise<void>((resolve) => echo.listen(0, "127.0.0.1", resolve));
    const echoPort = (echo.address() as { port: number }).port;
    await proxy.close();
    proxy = await startFilteringProxy({
      dir: mkdtempSync(join(tmpdir(), "wsops-proxy-")),
      allowlist: [`localhost:${echoPort}`],
      now: () => new Date(AT),
    });
    try {
      expect(await tunnel(`localhost:${echoPort}`, "ping")).toEqual([200, "echo:ping"]);
      expect(proxy.log().connections).toEqual([
        expect.objectContaining({ host: "localhost", port: echoPort, protocol: "connect", allowed: true }),
      ]);
    } finally {
      echo.close();
    }
  });

  it("answers 400 to a request that is not a proxy request, recording nothing", async () => {
    expect(await viaProxy("/relative")).toEqual([
      400,
      "wsops sandbox proxy: a proxy request names an absolute http:// URL\n",
    ]);
    expect(proxy.log()).toEqual({ connections: [], omitted: 0 });
  });

  it("refuses SOCKS5 BIND and records it as unsupported", async () => {
    // The client side of RFC 1928, byte by byte: greeting (no auth), then BIND 127.0.0.1:80.
    const socket = connect(proxy.socksSocket);
    const replies: Buffer[] = [];
    socket.on("data", (chunk) => replies.push(chunk));
    await new Promise((resolve) => socket.once("connect", resolve));
    socket.write(Buffer.from([5, 1, 0]));
    socket.write(Buffer.from([5, 2, 0, 1, 127, 0, 0, 1, 0, 80]));
    await new Promise((resolve) => socket.once("close", resolve));
    expect(Buffer.concat(replies).subarray(0, 4)).toEqual(Buffer.from([5, 0, 5, 7]));
    expect(proxy.log().connections).toEqual([
      { host: "127.0.0.1", port: 80, protocol: "socks5", allowed: false, reason: "unsupported", at: AT },
    ]);
  });

  it(`lists the first ${MAX_LISTED} attempts and counts the rest`, async () => {
    for (let i = 0; i < MAX_LISTED + 4; i++) await viaProxy(`http://denied.example:${1000 + i}/`);
    const log = proxy.log();
    expect({
      listed: log.connections.length,
      omitted: log.omitted,
      last: log.connections.at(-1)?.port,
    }).toEqual({
      listed: MAX_LISTED,
      omitted: 4,
      last: 1000 + MAX_LISTED - 1,
    });
  });
});
