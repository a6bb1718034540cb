import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readLastLine, recoverTail, splitLines } from "./jsonl-tail.js";

let dir = "";
let file = "";
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "wsops-tail-"));
  file = join(dir, "stream.jsonl");
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function lastLineOf(content: string) {
  writeFileSync(file, content);
  const handle = await open(file, "r");
  try {
    return await readLastLine(handle, (await handle.stat()).size);
  } finally {
    await handle.close();
  }
}

async function recover(content: string) {
  writeFileSync(file, content);
  const handle = await open(file, "r+");
  try {
    return { ...(await recoverTail(handle, true)), content: readFileSync(file, "utf8") };
  } finally {
    await handle.close();
  }
}

describe("readLastLine", () => {
  it.each([
    ["", null],
    ["a\n", { start: 0, text: "a", terminated: true }],
    ["a\nbc\n", { start: 2, text: "bc", terminated: true }],
    ["a\nbc", { start: 2, text: "bc", terminated: false }],
    ["a\n\n", { start: 2, text: "", terminated: true }],
    ["\n", { start: 0, text: "", terminated: true }],
  ])("finds the last line of %j", async (content, expected) => {
    expect(await lastLineOf(content)).toEqual(expected);
  });

  it("reads back across chunks when the last line is longer than one chunk", async () => {
    const long = "x".repeat(10_000);
    expect(await lastLineOf(`a\n${long}\n`)).toEqual({ start: 2, text: long, terminated: true });
    expect(await lastLineOf(`${long}é`)).toEqual({ start: 0, text: `${long}é`, terminated: false });
  });
});

describe("recoverTail", () => {
  it("keeps a clean file as it is", async () => {
    expect(await recover("[1]\n[2]\n")).toEqual({
      lastLine: "[2]",
      size: 8,
      droppedBytes: 0,
      content: "[1]\n[2]\n",
    });
  });

  it("cuts an unfinished last line, even one that happens to be JSON", async () => {
    expect(await recover("[1]\n[2]")).toEqual({
      lastLine: "[1]",
      size: 4,
      droppedBytes: 3,
      content: "[1]\n",
    });
  });

  it("cuts complete last lines that are not JSON, back to the last one that is", async () => {
    expect(await recover("[1]\nzz\n\n\0\0\n[3")).toEqual({
      lastLine: "[1]",
      size: 4,
      droppedBytes: 9,
      content: "[1]\n",
    });
  });

  it("keeps a complete JSON line whatever it holds: judging records is the reader's job", async () => {
    expect(await recover('[1]\n{"future":true}\n')).toMatchObject({
      lastLine: '{"future":true}',
      droppedBytes: 0,
    });
  });

  it("empties a file that holds no complete JSON line at all", async () => {
    expect(await recover("{1")).toEqual({ lastLine: null, size: 0, droppedBytes: 2, content: "" });
  });
});

describe("splitLines", () => {
  it("separates complete lines from an unterminated rest", () => {
    expect(splitLines("a\nb\nc")).toEqual({ lines: ["a", "b"], unterminated: "c" });
    expect(splitLines("a\n")).toEqual({ lines: ["a"], unterminated: "" });
    expect(splitLines("")).toEqual({ lines: [], unterminated: "" });
  });
});
