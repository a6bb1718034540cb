// @ts-check
// Where the time of one governed `executor.exec` of /bin/true goes, in a process of its own (the
// wrappers below would otherwise slow the timed figures down). For each fsync setting:
//   - a timing pass: the executor's own store and audit-log methods are wrapped (bound to the real
//     objects; nothing else changes) to time the appends and reads of each exec; the records each exec
//     left in the state dir are counted;
//   - a counting pass: every async node:fs/promises and FileHandle call is counted and timed (wrappers
//     installed before the executor is imported; off, they are a plain pass-through call);
//   - the file-system calls of one audit append, store append and store read, on a fresh log and store;
// plus what one async fs round trip costs on this machine, and the sandbox's process backend alone
// (runSandboxed with the obligations the policy gives /bin/true) against a bare spawn, alternating.
// argv[2]: JSON { execs, countExecs, warmup, runs }. Prints one JSON object:
// { ms, roundTrip, sandbox, settings }.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire, syncBuiltinESMExports } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { filesystemOf } from "../lib/executor-fs.mjs";
import { toolCall, traceparent } from "../lib/executor-payloads.mjs";
import { median } from "../lib/measure.mjs";

const t0 = performance.now();
const { execs, countExecs, warmup, runs } = JSON.parse(process.argv[2] ?? "{}");

// ---- counting wrappers ----------------------------------------------------------------------------
let counting = false;
/** @type {Record<string, { n: number, ms: number }>} */
let fsCalls = {};
/** @param {string} name @param {number} ms */
const count = (name, ms) => {
  const c = fsCalls[name] ?? { n: 0, ms: 0 };
  c.n++;
  c.ms += ms;
  fsCalls[name] = c;
};
/** @param {any} target @param {string} name @param {string} label */
function wrap(target, name, label) {
  const original = target[name];
  target[name] = function (/** @type {unknown[]} */ ...args) {
    if (!counting) return original.apply(this, args);
    const t = performance.now();
    const settled = () => count(label, performance.now() - t);
    const result = original.apply(this, args);
    result.then(settled, settled);
    return result;
  };
}
const require = createRequire(import.meta.url);
const fsp = require("node:fs/promises");
for (const name of ["unlink", "rename", "readFile", "mkdir", "appendFile"]) wrap(fsp, name, name);
{
  // open: counted, and the handle's close (an own property, not on the prototype) with it.
  const open = /** @type {(...args: unknown[]) => Promise<any>} */ (fsp.open);
  fsp.open = async (/** @type {unknown[]} */ ...args) => {
    if (!counting) return open(...args);
    const t = performance.now();
    let handle;
    try {
      handle = await open(...args);
    } finally {
      count("open", performance.now() - t);
    }
    wrap(handle, "close", "handle.close");
    return handle;
  };
}
syncBuiltinESMExports(); // the executor's `import { open } from "node:fs/promises"` now sees the wrappers
{
  const probe = await fsp.open(process.argv[1], "r");
  const FileHandle = Object.getPrototypeOf(probe);
  await probe.close();
  for (const name of ["sync", "datasync", "write", "writeFile", "read", "readFile", "stat", "truncate"])
    wrap(FileHandle, name, `handle.${name}`);
}

const { Executor, openAuditLog, openFileStore, runSandboxed } = await import("@workspace-ops/executor");

/** @param {string} path */
const lines = (path) => {
  try {
    return readFileSync(path, "utf8").split("\n").filter(Boolean);
  } catch {
    return [];
  }
};
/** @param {number[]} xs */
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
/** fs calls made by `task`, by name. @param {() => Promise<unknown>} task */
async function fsCallsOf(task) {
  fsCalls = {};
  counting = true;
  try {
    await task();
  } finally {
    counting = false;
  }
  return Object.fromEntries(Object.entries(fsCalls).map(([k, v]) => [k, v.n]));
}

// ---- one async fs round trip --------------------------------------------------------------------
const roundTrip = await (async () => {
  const dir = mkdtempSync(join(tmpdir(), "wsops-bench-exec-rt-"));
  try {
    const file = join(dir, "f");
    const h = await fsp.open(file, "w+");
    const stat = [];
    for (let i = 0; i < 500; i++) {
      const t = performance.now();
      await h.stat();
      stat.push(performance.now() - t);
    }
    await h.close();
    const openClose = [];
    for (let i = 0; i < 300; i++) {
      const t = performance.now();
      const x = await fsp.open(file, "r");
      await x.close();
      openClose.push(performance.now() - t);
    }
    return { statMs: median(stat), openCloseMs: median(openClose) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
})();

// ---- the process backend alone, against a bare spawn ---------------------------------------------
const sandbox = await (async () => {
  const workspaceRoot = mkdtempSync(join(tmpdir(), "wsops-bench-exec-sandbox-"));
  try {
    const sandboxed = async () => {
      const t = performance.now();
      const ran = await runSandboxed({
        argv: ["/bin/true"],
        workspaceRoot,
        cwd: ".",
        envAllowlist: ["PATH", "HOME", "LANG", "TERM"],
        traceparent,
        timeoutSeconds: 300,
        maxOutputBytes: 1048576,
        backend: "process",
      });
      if (ran.outcome !== "succeeded") throw new Error(`runSandboxed /bin/true: ${JSON.stringify(ran)}`);
      return performance.now() - t;
    };
    const bare = () =>
      new Promise(
        /** @param {(ms: number) => void} resolve @param {(e: Error) => void} reject */ (resolve, reject) => {
          const t = performance.now();
          const child = spawn("/bin/true");
          child.once("error", reject);
          child.once("exit", () => resolve(performance.now() - t));
        },
      );
    /** @type {number[]} */
    const ours = [];
    /** @type {number[]} */
    const anchor = [];
    for (let i = 0; i < warmup; i++) {
      await sandboxed();
      await bare();
    }
    for (let i = 0; i < runs; i++) {
      if (i % 2) {
        ours.push(await sandboxed());
        anchor.push(await bare());
      } else {
        anchor.push(await bare());
        ours.push(await sandboxed());
      }
    }
    return { runSandboxedMs: median(ours), bareSpawnMs: median(anchor), runs };
  } finally {
    rmSync(workspaceRoot, { recursive: true, force: true });
  }
})();

const settings = [];
for (const fsync of [true, false]) {
  const workspaceRoot = mkdtempSync(join(tmpdir(), "wsops-bench-exec-profile-"));
  try {
    const stateDir = join(workspaceRoot, "state");
    const executor = await Executor.open({
      workspaceRoot,
      stateDir,
      mode: "governed",
      fsync,
      sandbox: { backend: "process" },
    });
    const { store, audit } = executor.context;
    /** @type {{ op: string, stream: string, ms: number }[]} */
    let calls = [];
    // append() delegates to appendMany(), so wrapping appendMany counts every write once.
    for (const [object, name] of /** @type {const} */ ([
      [store, "appendMany"],
      [store, "read"],
      [audit, "appendMany"],
    ])) {
      const original = /** @type {Function} */ (object[name]).bind(object);
      /** @type {any} */ (object)[name] = async (/** @type {unknown[]} */ ...args) => {
        const t = performance.now();
        try {
          return await original(...args);
        } finally {
          calls.push({
            op: `${object === store ? "store" : "audit"}.${name === "read" ? "read" : "append"}`,
            stream: String(object === store ? args[0] : /** @type {any} */ (args[0])?.[0]?.subject),
            ms: performance.now() - t,
          });
        }
      };
    }
    const once = async () => {
      const request = toolCall(["/bin/true"]);
      const out = await executor.exec(request);
      if (out.kind !== "finished" || out.result.outcome !== "succeeded")
        throw new Error(`exec of /bin/true: ${out.kind} ${JSON.stringify(out)}`);
      return { id: request.toolExecutionId, result: out.result };
    };
    for (let i = 0; i < warmup; i++) await once();

    // Timing pass.
    /** @type {any[]} */
    const per = [];
    for (let i = 0; i < execs; i++) {
      const auditBefore = lines(join(stateDir, "audit.jsonl")).length;
      calls = [];
      const t = performance.now();
      const { id, result } = await once();
      const totalMs = performance.now() - t;
      const mine = calls;
      const streamRecords = lines(join(stateDir, "streams", `${id}.jsonl`)).map((l) => JSON.parse(l).type);
      const auditRecords = lines(join(stateDir, "audit.jsonl"))
        .slice(auditBefore)
        .map((l) => JSON.parse(l).type);
      // The first read of the call's stream is the duplicate check, the governance read comes before
      // the decision; a read of the call's stream after its first append is the cancel watcher, which
      // runs while the command runs (so its time overlaps runMs).
      const firstAppend = mine.findIndex((c) => c.op === "store.append" && c.stream === id);
      const watcher = mine.filter((c, k) => c.op === "store.read" && c.stream === id && k > firstAppend);
      /** @param {(c: { op: string }) => boolean} p */
      const sum = (p) => mine.filter(p).reduce((a, c) => a + c.ms, 0);
      per.push({
        totalMs,
        runMs: result.durations.runMs ?? 0,
        decisionMs: result.durations.decisionMs ?? 0,
        streamRecords,
        auditRecords,
        storeAppends: mine.filter((c) => c.op === "store.append").length,
        storeAppendMs: sum((c) => c.op === "store.append"),
        auditAppends: mine.filter((c) => c.op === "audit.append").length,
        auditAppendMs: sum((c) => c.op === "audit.append"),
        storeReads: mine.filter((c) => c.op === "store.read").length,
        storeReadSerialMs: sum((c) => c.op === "store.read" && !watcher.includes(/** @type {any} */ (c))),
        storeReadWatcherMs: watcher.reduce((a, c) => a + c.ms, 0),
      });
    }

    // Counting pass.
    /** @type {Record<string, { n: number, ms: number }>[]} */
    const counted = [];
    for (let i = 0; i < countExecs; i++) {
      fsCalls = {};
      counting = true;
      try {
        await once();
      } finally {
        counting = false;
      }
      counted.push(fsCalls);
    }
    await executor.close();
    const fsNames = [...new Set(counted.flatMap((c) => Object.keys(c)))].sort();

    // The fs calls of each primitive, on a fresh log and store.
    const primitiveDir = join(workspaceRoot, "primitives");
    const log = await openAuditLog(join(primitiveDir, "audit"), { fsync });
    const files = await openFileStore(join(primitiveDir, "store"), { fsync });
    await log.append("warm", "s", { x: 1 });
    await files.append("old-stream", "warm", { x: 1 });
    const primitives = {
      auditAppend: await fsCallsOf(() => log.append("decision", "s", { x: 1 })),
      storeAppendNewStream: await fsCallsOf(() => files.append("new-stream", "request", { x: 1 })),
      storeAppendExistingStream: await fsCallsOf(() => files.append("old-stream", "event", { x: 1 })),
      storeRead: await fsCallsOf(() => files.read("old-stream")),
      storeReadMissingStream: await fsCallsOf(() => files.read("no-such-stream")),
    };
    await log.close();
    await files.close();

    const keys = /** @type {const} */ ([
      "totalMs",
      "runMs",
      "decisionMs",
      "storeAppends",
      "storeAppendMs",
      "auditAppends",
      "auditAppendMs",
      "storeReads",
      "storeReadSerialMs",
      "storeReadWatcherMs",
    ]);
    settings.push({
      fsync,
      filesystem: filesystemOf(stateDir),
      execs,
      countExecs,
      streamRecordTypes: per[0].streamRecords,
      auditRecordTypes: per[0].auditRecords,
      mean: {
        ...Object.fromEntries(keys.map((k) => [k, mean(per.map((p) => p[k]))])),
        streamRecords: mean(per.map((p) => p.streamRecords.length)),
        auditRecords: mean(per.map((p) => p.auditRecords.length)),
      },
      medianTotalMs: median(per.map((p) => p.totalMs)),
      fs: Object.fromEntries(
        fsNames.map((name) => [
          name,
          {
            n: mean(counted.map((c) => c[name]?.n ?? 0)),
            ms: mean(counted.map((c) => c[name]?.ms ?? 0)),
          },
        ]),
      ),
      primitives,
    });
  } finally {
    rmSync(workspaceRoot, { recursive: true, force: true });
  }
}

process.stdout.write(`${JSON.stringify({ ms: performance.now() - t0, roundTrip, sandbox, settings })}\n`);
