// Runs inside the bubblewrap sandbox of an allowlist run, which has no network but its own loopback:
// listens on 127.0.0.1 ports and carries every connection to the executor's filtering proxy through
// the Unix sockets bound into the sandbox, then runs the command and ends as it ends.
//
//   node bridge.mjs HTTP_SOCKET HTTP_PORT SOCKS_SOCKET SOCKS_PORT -- COMMAND [ARG...]
//
// Plain JavaScript with Node's own modules only: it is started by path, from src in tests and from
// dist once built, without a compile step of its own.
import { spawn } from "node:child_process";
import { connect, createServer } from "node:net";

const [httpSocket, httpPort, socksSocket, socksPort, dashes, command, ...args] = process.argv.slice(2);
if (dashes !== "--" || !command) {
  process.stderr.write(
    "wsops network bridge: usage: HTTP_SOCKET HTTP_PORT SOCKS_SOCKET SOCKS_PORT -- COMMAND…\n",
  );
  process.exit(125);
}

/** Carries each loopback connection to the Unix socket, both ways; either side ending ends both. */
function relay(socketPath) {
  return createServer((client) => {
    const upstream = connect(socketPath);
    client.pipe(upstream).pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on("error", end);
    upstream.on("error", end);
    client.on("close", end);
    upstream.on("close", end);
  });
}

const listening = (server, port) =>
  new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(Number(port), "127.0.0.1", resolve);
  });

const servers = [relay(httpSocket), relay(socksSocket)];
try {
  await Promise.all([listening(servers[0], httpPort), listening(servers[1], socksPort)]);
} catch (error) {
  process.stderr.write(`wsops network bridge: cannot listen: ${error.message}\n`);
  process.exit(125);
}

const child = spawn(command, args, { stdio: "inherit" });
// The timeout's SIGTERM reaches the whole process group, the command included; the bridge only waits
// for the command, and passes on what is sent to it alone.
for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"]) process.on(signal, () => child.kill(signal));
child.once("error", (error) => {
  process.stderr.write(`wsops network bridge: cannot start ${command}: ${error.message}\n`);
  process.exit(127);
});
child.once("exit", (code, signal) => {
  for (const server of servers) server.close();
  if (signal) {
    // End the way the command ended, so bwrap reports the same status as without the bridge.
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
  } else process.exit(code ?? 1);
});
