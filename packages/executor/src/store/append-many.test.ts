import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { type FileHandle, open } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { StateError } from "./errors.js";
import { openFileStore } from "./file-store.js";

let dir = "";
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "wsops-store-many-"));
});
afterEach(() => {
  vi.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

const streamFile = (stream: string) => join(dir, "streams", `${stream}.jsonl`);
const anyTime = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
const ticks = (n: number, from = 0) =>
  Array.from({ length: n }, (_, i) => ({ type: "tick", data: { i: from + i } }));

async function rejection(task: Promise<unknown>): Promise<{ code: string; message: string }> {
  const thrown = await task.then(
    () => null,
    (error: unknown) => error,
  );
  if (!(thrown instanceof StateError)) throw new Error(`expected a StateError, got ${String(thrown)}`);
  return { code: thrown.code, message: thrown.message };
}

/** FileHandle.prototype, to spy on the writes and fsyncs every store makes. */
async function fileHandlePrototype(): Promise<FileHandle> {
  const probe = await open(join(dir, "probe"), "w");
  await probe.close();
  return Object.getPrototypeOf(probe) as FileHandle;
}

describe("FileStore.appendMany", () => {
  it("appends consecutive records with one time, in one write and one fsync, and reads them back", async () => {
    const store = await openFileStore(dir);
    const first = await store.append("s", "request", { argv: ["ls"] });
    const proto = await fileHandlePrototype();
    const write = vi.spyOn(proto, "write");
    const sync = vi.spyOn(proto, "sync");
    const batch = await store.appendMany("s", [
      { type: "decision", data: { decision: "allow" } },
      { type: "transition", data: { from: "pending", to: "running" } },
      { type: "event", data: { when: new Date(0), gone: undefined } },
    ]);
    expect({ writes: write.mock.calls.length, fsyncs: sync.mock.calls.length }).toEqual({
      writes: 1,
      fsyncs: 1,
    });
    expect(batch).toEqual([
      { seq: 2, at: anyTime, type: "decision", data: { decision: "allow" } },
      { seq: 3, at: batch[0]?.at, type: "transition", data: { from: "pending", to: "running" } },
      { seq: 4, at: batch[0]?.at, type: "event", data: { when: "1970-01-01T00:00:00.000Z" } },
    ]);
    const last = await store.append("s", "result", null);
    expect(last.seq).toBe(5);
    expect(await store.read("s")).toEqual([first, ...batch, last]);
    expect(readFileSync(streamFile("s"), "utf8")).toBe(
      [first, ...batch, last].map((record) => `${JSON.stringify(record)}\n`).join(""),
    );
  });

  it("creates a stream with its first batch, and keeps batches of concurrent callers whole", async () => {
    const [a, b] = await Promise.all([openFileStore(dir), openFileStore(dir, { fsync: false })]);
    const batches = await Promise.all(
      Array.from({ length: 20 }, (_, k) => (k % 2 === 0 ? a : b).appendMany("s", ticks(5, k * 5))),
    );
    const seqs = batches.map((batch) => batch.map((record) => record.seq));
    for (const batch of seqs) expect(batch).toEqual([0, 1, 2, 3, 4].map((k) => (batch[0] ?? 0) + k));
    expect(seqs.flat().sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect((await a.read("s")).map((record) => record.seq)).toEqual(
      Array.from({ length: 100 }, (_, i) => i + 1),
    );
  });

  it("returns [] for no records and writes nothing, not even the stream file", async () => {
    const store = await openFileStore(dir);
    expect(await store.appendMany("s", [])).toEqual([]);
    expect({ file: existsSync(streamFile("s")), streams: await store.streams() }).toEqual({
      file: false,
      streams: [],
    });
  });

  it("refuses the whole batch when one record is invalid, before writing anything", async () => {
    const store = await openFileStore(dir);
    await store.append("s", "t", 1);
    const before = readFileSync(streamFile("s"), "utf8");
    expect([
      await rejection(
        store.appendMany("s", [
          { type: "t", data: 2 },
          { type: "", data: 3 },
        ]),
      ),
      await rejection(
        store.appendMany("s", [
          { type: "t", data: 2 },
          { type: "t", data: undefined },
        ]),
      ),
      await rejection(
        store.appendMany("s", [
          { type: "t", data: 2 },
          { type: "t", data: 1n },
        ]),
      ),
      await rejection(store.appendMany("s", [null as unknown as { type: string; data: unknown }])),
      await rejection(store.appendMany("s", "tt" as unknown as [])),
      await rejection(store.appendMany("../x", [{ type: "t", data: 2 }])),
    ]).toEqual([
      { code: "record_invalid", message: "record type must be a non-empty string" },
      { code: "record_invalid", message: "data is not JSON-serializable: undefined" },
      {
        code: "record_invalid",
        message: "data is not JSON-serializable: Do not know how to serialize a BigInt",
      },
      { code: "record_invalid", message: "record type must be a non-empty string" },
      { code: "record_invalid", message: "records must be an array" },
      {
        code: "stream_name_invalid",
        message: 'stream name "../x" is not an identifier matching ^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$',
      },
    ]);
    expect(readFileSync(streamFile("s"), "utf8")).toBe(before);
    expect((await store.append("s", "t", 2)).seq).toBe(2);
  });

  it("with expectSeq, appends only where told: 1 creates a stream, anything else is a conflict", async () => {
    const store = await openFileStore(dir);
    expect((await store.appendMany("s", ticks(2), { expectSeq: 1 })).map((r) => r.seq)).toEqual([1, 2]);
    const before = readFileSync(streamFile("s"), "utf8");
    expect([
      await rejection(store.appendMany("s", ticks(2), { expectSeq: 1 })),
      await rejection(store.appendMany("s", ticks(1), { expectSeq: 4 })),
    ]).toEqual([
      { code: "conflict", message: "stream s: expected to append at seq 1, but the next seq is 3" },
      { code: "conflict", message: "stream s: expected to append at seq 4, but the next seq is 3" },
    ]);
    expect(readFileSync(streamFile("s"), "utf8")).toBe(before);
    expect((await store.appendMany("s", ticks(1), { expectSeq: 3 })).map((r) => r.seq)).toEqual([3]);
  });

  it("lets exactly one of many concurrent creators of a stream win with expectSeq 1", async () => {
    const stores = await Promise.all(Array.from({ length: 4 }, () => openFileStore(dir)));
    const settled = await Promise.allSettled(
      stores.flatMap((store, k) =>
        [0, 1].map((m) => store.appendMany("new", ticks(3, 10 * k + m), { expectSeq: 1 })),
      ),
    );
    const won = settled.filter((s) => s.status === "fulfilled");
    const lost = settled.flatMap((s) => (s.status === "rejected" ? [s.reason as StateError] : []));
    expect({ won: won.length, lost: lost.map((e) => e.code) }).toEqual({
      won: 1,
      lost: Array(7).fill("conflict"),
    });
    expect((await stores[0]?.read("new"))?.map((r) => r.seq)).toEqual([1, 2, 3]);
  });

  it("cuts back a write that fails half way, so no part of the batch remains, and goes on", async () => {
    const store = await openFileStore(dir);
    await store.appendMany("s", ticks(2));
    const before = readFileSync(streamFile("s"), "utf8");
    const proto = await fileHandlePrototype();
    const original = proto.write as (...args: unknown[]) => Promise<unknown>;
    let calls = 0;
    vi.spyOn(proto, "write").mockImplementation(function (this: FileHandle, ...args: unknown[]) {
      calls++;
      if (calls === 1) {
        // The kernel takes half the batch, then the disk fills up.
        const [buffer, offset, length] = args as [Buffer, number, number];
        return original.call(this, buffer, offset, Math.floor(length / 2));
      }
      return Promise.reject(Object.assign(new Error("ENOSPC: no space left on device"), { code: "ENOSPC" }));
    } as typeof proto.write);
    expect(await rejection(store.appendMany("s", ticks(5, 2)))).toEqual({
      code: "write_failed",
      message: "append failed: ENOSPC: no space left on device",
    });
    expect(calls).toBe(2);
    expect(readFileSync(streamFile("s"), "utf8")).toBe(before);
    vi.restoreAllMocks();
    expect((await store.appendMany("s", ticks(2, 7))).map((r) => r.seq)).toEqual([3, 4]);
    expect((await store.read("s")).map((r) => (r.data as { i: number }).i)).toEqual([0, 1, 7, 8]);
    expect(store.recovered).toEqual([]);
  });

  it("cuts back a batch whose fsync fails", async () => {
    const store = await openFileStore(dir);
    await store.append("s", "t", 0);
    const before = readFileSync(streamFile("s"), "utf8");
    const proto = await fileHandlePrototype();
    vi.spyOn(proto, "sync").mockRejectedValueOnce(
      Object.assign(new Error("EIO: i/o error"), { code: "EIO" }),
    );
    expect(await rejection(store.appendMany("s", ticks(3)))).toEqual({
      code: "write_failed",
      message: "append failed: EIO: i/o error",
    });
    expect(readFileSync(streamFile("s"), "utf8")).toBe(before);
    expect((await store.appendMany("s", ticks(1))).map((r) => r.seq)).toEqual([2]);
  });

  it("cuts a torn tail before appending a batch after it", async () => {
    const store = await openFileStore(dir);
    await store.appendMany("s", ticks(3));
    await store.close();
    const intact = readFileSync(streamFile("s"), "utf8");
    appendFileSync(streamFile("s"), '{"seq":4,"at":"2026-01-01T00:00:00.000Z","ty');
    const reopened = await openFileStore(dir);
    const batch = await reopened.appendMany("s", ticks(2, 3));
    expect(batch.map((r) => r.seq)).toEqual([4, 5]);
    expect(readFileSync(streamFile("s"), "utf8")).toBe(
      intact + batch.map((record) => `${JSON.stringify(record)}\n`).join(""),
    );
    expect(reopened.recovered).toHaveLength(1);
  });

  it("refuses a batch after a last line that is not a record, and once closed", async () => {
    const store = await openFileStore(dir);
    await store.append("s", "t", 1);
    appendFileSync(streamFile("s"), '{"format":"newer"}\n');
    expect(await rejection(store.appendMany("s", ticks(2)))).toEqual({
      code: "corrupt",
      message: "stream s: the last line is not a record; refusing to append after it",
    });
    await store.close();
    expect(await rejection(store.appendMany("t", ticks(2)))).toEqual({
      code: "closed",
      message: "the store is closed",
    });
  });
});
