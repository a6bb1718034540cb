// @ts-check
// Helpers for the policy suite: the anchors (plain opa-wasm SDK, `opa bench`, `opa eval`, an OPA server on
// loopback), a replica of the runtime's fast path without zod and the decision record, and per-call
// latency loops.
import { spawn, spawnSync } from "node:child_process";
import http from "node:http";
import net from "node:net";
import { performance } from "node:perf_hooks";

/**
 * What OPA must not load from policies/ when it reads the Rego source as `-d policies`: the package
 * build's own list (packages/policy/src/authoring/build.ts `loadIgnores`).
 */
export const opaIgnores = ["*_test.rego", ".*"];

/** @param {string} policiesDir */
export function opaLoadArgs(policiesDir) {
  return [...opaIgnores.flatMap((pattern) => ["--ignore", pattern]), policiesDir];
}

const rfc3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-](\d{2}):(\d{2}))$/;

/**
 * time.parse_rfc3339_ns written out for the plain-SDK anchor, doing the same work as the package's
 * (packages/policy/src/host-builtins.ts, not exported): the same regular expression, the same refusal of
 * impossible dates and times, Date.parse plus the sub-millisecond digits. The anchor must not win by
 * checking less.
 * @param {unknown} value
 */
function parseRfc3339Ns(value) {
  if (typeof value !== "string") return undefined;
  const m = rfc3339.exec(value);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  const check = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  if (check.getUTCMonth() !== Number(month) - 1 || check.getUTCDate() !== day) return undefined;
  if (Number(hour) > 23 || Number(minute) > 59 || Number(second) > 59) return undefined;
  if (Number(m[9] ?? 0) > 23 || Number(m[10] ?? 0) > 59) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) return undefined;
  return Math.floor(ms / 1000) * 1e9 + Number((m[7] ?? "").padEnd(9, "0"));
}

/** The two host builtins the compiled policies import (policies/capabilities.json), for the plain SDK. */
export const plainHostBuiltins = {
  "time.now_ns": () => Date.now() * 1e6,
  "time.parse_rfc3339_ns": parseRfc3339Ns,
};

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const PAGE = 64 * 1024;

/**
 * The runtime's `#evaluateFast` (packages/policy/src/runtime.ts) replicated on a plain SDK policy:
 * JSON.stringify, encodeInto straight into WebAssembly memory with one shared TextEncoder, the ABI 1.2
 * opa_eval export, indexOf for the result's end, JSON.parse. No zod, no decision record, no checks.
 * @param {any} policy  a LoadedPolicy from the SDK (ABI >= 1.2)
 * @param {number} entrypointId
 * @param {unknown} input
 */
export function fastPathReplica(policy, entrypointId, input) {
  const json = JSON.stringify(input);
  const at = policy.dataHeapPtr;
  const worstCase = json.length * 3;
  const missing = at + worstCase - policy.mem.buffer.byteLength;
  if (missing > 0) policy.mem.grow(Math.ceil(missing / PAGE));
  const { written } = encoder.encodeInto(json, new Uint8Array(policy.mem.buffer, at, worstCase));
  const out = policy.wasmInstance.exports.opa_eval(
    0,
    entrypointId,
    policy.dataAddr,
    at,
    written,
    at + written,
    0,
  );
  const memory = new Uint8Array(policy.mem.buffer);
  const end = memory.indexOf(0, out);
  return JSON.parse(decoder.decode(memory.subarray(out, end)));
}

let loops = 0;

/**
 * A per-call latency loop compiled from its own source (own inline caches per side, as makeLoop in
 * measure.mjs). `call` is an expression over `fn`, `arg`, `value` whose result `r` is checked by `check`
 * (an expression over `r` that is truthy when the decision is the expected one).
 * @param {string} label
 * @param {string} call
 * @param {string} check
 * @returns {(fn: unknown, arg: unknown, value: unknown, n: number, samples: number[]) => number}
 */
export function makeLatencyLoop(label, call, check) {
  const id = ++loops;
  return /** @type {any} */ (
    new Function(
      "fn",
      "arg",
      "value",
      "n",
      "samples",
      `"use strict"; // policy latency loop ${id}: ${label.replace(/[\r\n]/g, " ")}
let sink = 0;
for (let i = 0; i < n; i++) {
  const t0 = performance.now();
  const r = ${call};
  const t1 = performance.now();
  if (!(${check})) throw new Error("unexpected decision in latency loop ${id}");
  samples.push((t1 - t0) * 1000);
  sink++;
}
return sink;`,
    )
  );
}

/**
 * Percentile (nearest rank) of already sorted samples.
 * @param {readonly number[]} sorted
 * @param {number} p  0..100
 */
export function percentile(sorted, p) {
  if (sorted.length === 0) throw new Error("percentile of nothing");
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return /** @type {number} */ (sorted[rank - 1]);
}

/** @param {number[]} samples */
export function summarize(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  return { n: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
}

/**
 * Splits `opa bench --count N --format json` output (N JSON objects one after another) into objects.
 * @param {string} text
 * @returns {any[]}
 */
export function parseConcatenatedJson(text) {
  const out = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "{") {
      if (depth++ === 0) start = i;
    } else if (c === "}" && --depth === 0) out.push(JSON.parse(text.slice(start, i + 1)));
  }
  return out;
}

/**
 * @param {string} opa
 * @param {string[]} args
 * @param {number} timeoutMs
 */
export function runOpaSync(opa, args, timeoutMs = 120_000) {
  const child = spawnSync(opa, args, { encoding: "utf8", timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
  if (child.error) throw child.error;
  if (child.status !== 0) {
    throw new Error(
      `opa ${args.join(" ")} exited with ${child.status ?? child.signal}:\n${child.stderr}${child.stdout}`,
    );
  }
  return child.stdout;
}

/** A free TCP port on 127.0.0.1 (closed again before use; a race with another process is possible). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * @typedef {object} OpaServer
 * @property {string} base   http://127.0.0.1:PORT
 * @property {(path: string, body: string) => Promise<{ status: number, text: string, us: number }>} post
 * @property {() => Promise<void>} stop  kills the server (idempotent) and closes the client agent
 */

/**
 * Starts `opa run --server` on loopback with the policies and waits until /health answers.
 * @param {string} opa
 * @param {string} policiesDir
 * @param {number} [startTimeoutMs]
 * @returns {Promise<OpaServer>}
 */
export async function startOpaServer(opa, policiesDir, startTimeoutMs = 30_000) {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const args = [
    "run",
    "--server",
    "--addr",
    `127.0.0.1:${port}`,
    "--log-level",
    "error",
    "--skip-version-check",
    ...opaLoadArgs(policiesDir),
  ];
  const child = spawn(opa, args, { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.setEncoding("utf8").on("data", (d) => {
    if (stderr.length < 16_384) stderr += d;
  });
  /** @type {number | string | null | undefined} */
  let exited;
  const exitedPromise = new Promise((resolve) =>
    child.once("exit", (code, signal) => {
      exited = code ?? signal;
      resolve(undefined);
    }),
  );
  // Never leave the server behind, also when the runner dies without reaching stop().
  const onExit = () => child.kill("SIGKILL");
  process.once("exit", onExit);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    agent.destroy();
    process.removeListener("exit", onExit);
    if (exited === undefined) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
      await exitedPromise;
      clearTimeout(timer);
    }
  };

  /** @param {"GET" | "POST"} method @param {string} path @param {string | undefined} body */
  const request = (method, path, body) =>
    new Promise((resolve, reject) => {
      const t0 = performance.now();
      const req = http.request(
        `${base}${path}`,
        {
          method,
          agent,
          headers:
            body === undefined
              ? {}
              : { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
        },
        (res) => {
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (d) => {
            text += d;
          });
          res.on("end", () =>
            resolve({ status: res.statusCode ?? 0, text, us: (performance.now() - t0) * 1000 }),
          );
          res.on("error", reject);
        },
      );
      req.on("error", reject);
      req.end(body);
    });

  try {
    const deadline = performance.now() + startTimeoutMs;
    for (;;) {
      if (exited !== undefined) throw new Error(`opa run exited with ${exited}:\n${stderr}`);
      const ok = await request("GET", "/health", undefined).then(
        (r) => /** @type {{ status: number }} */ (r).status === 200,
        () => false,
      );
      if (ok) break;
      if (performance.now() > deadline)
        throw new Error(`opa server not healthy after ${startTimeoutMs} ms:\n${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    base,
    post: (path, body) =>
      /** @type {Promise<{ status: number, text: string, us: number }>} */ (request("POST", path, body)),
    stop,
  };
}
