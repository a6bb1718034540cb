import { resolve } from "node:path";
import {
  ConfigError,
  contractsDiff,
  diffRuleCatalog,
  GitError,
  loadConfig,
} from "@workspace-ops/conformance";
import { exitCodeOf } from "@workspace-ops/conformance/report";
import { z } from "zod";
import { parseCommand } from "../args.js";
import { ExitCode } from "../exit-codes.js";
import { type Io, UsageError } from "../io.js";
import {
  formatHelp,
  formatOf,
  formatOptions,
  formatSchema,
  isReportFormat,
  printReport,
} from "../report-output.js";
import { version } from "../version.js";

export const contractsUsage = `Usage: wsops contracts diff --base REF [--head REF] [--contracts DIR] [--config FILE] [--json | --format FORMAT]

Compares every schema at git revision REF with the working tree (or --head REF) and reports each change:
breaking or not, by the schema's x-contract-role. A request (consumed) breaks when it accepts less; a
record (produced) breaks when it may carry more. A breaking change without a major version bump in the
$id is an error; with one, a warning; a compatible change is a note. docs/ci.md lists every rule id.

Options:
  --base REF          the revision to compare with (a branch, tag or commit; required)
  --head REF          compare with this revision instead of the working tree
  --contracts DIR     the schemas (default: "contracts" of wsops.conformance.json, else ./contracts)
  --config FILE       the configuration (default: ./wsops.conformance.json when present); its
                      diff.ignore accepts rule ids per contract, with a reason
${formatHelp}
  -h, --help          show this help

Exit codes: 0 nothing breaking without a version bump; 1 breaking changes found; 2 usage error, a
revision git does not know, or an invalid configuration.
`;

export async function contractsCommand(argv: string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== "diff")
    throw new UsageError(
      sub === undefined ? "which contracts command? (diff)" : `unknown contracts command "${sub}"`,
    );
  const { values, positionals } = parseCommand(
    rest,
    {
      base: { type: "string" },
      head: { type: "string" },
      contracts: { type: "string" },
      config: { type: "string" },
      ...formatOptions,
    },
    z.object({
      base: z.string({ error: "is required: the git revision to compare with" }).min(1),
      head: z.string().min(1).optional(),
      contracts: z.string().optional(),
      config: z.string().optional(),
      ...formatSchema,
    }),
  );
  if (positionals.length) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
  let result: Awaited<ReturnType<typeof contractsDiff>>;
  try {
    const config = await loadConfig(process.cwd(), values.config);
    result = await contractsDiff({
      cwd: process.cwd(),
      contractsDir: values.contracts ? resolve(values.contracts) : config.contracts.dir,
      base: values.base,
      ...(values.head ? { head: values.head } : {}),
      ignore: config.diffIgnore,
    });
  } catch (error) {
    if (error instanceof GitError || error instanceof ConfigError) throw new UsageError(error.message);
    throw error;
  }
  const format = formatOf(values);
  const report = { command: "wsops contracts diff", version: version(), checks: [result.check] };
  if (isReportFormat(format)) printReport(io, format, report, diffRuleCatalog);
  else if (format === "json") {
    const { base, head, contracts, findings } = result;
    io.stdout(`${JSON.stringify({ base, head, contracts, findings }, null, 2)}\n`);
  } else {
    io.stdout(
      `contracts diff: ${result.base.ref} (${result.base.commit.slice(0, 12)}) → ${result.head.commit ? `${result.head.ref} (${result.head.commit.slice(0, 12)})` : result.head.ref}\n`,
    );
    for (const c of result.check.cases)
      for (const f of c.findings)
        io.stdout(
          `  ${(f.ignored ? "ignored" : f.level).padEnd(8)} ${f.file}:${f.line}:${f.column}  ${f.message}${f.ignored ? ` — ${f.ignored.reason}` : ""}\n`,
        );
    io.stdout(`${result.check.summary}\n`);
  }
  return exitCodeOf(report) === 0 ? ExitCode.ok : ExitCode.problems;
}
