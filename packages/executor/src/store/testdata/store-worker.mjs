// A separate process appending to one stream. Usage: store-worker.mjs MODE <dir> <stream> [count]
//   burst:        wait for "go", append <count> records, print the acknowledged seqs as one JSON array, exit.
//   loop:         wait for "go", append forever, printing each acknowledged seq on its own line.
//   batches:      like burst, but <count> appendMany calls of 5 records; prints one seq array per batch.
//   loop-batches: like loop, but appendMany calls of 5 records; prints each batch's last seq.
import { openFileStore } from "../file-store.ts";

const [mode, dir, stream, count = "0"] = process.argv.slice(2);
const store = await openFileStore(dir);
process.send("ready");
await new Promise((resolve) => process.once("message", resolve));

const BATCH = 5;
const batch = (i, extra = {}) =>
  Array.from({ length: BATCH }, (_, j) => ({ type: "tick", data: { pid: process.pid, i, j, ...extra } }));

if (mode === "batches") {
  const seqs = [];
  for (let i = 0; i < Number(count); i++) {
    seqs.push((await store.appendMany(stream, batch(i))).map((record) => record.seq));
  }
  await store.close();
  process.stdout.write(`${JSON.stringify(seqs)}\n`);
  process.disconnect();
} else if (mode === "loop-batches") {
  for (let i = 0; ; i++) {
    const records = await store.appendMany(stream, batch(i, { pad: "x".repeat(i % 300) }));
    process.stdout.write(`${records.at(-1).seq}\n`);
  }
} else if (mode === "burst") {
  const seqs = [];
  for (let i = 0; i < Number(count); i++) {
    seqs.push((await store.append(stream, "tick", { pid: process.pid, i })).seq);
  }
  await store.close();
  process.stdout.write(`${JSON.stringify(seqs)}\n`);
  process.disconnect();
} else {
  // stdout is a pipe, and pipe writes are synchronous on Linux: a printed seq was acknowledged.
  for (let i = 0; ; i++) {
    const record = await store.append(stream, "tick", { i, pad: "x".repeat(i % 300) });
    process.stdout.write(`${record.seq}\n`);
  }
}
