import { createHash, type Hash } from "node:crypto";
import type { StreamCapture } from "./types.js";

const PREVIEW_CHARS = 4096;
// A code point is at most 4 UTF-8 bytes, so this many bytes always hold PREVIEW_CHARS characters.
const PREVIEW_BYTES = PREVIEW_CHARS * 4;

/**
 * Counts every byte of one output stream but keeps at most `maxBytes`: those are digested,
 * previewed and forwarded. Nothing beyond the preview's bytes is held in memory.
 */
export class OutputCapture {
  private bytes = 0;
  private kept = 0;
  private readonly hash: Hash = createHash("sha256");
  private readonly head: Buffer[] = [];
  private headBytes = 0;

  constructor(private readonly maxBytes: number) {}

  /** Records a chunk; returns the part that is kept (empty once the cap is reached). */
  push(chunk: Buffer): Buffer {
    this.bytes += chunk.length;
    const room = this.maxBytes - this.kept;
    if (room <= 0) return Buffer.alloc(0);
    const keep = chunk.length <= room ? chunk : chunk.subarray(0, room);
    this.kept += keep.length;
    this.hash.update(keep);
    if (this.headBytes < PREVIEW_BYTES) {
      const part = keep.subarray(0, PREVIEW_BYTES - this.headBytes);
      this.head.push(Buffer.from(part)); // a copy: the chunk's memory may be pooled
      this.headBytes += part.length;
    }
    return keep;
  }

  finish(): StreamCapture {
    const text = Buffer.concat(this.head).toString("utf8");
    // Slice by code points so the preview never ends in half a surrogate pair.
    const preview = Array.from(text).slice(0, PREVIEW_CHARS).join("");
    return {
      bytes: this.bytes,
      digest: `sha256:${this.hash.copy().digest("hex")}`,
      preview,
      truncated: this.bytes > this.kept,
    };
  }
}
