import type { FileHandle } from "node:fs/promises";

const CHUNK_BYTES = 4096;
const NEWLINE = 0x0a;

export interface LastLine {
  /** Byte offset where the line starts: truncating here removes it. */
  start: number;
  /** Without its newline. */
  text: string;
  /** false when the file ends without "\n": a write that never finished. */
  terminated: boolean;
}

/** The last line of the first `size` bytes, read backwards in chunks — never the whole file. */
export async function readLastLine(handle: FileHandle, size: number): Promise<LastLine | null> {
  if (size === 0) return null;
  const pieces: Buffer[] = [];
  let position = size;
  let terminated = false;
  while (position > 0) {
    const length = Math.min(CHUNK_BYTES, position);
    position -= length;
    const chunk = await readExactly(handle, position, length);
    const isFirstChunk = pieces.length === 0;
    if (isFirstChunk) terminated = chunk[length - 1] === NEWLINE;
    // Look for the newline that ends the previous line, skipping this line's own.
    const searchFrom = isFirstChunk && terminated ? length - 2 : length - 1;
    const newline = searchFrom >= 0 ? chunk.lastIndexOf(NEWLINE, searchFrom) : -1;
    if (newline >= 0) {
      pieces.unshift(chunk.subarray(newline + 1));
      return lastLine(position + newline + 1, pieces, terminated);
    }
    pieces.unshift(chunk);
  }
  return lastLine(0, pieces, terminated);
}

function lastLine(start: number, pieces: Buffer[], terminated: boolean): LastLine {
  const bytes = Buffer.concat(pieces);
  const text = bytes.subarray(0, terminated ? bytes.length - 1 : bytes.length).toString("utf8");
  return { start, text, terminated };
}

async function readExactly(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await handle.read(buffer, filled, length - filled, position + filled);
    if (bytesRead === 0) throw new Error(`file ended at ${position + filled} while reading its tail`);
    filled += bytesRead;
  }
  return buffer;
}

export interface RecoveredTail {
  /** The last line (without its newline), or null for an empty file. */
  lastLine: string | null;
  size: number;
  /** Bytes cut off the end. */
  droppedBytes: number;
}

/**
 * Cut off a torn tail: a last line without its newline, or one that is not JSON (a write cut
 * short, or zeros a crash left behind), repeatedly. A complete JSON line is always kept, even if it
 * is not a valid record (a newer format, say): judging it is for the reader, and data is never
 * thrown away on a guess. Call under the file's lock: then no writer is mid-write, so a torn tail
 * can only have been left by a crash.
 */
export async function recoverTail(handle: FileHandle, fsync: boolean): Promise<RecoveredTail> {
  const originalSize = (await handle.stat()).size;
  let size = originalSize;
  let lastLine: string | null = null;
  for (let line = await readLastLine(handle, size); line !== null; line = await readLastLine(handle, size)) {
    if (line.terminated && isJson(line.text)) {
      lastLine = line.text;
      break;
    }
    size = line.start;
  }
  if (size < originalSize) {
    await handle.truncate(size);
    if (fsync) await handle.sync();
  }
  return { lastLine, size, droppedBytes: originalSize - size };
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Complete lines, plus whatever follows the last newline (empty when the file ends cleanly). */
export function splitLines(text: string): { lines: string[]; unterminated: string } {
  const lines = text.split("\n");
  const unterminated = lines.pop() ?? "";
  return { lines, unterminated };
}
