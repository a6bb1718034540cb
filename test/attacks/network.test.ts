// Attack: reach the network past the allowlist. The test builds its own little internet: a network
// namespace for the executor (with servers on its loopback) and one for a "remote" host, joined by a
// veth pair, with names in the executor's /etc/hosts (ip netns exec binds /etc/netns/NAME/hosts).
// Under bubblewrap the command has no network but the executor's filtering proxy: it reaches the
// servers the allowlist names, nothing else — not a loopback server it does not name, not a name
// that rebinds to loopback, not the remote host directly — and every attempt is recorded.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmdirSync, rmSync, writeFileSync } from "node:fs";
import { bubblewrapAvailable } from "@workspace-ops/executor";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execJson, grant, isRoot, type Place, place, removePlaces, script, useProfile } from "./support.js";

const ip = ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip"].find((path) => existsSync(path));
const suffix = `${process.pid}`;
const EXECUTOR_NS = `wsops-exec-${suffix}`;
const REMOTE_NS = `wsops-remote-${suffix}`;
const REMOTE_ADDRESS = "10.213.0.2";
const hostsDir = `/etc/netns/${EXECUTOR_NS}`;

const ALLOWLIST = ["api.wsops.test:8080", "localhost:9001", "*.wsops.test:9002"];

function sh(...argv: string[]) {
  const run = spawnSync(argv[0] as string, argv.slice(1), { encoding: "utf8" });
  if (run.status !== 0) throw new Error(`${argv.join(" ")} failed: ${run.stderr}`);
}

/** An HTTP server in a namespace that prints one line per request it serves. */
function server(
  netns: string,
  host: string,
  port: number,
): Promise<{ child: ChildProcess; hits: () => string[] }> {
  const source = `require("node:http").createServer((q, r) => { console.log(q.method + " " + q.headers.host); r.end("ok"); })
    .listen(${port}, "${host}", () => console.log("ready"));`;
  const child = spawn(ip as string, ["netns", "exec", netns, process.execPath, "-e", source], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  return new Promise((resolve, reject) => {
    child.stdout?.on("data", (chunk) => {
      out += chunk;
      if (out.startsWith("ready\n")) resolve({ child, hits: () => out.split("\n").slice(1).filter(Boolean) });
    });
    child.once("exit", (code) => reject(new Error(`server ${host}:${port} in ${netns} exited ${code}`)));
  });
}

/**
 * The servers' output is read by this process's event loop, which a synchronous wsops run blocks:
 * give it a turn until `done` (bounded; then one more turn, so an absent line had its chance too).
 */
async function linesArrived(done: () => boolean, ms = 5_000) {
  const deadline = Date.now() + ms;
  while (!done() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  await new Promise((resolve) => setTimeout(resolve, 100));
}

/** Run by a granted node inside the sandbox: each attempt with curl, one line each. */
const PROBE = `
import { spawnSync } from "node:child_process";
const tries = [
  ["named-http", [], "http://api.wsops.test:8080/"],
  ["named-socks", ["-x", process.env.ALL_PROXY ?? "none"], "http://localhost:9001/"],
  ["named-connect", ["--proxytunnel"], "http://api.wsops.test:8080/"],
  ["unnamed-name", [], "http://other.wsops.test:8080/"],
  ["unnamed-loopback", [], "http://127.0.0.1:9002/"],
  ["rebinding", [], "http://rebind.wsops.test:9002/"],
  ["direct-loopback", ["--noproxy", "*"], "http://127.0.0.1:9002/"],
  ["direct-remote", ["--noproxy", "*"], "http://${REMOTE_ADDRESS}:8080/"],
];
for (const [label, flags, url] of tries) {
  const run = spawnSync("curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "5", ...flags, url], { encoding: "utf8" });
  console.log(label, run.stdout || "none");
}
`;

const canBuild = isRoot && ip !== undefined && bubblewrapAvailable();

describe.runIf(canBuild)("attack: reach the network past the allowlist", () => {
  let remote: Awaited<ReturnType<typeof server>>;
  let named: Awaited<ReturnType<typeof server>>;
  let unnamed: Awaited<ReturnType<typeof server>>;

  beforeAll(async () => {
    sh(ip as string, "netns", "add", EXECUTOR_NS);
    sh(ip as string, "netns", "add", REMOTE_NS);
    sh(
      ip as string,
      "link",
      "add",
      `wse${suffix}`.slice(0, 15),
      "type",
      "veth",
      "peer",
      "name",
      `wsr${suffix}`.slice(0, 15),
    );
    sh(ip as string, "link", "set", `wse${suffix}`.slice(0, 15), "netns", EXECUTOR_NS);
    sh(ip as string, "link", "set", `wsr${suffix}`.slice(0, 15), "netns", REMOTE_NS);
    sh(ip as string, "-n", EXECUTOR_NS, "addr", "add", "10.213.0.1/30", "dev", `wse${suffix}`.slice(0, 15));
    sh(
      ip as string,
      "-n",
      REMOTE_NS,
      "addr",
      "add",
      `${REMOTE_ADDRESS}/30`,
      "dev",
      `wsr${suffix}`.slice(0, 15),
    );
    for (const [ns, dev] of [
      [EXECUTOR_NS, `wse${suffix}`.slice(0, 15)],
      [REMOTE_NS, `wsr${suffix}`.slice(0, 15)],
    ] as const) {
      sh(ip as string, "-n", ns, "link", "set", "lo", "up");
      sh(ip as string, "-n", ns, "link", "set", dev, "up");
    }
    mkdirSync(hostsDir, { recursive: true });
    writeFileSync(
      `${hostsDir}/hosts`,
      [
        "127.0.0.1 localhost",
        `${REMOTE_ADDRESS} api.wsops.test other.wsops.test`,
        // A name under the allowlist's wildcard whose DNS answer is loopback: the rebinding attack.
        "127.0.0.1 rebind.wsops.test",
        "",
      ].join("\n"),
    );
    [remote, named, unnamed] = await Promise.all([
      server(REMOTE_NS, REMOTE_ADDRESS, 8080),
      server(EXECUTOR_NS, "127.0.0.1", 9001),
      server(EXECUTOR_NS, "127.0.0.1", 9002),
    ]);
  });

  afterAll(() => {
    for (const s of [remote, named, unnamed]) s?.child.kill("SIGKILL");
    spawnSync(ip as string, ["netns", "del", EXECUTOR_NS]);
    spawnSync(ip as string, ["netns", "del", REMOTE_NS]);
    rmSync(hostsDir, { recursive: true, force: true });
    // /etc/netns itself only when this test made it and nothing else is in it.
    if (readdirSync("/etc/netns").length === 0) rmdirSync("/etc/netns");
    removePlaces();
  });

  function attacker(backend: "bubblewrap" | "process"): Place {
    const at = place();
    useProfile(at, { network: "allowlist", allowlist: ALLOWLIST, backend });
    grant(at, "node");
    script(at, "probe.mjs", PROBE);
    return at;
  }

  it("under bubblewrap reaches exactly what the allowlist names, through the proxy, and records every attempt", async () => {
    const at = attacker("bubblewrap");
    const before = {
      remote: remote.hits().length,
      named: named.hits().length,
      unnamed: unnamed.hits().length,
    };
    const { code, result } = execJson(at, ["node", "probe.mjs"], { netns: EXECUTOR_NS });
    expect({ code, probes: result.output?.stdout.preview }).toEqual({
      code: 0,
      probes: [
        "named-http 200",
        "named-socks 200",
        "named-connect 200",
        "unnamed-name 403",
        "unnamed-loopback 403",
        "rebinding 403",
        // No network of its own: the direct attempts never leave the sandbox.
        "direct-loopback 000",
        "direct-remote 000",
        "",
      ].join("\n"),
    });
    const decided = (
      host: string,
      port: number,
      protocol: string,
      allowed: boolean,
      reason: string,
      address?: string,
    ) => ({
      host,
      port,
      protocol,
      allowed,
      reason,
      ...(address ? { address } : {}),
      at: expect.any(String),
    });
    expect(result.sandbox).toEqual({
      backend: "bubblewrap",
      isolation: "bubblewrap",
      network: {
        requested: "allowlist",
        access: "proxy",
        connections: [
          decided("api.wsops.test", 8080, "http", true, "allowlisted", REMOTE_ADDRESS),
          decided("localhost", 9001, "socks5", true, "allowlisted", "127.0.0.1"),
          decided("api.wsops.test", 8080, "connect", true, "allowlisted", REMOTE_ADDRESS),
          decided("other.wsops.test", 8080, "http", false, "not_allowlisted"),
          decided("127.0.0.1", 9002, "http", false, "not_allowlisted"),
          decided("rebind.wsops.test", 9002, "http", false, "private_address"),
        ],
      },
    });
    // What the servers saw: the named ones were reached, the unnamed loopback server never was.
    await linesArrived(() => remote.hits().length - before.remote >= 2 && named.hits().length > before.named);
    expect({
      remote: remote.hits().slice(before.remote),
      named: named.hits().slice(before.named),
      unnamed: unnamed.hits().slice(before.unnamed),
    }).toEqual({
      remote: ["GET api.wsops.test:8080", "GET api.wsops.test:8080"],
      named: ["GET localhost:9001"],
      unnamed: [],
    });
  });

  it("under the process backend (documented: no network rule is enforced) reaches anything, and says so", async () => {
    const at = attacker("process");
    const before = unnamed.hits().length;
    const { result } = execJson(at, ["node", "probe.mjs"], { netns: EXECUTOR_NS, sandbox: "process" });
    expect(result.output?.stdout.preview).toContain("direct-loopback 200");
    expect(result.sandbox).toEqual({
      backend: "process",
      isolation: "none",
      network: { requested: "allowlist", access: "host" },
    });
    await linesArrived(() => unnamed.hits().length > before);
    expect(unnamed.hits().length).toBeGreaterThan(before);
  });
});
