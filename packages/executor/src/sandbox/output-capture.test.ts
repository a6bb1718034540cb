import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { OutputCapture } from "./output-capture.js";

const sha256 = (data: string | Buffer) => `sha256:${createHash("sha256").update(data).digest("hex")}`;

describe("OutputCapture", () => {
  it("keeps the prefix up to the cap across chunks and counts the rest", () => {
    const capture = new OutputCapture(5);
    const kept = ["abc", "def", "gh"].map((chunk) => capture.push(Buffer.from(chunk)).toString());
    expect(kept).toEqual(["abc", "de", ""]);
    expect(capture.finish()).toEqual({
      bytes: 8,
      digest: sha256("abcde"),
      preview: "abcde",
      truncated: true,
    });
  });

  it("is not truncated when the output fits exactly", () => {
    const capture = new OutputCapture(3);
    capture.push(Buffer.from("abc"));
    expect(capture.finish()).toEqual({ bytes: 3, digest: sha256("abc"), preview: "abc", truncated: false });
  });

  it("reports an empty stream", () => {
    expect(new OutputCapture(10).finish()).toEqual({
      bytes: 0,
      digest: sha256(""),
      preview: "",
      truncated: false,
    });
  });

  it("digests the kept bytes exactly, even when the cap splits a character", () => {
    const capture = new OutputCapture(1);
    capture.push(Buffer.from("é"));
    expect(capture.finish()).toEqual({
      bytes: 2,
      digest: sha256(Buffer.from("é").subarray(0, 1)),
      preview: "\uFFFD",
      truncated: true,
    });
  });

  it("previews 4096 whole characters, never half a surrogate pair", () => {
    const capture = new OutputCapture(1 << 20);
    const text = "😀".repeat(5000);
    capture.push(Buffer.from(text));
    const { preview, bytes, truncated } = capture.finish();
    expect({
      bytes,
      truncated,
      chars: Array.from(preview).length,
      whole: preview === "😀".repeat(4096),
    }).toEqual({
      bytes: 20000,
      truncated: false,
      chars: 4096,
      whole: true,
    });
  });

  it("does not keep a reference to pooled chunk memory", () => {
    const capture = new OutputCapture(10);
    const chunk = Buffer.from("abc");
    capture.push(chunk);
    chunk.write("xyz");
    expect(capture.finish().preview).toBe("abc");
  });
});
