// Append throughput of the file store and the audit log, with and without fsync, in one process
// and with 4 processes contending for one stream. Not a test: run it by hand and read the numbers.
//   node --import ./src/store/testdata/register-ts.mjs src/store/testdata/measure-append-rate.mjs
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { openAuditLog } from "../../audit/audit-log.ts";
import { openFileStore } from "../file-store.ts";
import { startWorker } from "./run-worker.mjs";

const data = { operationId: "op-123", argv: ["git", "status"], exitCode: 0, note: "x".repeat(120) };

async function rate(label, open, append, count) {
  const dir = mkdtempSync(join(tmpdir(), "wsops-rate-"));
  const target = await open(dir);
  const started = performance.now();
  for (let i = 0; i < count; i++) await append(target, i);
  const seconds = (performance.now() - started) / 1000;
  await target.close();
  rmSync(dir, { recursive: true, force: true });
  console.log(`${label.padEnd(40)} ${String(Math.round(count / seconds)).padStart(7)} appends/s`);
}

async function contended(label, script, args) {
  const dir = mkdtempSync(join(tmpdir(), "wsops-rate-"));
  const workers = Array.from({ length: 4 }, () => startWorker(script, args(dir)));
  await Promise.all(workers.map((w) => w.ready));
  const started = performance.now();
  for (const w of workers) w.go();
  await Promise.all(workers.map((w) => w.exited));
  const seconds = (performance.now() - started) / 1000;
  rmSync(dir, { recursive: true, force: true });
  console.log(`${label.padEnd(40)} ${String(Math.round(2000 / seconds)).padStart(7)} appends/s (2000 total)`);
}

for (const fsync of [true, false]) {
  const count = fsync ? 2_000 : 20_000;
  await rate(
    `store, 1 process, fsync ${fsync}`,
    (d) => openFileStore(d, { fsync }),
    (s, i) => s.append("op", "t", { ...data, i }),
    count,
  );
  await rate(
    `audit, 1 process, fsync ${fsync}`,
    (d) => openAuditLog(d, { fsync }),
    (l, i) => l.append("t", "op", { ...data, i }),
    count,
  );
}
const storeWorker = fileURLToPath(new URL("./store-worker.mjs", import.meta.url));
const auditWorker = fileURLToPath(new URL("../../audit/testdata/audit-worker.mjs", import.meta.url));
await contended("store, 4 processes × 500, fsync true", storeWorker, (d) => ["burst", d, "shared", "500"]);
await contended("audit, 4 processes × 500, fsync true", auditWorker, (d) => ["burst", d, "500"]);
