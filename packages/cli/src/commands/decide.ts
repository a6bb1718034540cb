// wsops decide: the runtime-neutral protocol (a ToolExecutionRequest in, the answer out; --jsonl for a
// long-lived runtime). A thin shell over @workspace-ops/adapters' decide protocol.
import { resolve } from "node:path";
import { createInterface } from "node:readline";
import { Readable } from "node:stream";
import { Executor } from "@workspace-ops/executor";
import { type Io, UsageError } from "../io.js";
import {
  agentHelp,
  approveFlagsOf,
  decideOnceAndExit,
  executorOptionsOf,
  parseAgentFlags,
} from "./agent-shared.js";
import { closeExecutor } from "./executor-shared.js";

export const decideUsage = `Usage: wsops decide [options] < REQUEST.json
       wsops decide --jsonl [options]       (one request per line, answered in order)

Decides a ToolExecutionRequest (JSON, on standard input) under the workspace's governance state —
profile, grants, approvals — and records it, without running anything: the runtime that asks runs the
tool. The answer (one JSON document; one line each with --jsonl) holds the ToolExecutionDecision as
recorded, the verdict (allow, deny, ask, approval_required), the approval a call waits for and the
command that approves it. A line {"kind":"ToolOutcome","toolExecutionId":…,"outcome":"succeeded"|"failed",
"output":…} reports how a call the runtime ran ended. The protocol: docs/integrations.md.

Options:
  --jsonl              read requests line by line until end of input, answer each in order
  --runtime NAME       who runs the calls it is allowed (recorded; default decide-client)
${agentHelp.replace("(default: the runtime's project folder, else its cwd)", "(default: the current directory)")}

Exit codes (one request): 0 allow, 1 deny, 3 approval_required or ask, 4 no decision (an invalid
request, a policy that cannot decide in governed mode); in observe mode 0. With --jsonl: 0 when the
input ended (each answer says what it is); 2 usage error; 69 the store cannot be opened.
`;

export async function decideCommand(argv: string[], io: Io): Promise<number> {
  const { flags, values, positionals } = parseAgentFlags(argv, {
    jsonl: { type: "boolean" },
    runtime: { type: "string" },
  });
  if (positionals.length)
    throw new UsageError(`unexpected ${positionals[0]}: the request comes on standard input`);
  const runtime = typeof values.runtime === "string" ? values.runtime : "decide-client";
  if (!/^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/.test(runtime)) throw new UsageError("--runtime: must be a name");
  const workspaceRoot = flags.workspace ?? resolve(process.cwd());
  if (values.jsonl !== true) decideOnceAndExit();
  const { answerLine, serveJsonl } = await import("@workspace-ops/adapters/decide");
  const executor = await Executor.open(executorOptionsOf(flags, workspaceRoot));
  const options = { executor, runtime, mode: flags.mode, approveFlags: approveFlagsOf(flags, workspaceRoot) };
  try {
    if (values.jsonl === true) {
      const input = io.stdin?.() ?? Readable.from([await io.readStdin()]);
      await serveJsonl(createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY }), io.stdout, options);
      return 0;
    }
    const { reply, exitCode } = await answerLine(await io.readStdin(), options);
    io.stdout(`${JSON.stringify(reply, null, 2)}\n`);
    return exitCode;
  } finally {
    await closeExecutor(executor, io);
  }
}
