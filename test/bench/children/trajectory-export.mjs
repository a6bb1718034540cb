// @ts-check
// One measured export in a fresh process (so its peak RSS is its own): argv <state dir> <mode> <out>.
// mode raw: the anchor — every session a page at a time, its streams, every record read and parsed by
// the store, nothing built; trajectory | rl | sft: the export to <out> as wsops export writes it.
// Prints { ms, records, written, maxRssMiB } on stdout.
import { performance } from "node:perf_hooks";

const [stateDir, mode, out] = process.argv.slice(2);
const { exportTrajectories, openSources, writeLines } = await import("@workspace-ops/trajectory");
const { sources, close } = await openSources([{ stateDir: /** @type {string} */ (stateDir) }]);
const started = performance.now();
let records = 0;
let written = 0;
if (mode === "raw") {
  const [{ store }] = /** @type {[{ store: import("@workspace-ops/store").Store }]} */ (
    /** @type {unknown} */ (sources)
  );
  for (let before; ; ) {
    const page = await store.listSessions({ limit: 1000, ...(before ? { before } : {}) });
    for (const session of page) {
      for (let after; ; ) {
        const streams = await store.listStreams({
          sessionId: session.sessionId,
          limit: 1000,
          ...(after ? { before: after } : {}),
        });
        for (const info of streams) records += (await store.read(info.stream)).length;
        const last = streams.at(-1);
        if (!last || streams.length < 1000) break;
        after = { createdAt: last.createdAt, stream: last.stream };
      }
    }
    const last = page.at(-1);
    if (!last || page.length < 1000) break;
    before = { updatedAt: last.updatedAt, sessionId: last.sessionId };
  }
} else {
  const run = exportTrajectories({ sources, format: /** @type {"trajectory" | "rl" | "sft"} */ (mode) });
  await writeLines(run.lines, { out, stdout: () => {} });
  const summary = run.summary();
  records = summary.records;
  written = summary.written;
  const skipped = [...summary.skipped.records, ...summary.skipped.trajectories];
  if (skipped.length > 0) throw new Error(`the export skipped: ${JSON.stringify(skipped)}`);
}
const ms = performance.now() - started;
await close();
process.stdout.write(
  `${JSON.stringify({ ms, records, written, maxRssMiB: process.resourceUsage().maxRSS / 1024 })}\n`,
);
