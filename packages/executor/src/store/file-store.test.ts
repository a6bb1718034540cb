import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { StateError } from "./errors.js";
import { openFileStore } from "./file-store.js";
import type { StreamRecovery } from "./types.js";

let dir = "";
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "wsops-store-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const streamFile = (stream: string) => join(dir, "streams", `${stream}.jsonl`);
const anyTime = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

async function rejection(task: Promise<unknown>): Promise<{ code: string; message: string }> {
  const thrown = await task.then(
    () => null,
    (error: unknown) => error,
  );
  if (!(thrown instanceof StateError)) throw new Error(`expected a StateError, got ${String(thrown)}`);
  return { code: thrown.code, message: thrown.message };
}

describe("openFileStore", () => {
  it("appends records numbered 1, 2, 3 per stream, one JSON line each, and reads them back", async () => {
    const store = await openFileStore(dir);
    const first = await store.append("op-1", "request", { argv: ["ls"] });
    const other = await store.append("op-2", "request", null);
    const second = await store.append("op-1", "decision", { decision: "allow" });
    expect([first, other, second]).toEqual([
      { seq: 1, at: anyTime, type: "request", data: { argv: ["ls"] } },
      { seq: 1, at: anyTime, type: "request", data: null },
      { seq: 2, at: anyTime, type: "decision", data: { decision: "allow" } },
    ]);
    expect(await store.read("op-1")).toEqual([first, second]);
    expect(await store.read("op-2")).toEqual([other]);
    expect(readFileSync(streamFile("op-1"), "utf8")).toBe(
      `${JSON.stringify(first)}\n${JSON.stringify(second)}\n`,
    );
    await store.close();
  });

  it("reads [] for an unknown stream and lists every stream, sorted", async () => {
    const store = await openFileStore(dir);
    for (const stream of ["z", "b.c:d-1", "A", "a"]) await store.append(stream, "t", {});
    expect({ unknown: await store.read("nope"), streams: await store.streams() }).toEqual({
      unknown: [],
      streams: ["A", "a", "b.c:d-1", "z"],
    });
  });

  it("stores the JSON form of the data and returns exactly what a read returns", async () => {
    const store = await openFileStore(dir);
    const record = await store.append("s", "t", { when: new Date(0), gone: undefined, list: [undefined] });
    expect(record.data).toEqual({ when: "1970-01-01T00:00:00.000Z", list: [null] });
    expect(await store.read("s")).toEqual([record]);
  });

  it("continues the sequence across reopening, and after a long last line", async () => {
    const first = await openFileStore(dir);
    await first.append("s", "t", { big: "x".repeat(20_000) });
    await first.close();
    const second = await openFileStore(dir);
    expect((await second.append("s", "t", 2)).seq).toBe(2);
    expect((await second.read("s")).map((record) => record.seq)).toEqual([1, 2]);
  });

  it("numbers concurrent appends from two stores in one process without gaps", async () => {
    const [a, b] = await Promise.all([openFileStore(dir), openFileStore(dir, { fsync: false })]);
    const appended = await Promise.all(
      Array.from({ length: 100 }, (_, i) => (i % 2 === 0 ? a : b).append("s", "t", { i })),
    );
    const seqs = appended.map((record) => record.seq).sort((x, y) => x - y);
    expect(seqs).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect((await a.read("s")).map((record) => record.seq)).toEqual(seqs);
  });

  it.each(["", ".hidden", "-lead", "../escape", "a/b", "a b", "é", "x".repeat(129)])(
    "refuses the stream name %j",
    async (stream) => {
      const store = await openFileStore(dir);
      const expected = {
        code: "stream_name_invalid",
        message: `stream name ${JSON.stringify(stream)} is not an identifier matching ^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$`,
      };
      expect(await rejection(store.append(stream, "t", {}))).toEqual(expected);
      expect(await rejection(store.read(stream))).toEqual(expected);
    },
  );

  it("accepts the longest and most varied legal names", async () => {
    const store = await openFileStore(dir);
    for (const stream of ["x".repeat(128), "A.b_c:d-9"])
      expect((await store.append(stream, "t", 1)).seq).toBe(1);
  });

  it("refuses a record whose type is empty or whose data is not JSON", async () => {
    const store = await openFileStore(dir);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect([
      await rejection(store.append("s", "", {})),
      await rejection(store.append("s", "t", undefined)),
      await rejection(store.append("s", "t", 1n)),
      (await rejection(store.append("s", "t", cyclic))).code,
    ]).toEqual([
      { code: "record_invalid", message: "record type must be a non-empty string" },
      { code: "record_invalid", message: "data is not JSON-serializable: undefined" },
      {
        code: "record_invalid",
        message: "data is not JSON-serializable: Do not know how to serialize a BigInt",
      },
      "record_invalid",
    ]);
    expect(await store.streams()).toEqual([]);
  });

  it("waits for appends in flight on close and refuses work afterwards", async () => {
    const store = await openFileStore(dir);
    const inFlight = store.append("s", "t", 1);
    await store.close();
    expect((await inFlight).seq).toBe(1);
    expect(await rejection(store.append("s", "t", 2))).toEqual({
      code: "closed",
      message: "the store is closed",
    });
    expect(await rejection(store.read("s"))).toEqual({ code: "closed", message: "the store is closed" });
  });
});

describe("torn tail recovery", () => {
  async function storeWithThreeRecords() {
    const store = await openFileStore(dir);
    for (let i = 1; i <= 3; i++) await store.append("s", "t", { i });
    await store.close();
    return readFileSync(streamFile("s"), "utf8");
  }

  it("cuts an unfinished last line on read, reports it, and appends seq 4 next", async () => {
    const intact = await storeWithThreeRecords();
    const torn = '{"seq":4,"at":"2026-01-01T00:00:00.000Z","ty';
    appendFileSync(streamFile("s"), torn);
    const reported: StreamRecovery[] = [];
    const store = await openFileStore(dir, { onRecover: (recovery) => reported.push(recovery) });
    const records = await store.read("s");
    expect({ seqs: records.map((r) => r.seq), reported, recovered: store.recovered }).toEqual({
      seqs: [1, 2, 3],
      reported: [{ stream: "s", droppedBytes: Buffer.byteLength(torn) }],
      recovered: [{ stream: "s", droppedBytes: Buffer.byteLength(torn) }],
    });
    expect(readFileSync(streamFile("s"), "utf8")).toBe(intact);
    expect((await store.append("s", "t", { i: 4 })).seq).toBe(4);
    expect(reported).toHaveLength(1);
  });

  it("cuts the torn tail when the next thing is an append", async () => {
    const intact = await storeWithThreeRecords();
    const torn = `{"seq":4,"data":"${"y".repeat(9_000)}`; // longer than one tail chunk
    appendFileSync(streamFile("s"), torn);
    const store = await openFileStore(dir);
    const appended = await store.append("s", "t", { i: 4 });
    expect({ seq: appended.seq, recovered: store.recovered }).toEqual({
      seq: 4,
      recovered: [{ stream: "s", droppedBytes: Buffer.byteLength(torn) }],
    });
    expect(readFileSync(streamFile("s"), "utf8")).toBe(`${intact}${JSON.stringify(appended)}\n`);
  });

  it("cuts a complete last line that is not JSON (zeros a crash left behind)", async () => {
    await storeWithThreeRecords();
    appendFileSync(streamFile("s"), "\0\0\0\0\n");
    const store = await openFileStore(dir);
    expect((await store.read("s")).length).toBe(3);
    expect(store.recovered).toEqual([{ stream: "s", droppedBytes: 5 }]);
  });

  it("keeps a complete JSON last line that is not a record, and refuses to guess past it", async () => {
    const intact = await storeWithThreeRecords();
    const unknown = '{"seq":4,"format":"from a newer version"}\n';
    appendFileSync(streamFile("s"), unknown);
    const store = await openFileStore(dir);
    expect([await rejection(store.append("s", "t", {})), await rejection(store.read("s"))]).toEqual([
      { code: "corrupt", message: "stream s: the last line is not a record; refusing to append after it" },
      { code: "corrupt", message: "stream s: line 4 is not a record" },
    ]);
    expect({ content: readFileSync(streamFile("s"), "utf8"), recovered: store.recovered }).toEqual({
      content: intact + unknown,
      recovered: [],
    });
  });

  it("refuses a stream damaged in the middle instead of dropping acknowledged records", async () => {
    const intact = await storeWithThreeRecords();
    const [one, , three] = intact.split("\n");
    writeFileSync(streamFile("s"), `${one}\nnot json\n${three}\n`);
    const store = await openFileStore(dir);
    expect(await rejection(store.read("s"))).toEqual({
      code: "corrupt",
      message: "stream s: line 2 is not a record",
    });
    writeFileSync(streamFile("s"), `${one}\n${three}\n`);
    expect(await rejection(store.read("s"))).toEqual({
      code: "corrupt",
      message: "stream s: line 2 has seq 3",
    });
    expect(store.recovered).toEqual([]);
    expect(statSync(streamFile("s")).size).toBe(Buffer.byteLength(`${one}\n${three}\n`));
  });
});
