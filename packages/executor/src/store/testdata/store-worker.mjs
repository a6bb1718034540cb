// A separate process appending to one stream. Usage: store-worker.mjs burst|loop <dir> <stream> [count]
//   burst: wait for "go", append <count> records, print the acknowledged seqs as one JSON array, exit.
//   loop:  wait for "go", append forever, printing each acknowledged seq on its own line.
import { openFileStore } from "../file-store.ts";

const [mode, dir, stream, count = "0"] = process.argv.slice(2);
const store = await openFileStore(dir);
process.send("ready");
await new Promise((resolve) => process.once("message", resolve));

if (mode === "burst") {
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
