// A separate process appending to one audit log. Usage: audit-worker.mjs MODE <dir> [count]
//   burst:        wait for "go", append <count> records, print the acknowledged seqs as one JSON array, exit.
//   loop:         wait for "go", append forever, printing each acknowledged seq on its own line.
//   batches:      like burst, but <count> appendMany calls of 5 records; prints one seq array per batch.
//   loop-batches: like loop, but appendMany calls of 5 records; prints each batch's last seq.
import { openAuditLog } from "../audit-log.ts";

const [mode, dir, count = "0"] = process.argv.slice(2);
const log = await openAuditLog(dir);
process.send("ready");
await new Promise((resolve) => process.once("message", resolve));

const BATCH = 5;
const batch = (i, extra = {}) =>
  Array.from({ length: BATCH }, (_, j) => ({
    type: "tick",
    subject: `op-${process.pid}`,
    data: { i, j, ...extra },
  }));

if (mode === "batches") {
  const seqs = [];
  for (let i = 0; i < Number(count); i++)
    seqs.push((await log.appendMany(batch(i))).map((record) => record.seq));
  await log.close();
  process.stdout.write(`${JSON.stringify(seqs)}\n`);
  process.disconnect();
} else if (mode === "loop-batches") {
  for (let i = 0; ; i++) {
    const records = await log.appendMany(batch(i, { pad: "x".repeat(i % 300) }));
    process.stdout.write(`${records.at(-1).seq}\n`);
  }
} else if (mode === "burst") {
  const seqs = [];
  for (let i = 0; i < Number(count); i++)
    seqs.push((await log.append("tick", `op-${process.pid}`, { i })).seq);
  await log.close();
  process.stdout.write(`${JSON.stringify(seqs)}\n`);
  process.disconnect();
} else {
  // stdout is a pipe, and pipe writes are synchronous on Linux: a printed seq was acknowledged.
  for (let i = 0; ; i++) {
    const record = await log.append("tick", "op-loop", { i, pad: "x".repeat(i % 300) });
    process.stdout.write(`${record.seq}\n`);
  }
}
