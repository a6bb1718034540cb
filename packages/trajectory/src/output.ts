// Writing an export: to stdout, or to a file through a temporary file renamed at the end (and the SFT
// lineage file beside it the same way), so a failed export leaves no half-written file.

import { once } from "node:events";
import { createWriteStream, type WriteStream } from "node:fs";
import { rename, rm } from "node:fs/promises";
import { TrajectoryError } from "./errors.js";
import type { ExportedLine } from "./export.js";

/** Where the lineage of an SFT file goes by default: train.jsonl → train.lineage.jsonl. */
export const lineageFileOf = (out: string): string =>
  out.endsWith(".jsonl") ? `${out.slice(0, -".jsonl".length)}.lineage.jsonl` : `${out}.lineage.jsonl`;

class AtomicFile {
  readonly temporary: string;
  readonly #stream: WriteStream;
  #failed: Error | undefined;

  constructor(readonly path: string) {
    this.temporary = `${path}.tmp-${process.pid}`;
    this.#stream = createWriteStream(this.temporary, { flags: "wx", mode: 0o600 });
    this.#stream.on("error", (error) => {
      this.#failed = error;
    });
  }

  async write(text: string): Promise<void> {
    if (this.#failed) throw this.#failed;
    // once() settles on drain or on error and removes its listeners either way.
    if (!this.#stream.write(text)) await once(this.#stream, "drain");
  }

  async commit(): Promise<void> {
    await new Promise<void>((done, failed) =>
      this.#stream.end((error?: Error | null) => (error ? failed(error) : done())),
    );
    if (this.#failed) throw this.#failed;
    await rename(this.temporary, this.path);
  }

  async discard(): Promise<void> {
    this.#stream.destroy();
    await rm(this.temporary, { force: true });
  }
}

/**
 * Writes every line; `out` (a file) or `stdout`, and the lineage lines to `lineageOut` when given.
 * Returns where the lines went.
 */
export async function writeLines(
  lines: AsyncIterable<ExportedLine>,
  target: { out?: string | undefined; lineageOut?: string | undefined; stdout: (text: string) => void },
): Promise<void> {
  const files: AtomicFile[] = [];
  try {
    const out = target.out !== undefined ? new AtomicFile(target.out) : undefined;
    if (out) files.push(out);
    const lineage = target.lineageOut !== undefined ? new AtomicFile(target.lineageOut) : undefined;
    if (lineage) files.push(lineage);
    for await (const line of lines) {
      if (out) await out.write(`${line.text}\n`);
      else target.stdout(`${line.text}\n`);
      if (lineage && line.lineage !== undefined) await lineage.write(`${line.lineage}\n`);
    }
    for (const file of files) await file.commit();
  } catch (error) {
    await Promise.all(files.map((f) => f.discard()));
    if ((error as NodeJS.ErrnoException).syscall !== undefined)
      throw new TrajectoryError(
        "output_unwritable",
        `cannot write the export: ${(error as Error).message}`,
        "",
        files[0]?.path,
      );
    throw error;
  }
}
