import type { Readable } from "node:stream";
import { ExitCode } from "./exit-codes.js";

/** Where a command reads and writes; tests pass their own. */
export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  readStdin: () => Promise<string>;
  /** Standard input as a stream, for commands that read it as it comes (decide --jsonl, exec, mcp proxy). */
  stdin?: () => Readable;
}

/** A mistake in how a command was called: reported with the usage, exit 2, never a stack trace. */
export class UsageError extends Error {
  readonly exitCode = ExitCode.usage;
}

/** Something the machine lacks (no usable OPA): reported in one line, exit 2, without the usage. */
export class SetupError extends Error {
  readonly exitCode = ExitCode.usage;
}

// A reader that stops early (`wsops logs ID | head`) closes the pipe: that ends our output, not in a crash.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw error;
  });
}

export const processIo: Io = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  readStdin: async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString("utf8");
  },
  stdin: () => process.stdin,
};
