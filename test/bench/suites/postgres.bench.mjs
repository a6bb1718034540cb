// @ts-check
// @workspace-ops/store-postgres: executors on several "machines" sharing one PostgreSQL store.
//
// Throughput: 8 executors in parallel processes, each making N governed execs of /bin/true (2 commits
// each, every commit serialised on the audit head), on a fresh database of the server in
// WSOPS_BENCH_PG_URL (else WSOPS_TEST_PG_URL); then every record is checked present and the audit chain
// verified. The anchor is pgbench's built-in simple-update script with 8 clients on the same server, in
// the same run, on its own database.
//
// Wake-up: a resolution committed by another process, until a ChangeFeed here sees it (LISTEN/NOTIFY).
// Without a server URL the suite reports nothing and says so.
import { execFileSync, fork } from "node:child_process";
import { randomBytes } from "node:crypto";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { serverBinDir } from "../../../tools/pg/cluster.mjs";
import { median, significant } from "../lib/measure.mjs";
import { wakeFigure, wakeLatencies } from "./executor.bench.mjs";

export const suite = "postgres";

/** A governed exec of /bin/true: request, analysis, decision, transition, event | transition, event, result. */
const RECORDS_PER_CALL = 8;

const here = dirname(fileURLToPath(import.meta.url));
const EXECUTORS = 8;
const WAKE_TARGET_MS = 200;

/** A new database on the server; its URL and a function that drops it. @param {string} serverUrl */
async function freshDatabase(serverUrl, prefix = "wsops_bench") {
  const name = `${prefix}_${randomBytes(5).toString("hex")}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

/** pgbench's simple-update, 8 clients, `seconds` long; its tps (without connection time). */
function pgbench(/** @type {string} */ url, /** @type {number} */ seconds) {
  let bin = "pgbench";
  try {
    bin = join(serverBinDir(), "pgbench");
  } catch {
    // no server binaries found: try PATH
  }
  execFileSync(bin, ["-i", "-q", "-s", String(EXECUTORS), url], { stdio: "pipe" });
  const out = execFileSync(
    bin,
    ["-n", "-b", "simple-update", "-c", String(EXECUTORS), "-j", "2", "-T", String(seconds), url],
    {
      encoding: "utf8",
    },
  );
  const tps = /tps = ([\d.]+) \(without initial connection time\)/.exec(out)?.[1];
  if (!tps) throw new Error(`pgbench printed no tps:\n${out}`);
  return Number(tps);
}

/**
 * 8 executor processes × `calls` governed execs, released together; wall time from "go" to the last
 * one done. @param {string} url @param {string} durability @param {number} calls
 */
async function executors(url, durability, calls) {
  const children = Array.from({ length: EXECUTORS }, () =>
    fork(join(here, "..", "children", "pg-executor.mjs"), [url, durability, String(calls)], {
      stdio: ["ignore", "pipe", "inherit", "ipc"],
    }),
  );
  const outputs = children.map((child) => {
    let out = "";
    child.stdout?.on("data", (b) => (out += b));
    return new Promise((resolve, reject) =>
      child.on("exit", (code) =>
        code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`an executor exited ${code}`)),
      ),
    );
  });
  await Promise.all(children.map((child) => new Promise((resolve) => child.once("message", resolve))));
  const t = performance.now();
  for (const child of children) child.send("go");
  const results = /** @type {{ ms: number, ids: string[] }[]} */ (await Promise.all(outputs));
  return { wallMs: performance.now() - t, ids: results.flatMap((r) => r.ids) };
}

/** Every call whole (7 records, succeeded), the chain intact. @param {string} url @param {string[]} ids */
async function check(url, ids) {
  const { openPostgresStore } = await import("@workspace-ops/store-postgres");
  const store = await openPostgresStore(url);
  const schema = new URL(url).searchParams.get("schema");
  const client = new pg.Client({
    connectionString: url.replace(/[?&]schema=[^&]*/, ""),
    ...(schema ? { options: `-c search_path=${pg.Client.prototype.escapeIdentifier(schema)}` } : {}),
  });
  await client.connect();
  try {
    const { rows } = await client.query(
      `SELECT count(*) AS calls, count(*) FILTER (WHERE state = 'succeeded' AND last_seq = ${RECORDS_PER_CALL}) AS whole FROM streams WHERE kind = 'tool_execution'`,
    );
    const records = await client.query("SELECT count(*) AS n FROM records WHERE stream = ANY($1)", [ids]);
    const verdict = await store.verifyAudit();
    const ok =
      Number(rows[0].calls) === ids.length &&
      Number(rows[0].whole) === ids.length &&
      Number(records.rows[0].n) === ids.length * RECORDS_PER_CALL &&
      verdict.ok;
    if (!ok)
      throw new Error(
        `not every record is there: ${JSON.stringify({ rows, records: records.rows, verdict })}`,
      );
    return /** @type {{ records: number }} */ (verdict).records;
  } finally {
    await client.end();
    await store.close();
  }
}

/** @param {import("../run.mjs").Context} ctx */
export async function run(ctx) {
  const serverUrl = process.env.WSOPS_BENCH_PG_URL || process.env.WSOPS_TEST_PG_URL;
  if (!serverUrl) {
    ctx.progress(
      "SKIPPED: no PostgreSQL server (set WSOPS_BENCH_PG_URL or WSOPS_TEST_PG_URL; npm run pg:start starts one)",
    );
    return [];
  }
  const calls = ctx.quick ? 10 : 500;
  const seconds = ctx.quick ? 2 : 15;
  /** @type {import("../run.mjs").SuiteFigure[]} */
  const figures = [];
  const ours = await freshDatabase(serverUrl);
  const bench = await freshDatabase(serverUrl, "wsops_pgbench");
  try {
    ctx.progress(`pgbench -b simple-update, ${EXECUTORS} clients, ${seconds} s`);
    const tpsBefore = pgbench(bench.url, seconds);
    /** @type {Record<string, { wallMs: number, ids: string[], audit: number }>} */
    const runs = {};
    for (const durability of ["full", "relaxed"]) {
      const url = `${ours.url}?schema=bench_${durability}`;
      ctx.progress(`${EXECUTORS} executors × ${calls} governed execs, durability ${durability}`);
      const { wallMs, ids } = await executors(url, durability, calls);
      runs[durability] = { wallMs, ids, audit: await check(url, ids) };
    }
    ctx.progress(`pgbench again, ${seconds} s (the anchor is the median of before and after)`);
    const tps = median([tpsBefore, pgbench(bench.url, seconds)]);
    for (const durability of ["full", "relaxed"]) {
      const { wallMs, ids, audit } = /** @type {{ wallMs: number, ids: string[], audit: number }} */ (
        runs[durability]
      );
      const callsPerSecond = ids.length / (wallMs / 1000);
      figures.push({
        name: `PostgreSQL, ${EXECUTORS} executor processes × ${calls} governed execs, commits per second, durability ${durability}${durability === "full" ? " (as shipped)" : ""} (higher is better)`,
        value: significant(callsPerSecond * 2),
        unit: "commits/s",
        anchor: `pgbench -b simple-update, ${EXECUTORS} clients, same server, same run (tps)`,
        anchorValue: significant(tps),
        target: "(reported)",
        note:
          `${ids.length} calls in ${(wallMs / 1000).toFixed(1)} s = ${callsPerSecond.toFixed(0)} calls/s, 2 commits each (each also spawns /bin/true ` +
          `and evaluates the policy, on the same ${"2-core"} machine as the server); every call's 7 records present and succeeded, ` +
          `the audit chain verifies (${audit} records); pgbench tps before/after: ${tpsBefore.toFixed(0)}/${tps.toFixed(0)} (median shown)`,
      });
    }
    const { openPostgresStore } = await import("@workspace-ops/store-postgres");
    const { ChangeFeed } = await import("@workspace-ops/store");
    const wakes = await wakeLatencies(
      (where) => openPostgresStore(where),
      ChangeFeed,
      `${ours.url}?schema=wake`,
      ctx.quick ? 5 : 40,
    );
    figures.push(wakeFigure("PostgreSQL (LISTEN/NOTIFY)", wakes, WAKE_TARGET_MS));
  } finally {
    await ours.drop();
    await bench.drop();
  }
  return figures;
}
