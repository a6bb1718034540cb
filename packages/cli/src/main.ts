import { execCommand, execUsage } from "./commands/exec.js";
import { operationsCommand, operationsUsage } from "./commands/operations.js";
import { policyCommand, policyUsage } from "./commands/policy.js";
import { validateCommand, validateUsage } from "./commands/validate.js";
import { ExitCode } from "./exit-codes.js";
import { type Io, processIo, UsageError } from "./io.js";

export { ExitCode } from "./exit-codes.js";
export type { Io } from "./io.js";

type Command = { run: (argv: string[], io: Io) => Promise<number>; usage: string; summary: string };

const commands: Record<string, Command> = {
  validate: {
    run: validateCommand,
    usage: validateUsage,
    summary: "validate JSON payloads against the contracts",
  },
  policy: { run: policyCommand, usage: policyUsage, summary: "build, test and evaluate the Rego policies" },
  exec: { run: execCommand, usage: execUsage, summary: "run one governed tool call (a pre-tool-use hook)" },
  ...Object.fromEntries(
    (
      [
        ["submit", "run a WorkspaceOperationContract"],
        ["status", "state of a tool execution or operation"],
        ["logs", "records of a tool execution or operation (--follow)"],
        ["approve", "approve a pending approval request"],
        ["deny", "deny a pending approval request"],
        ["resume", "run an approved call that nobody was waiting for"],
        ["cancel", "cancel a running or pending call or operation"],
        ["audit", "audit verify: check the hash-chained audit log"],
      ] as const
    ).map(([name, summary]) => [
      name,
      { run: (argv: string[], io: Io) => operationsCommand(name, argv, io), usage: operationsUsage, summary },
    ]),
  ),
};

const mainUsage = `Usage: wsops <command> [options]

Commands:
${Object.entries(commands)
  .map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`)
  .join("\n")}

Run "wsops <command> --help" for a command's options. Exit codes: 0 ok, 1 problems found, 2 usage or
internal error.
`;

/** Runs wsops with the given arguments; resolves to the exit code. Never throws. */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    io.stdout(mainUsage);
    return name === undefined ? ExitCode.usage : ExitCode.ok;
  }
  const command = commands[name];
  if (!command) {
    io.stderr(`wsops: unknown command "${name}"\n\n${mainUsage}`);
    return ExitCode.usage;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`wsops ${name}: ${error.message}\n\n${command.usage}`);
      return ExitCode.usage;
    }
    // A bug, not the user's mistake: say so briefly; the stack only on request.
    const detail = process.env.WSOPS_DEBUG
      ? `\n${(error as Error).stack}`
      : " (set WSOPS_DEBUG=1 for details)";
    io.stderr(`wsops ${name}: internal error: ${(error as Error).message}${detail}\n`);
    return ExitCode.usage;
  }
}
