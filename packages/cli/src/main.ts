import { ExitCode } from "./exit-codes.js";
import { type Io, processIo, SetupError, UsageError } from "./io.js";
import { commands } from "./registry.js";
import { version } from "./version.js";

export { ExitCode } from "./exit-codes.js";
export type { Io } from "./io.js";
export { version } from "./version.js";

const mainUsage = () => `Usage: wsops <command> [options]

Commands:
${Object.entries(commands)
  .map(([name, c]) => `  ${name.padEnd(12)} ${c.summary}`)
  .join("\n")}

Run "wsops <command> --help" for a command's options; "wsops --version" for the version.
Exit codes: 0 ok, 1 problems found, 2 usage or internal error (docs/cli.md lists each command's own).
`;

/** --help or -h among a command's own flags (not after "--", where they belong to the command it runs). */
function asksForHelp(argv: readonly string[]): boolean {
  const dash = argv.indexOf("--");
  return (dash === -1 ? argv : argv.slice(0, dash)).some((a) => a === "--help" || a === "-h");
}

/** Runs wsops with the given arguments; resolves to the exit code. Never throws. */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    io.stdout(mainUsage());
    return name === undefined ? ExitCode.usage : ExitCode.ok;
  }
  if (name === "--version" || name === "-V") {
    io.stdout(`wsops ${version()}\n`);
    return ExitCode.ok;
  }
  const entry = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!entry) {
    io.stderr(`wsops: unknown command "${name}"\n\n${mainUsage()}`);
    return ExitCode.usage;
  }
  let usage = "";
  try {
    const command = await entry.load();
    usage = command.usage;
    if (asksForHelp(rest)) {
      io.stdout(usage);
      return ExitCode.ok;
    }
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof SetupError) {
      io.stderr(`wsops ${name}: ${error.message}\n`);
      return ExitCode.usage;
    }
    if (error instanceof UsageError) {
      io.stderr(`wsops ${name}: ${error.message}\n\n${usage}`);
      return ExitCode.usage;
    }
    // The store's own failures (@workspace-ops/store's StateError, told by name to keep this module
    // free of imports): the database is away, busy, damaged or newer — the user's to fix, no stack.
    const stateCode =
      (error as { name?: string; code?: string }).name === "StateError"
        ? (error as { code: string }).code
        : "";
    // A key that exists, is missing, is readable by others or is not a key (@workspace-ops/signing).
    if ((error as { name?: string }).name === "SigningError") {
      io.stderr(`wsops ${name}: ${(error as Error).message}\n`);
      return ExitCode.problems;
    }
    if (["unavailable", "busy", "corrupt", "schema_unknown"].includes(stateCode)) {
      io.stderr(`wsops ${name}: the store: ${(error as Error).message}\n`);
      return ExitCode.storeUnavailable;
    }
    // A bug, not the user's mistake: say so briefly; the stack only on request.
    const detail = process.env.WSOPS_DEBUG
      ? `\n${(error as Error).stack}`
      : " (set WSOPS_DEBUG=1 for details)";
    io.stderr(`wsops ${name}: internal error: ${(error as Error).message}${detail}\n`);
    return ExitCode.usage;
  }
}
