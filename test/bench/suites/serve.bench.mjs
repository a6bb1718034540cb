// @ts-check
// wsops serve: what deciding over HTTP costs. Ours: POST /api/v1/decide to a `wsops serve` child
// process on loopback (a kept-alive connection, the runtime token, JSON both ways), awaited to its
// answer. Anchor: Executor.decide in this process on a store of its own, the same work without HTTP
// (what `wsops decide --jsonl` does per line). Both decide `ls` (read-only: allowed, one commit) with
// durability full as shipped, on the same file system; p50 and p99 of interleaved rounds.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { toolCall } from "../lib/executor-payloads.mjs";
import { interleaved, percentile } from "../lib/rounds.mjs";

export const suite = "serve";

const bin = join(dirname(fileURLToPath(import.meta.url)), "../../../packages/cli/bin/wsops.js");

/** `wsops serve` on a free loopback port; its URL, runtime token and the function that stops it. @param {string} home */
async function startServe(home) {
  const workspace = join(home, "served");
  mkdirSync(workspace, { recursive: true });
  const child = spawn(
    process.execPath,
    [bin, "serve", "--listen", "127.0.0.1:0", "--json", "--workspace", workspace],
    {
      env: { ...process.env, XDG_STATE_HOME: join(home, "state"), WSOPS_STATE_DIR: "", WSOPS_STORE_URL: "" },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const line = await new Promise((resolve, reject) => {
    createInterface({ input: /** @type {NodeJS.ReadableStream} */ (child.stdout) }).once("line", resolve);
    child.once("exit", (code) => reject(new Error(`wsops serve exited ${code}`)));
  });
  const where = JSON.parse(/** @type {string} */ (line));
  return {
    url: where.url,
    token: readFileSync(where.runtimeTokenFile, "utf8").trim(),
    stop: () =>
      new Promise((resolve) => {
        child.once("exit", resolve);
        child.kill("SIGTERM");
      }),
  };
}

/** @param {number} ms */
const fmt = (ms) => (ms >= 10 ? ms.toFixed(1) : ms.toFixed(2));

/** @param {import("../run.mjs").Context} ctx */
export async function run(ctx) {
  const { Executor } = await import("@workspace-ops/executor");
  const plan = ctx.quick ? { warmup: 5, rounds: 3, each: 5 } : { warmup: 40, rounds: 12, each: 25 };
  const home = mkdtempSync(join(tmpdir(), "wsops-bench-serve-"));
  const server = await startServe(home);
  const local = join(home, "local");
  mkdirSync(local);
  const executor = await Executor.open({
    workspaceRoot: local,
    stateDir: join(home, "local-state"),
    mode: "governed",
  });
  try {
    const overHttp = async () => {
      const body = JSON.stringify(toolCall(["ls"]));
      const t = performance.now();
      const response = await fetch(`${server.url}api/v1/decide`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${server.token}` },
        body,
      });
      const answer = /** @type {{ verdict: string }} */ (await response.json());
      const ms = performance.now() - t;
      if (answer.verdict !== "allow") throw new Error(`ls over HTTP: ${JSON.stringify(answer)}`);
      return ms;
    };
    const inProcess = async () => {
      const payload = toolCall(["ls"]);
      const t = performance.now();
      const answer = await executor.decide(payload, { runtime: "bench" });
      const ms = performance.now() - t;
      if (answer.kind !== "decided" || answer.verdict !== "allow")
        throw new Error(`ls in-process: ${JSON.stringify(answer)}`);
      return ms;
    };
    ctx.progress(
      `decide: warm-up, then ${plan.rounds} rounds of ${plan.each} over HTTP / ${plan.each} in-process`,
    );
    await interleaved({ http: overHttp, local: inProcess }, { http: plan.warmup, local: plan.warmup }, 1);
    const samples = await interleaved(
      { http: overHttp, local: inProcess },
      { http: plan.each, local: plan.each },
      plan.rounds,
    );
    const http = /** @type {number[]} */ (samples.http);
    const inproc = /** @type {number[]} */ (samples.local);
    const anchor = "Executor.decide in-process (same work, no HTTP; durability full)";
    /** @type {import("../run.mjs").SuiteFigure[]} */
    const figures = [];
    for (const q of [0.5, 0.99]) {
      const ours = percentile(http, q);
      const theirs = percentile(inproc, q);
      figures.push({
        name: `decide over HTTP on loopback p${q * 100} (POST /api/v1/decide to wsops serve) (lower is better)`,
        value: ours,
        unit: "ms",
        anchor,
        anchorValue: theirs,
        note: `${fmt(ours)} ms over HTTP vs ${fmt(theirs)} ms in-process: HTTP adds ${fmt(ours - theirs)} ms`,
      });
    }
    return figures;
  } finally {
    await executor.close();
    await server.stop();
    rmSync(home, { recursive: true, force: true });
  }
}
