import { resolve } from "node:path";
import {
  type CheckResult,
  ConfigError,
  checkIds,
  configFileName,
  diffRuleCatalog,
  loadConfig,
  runConformance,
} from "@workspace-ops/conformance";
import { exitCodeOf } from "@workspace-ops/conformance/report";
import { z } from "zod";
import { parseCommand } from "../args.js";
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

export const conformanceUsage = `Usage: wsops conformance [--base REF] [--head REF] [--config FILE] [--contracts DIR] [--examples DIR]
                         [--policies DIR] [--fixtures DIR] [--skip CHECK]... [--json | --format FORMAT]

The one CI entry: every example behaves as recorded, ajv, Python and Go agree on them, the policies
are formatted and compile, their tests pass with the coverage threshold, every decision fixture gives
the expected decision in OPA's Go evaluator and the WASM runtime, the configured commands (codegen
drift, linters) pass, and with --base, no contract changed in a breaking way without a major version
bump. Works in any repository that keeps contracts/, examples/, policies/ and policy-fixtures/ (or the
folders ${configFileName} or the flags name); a default folder that does not exist skips its checks.

Options:
  --base REF          also compare the contracts with this git revision (contracts diff)
  --head REF          compare with this revision instead of the working tree
  --config FILE       the configuration (default: ./${configFileName} when present)
  --contracts DIR, --examples DIR, --policies DIR, --fixtures DIR
                      override the folders of the configuration
  --skip CHECK        leave a check out (repeatable): ${checkIds.join(", ")}, or command:NAME
${formatHelp}
  -h, --help          show this help

Exit codes: 0 every check passed (skipped ones and warnings allowed); 1 a check found problems;
2 usage error, an invalid configuration, or a check that could not run (a required tool is missing).
`;

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

function table(checks: readonly CheckResult[]): string {
  const rows = checks.map((c) => [c.id, c.status, seconds(c.durationMs), c.summary]);
  const widths = [0, 1, 2].map((i) =>
    Math.max(
      ...[["check", "status", "time"][i] as string, ...rows.map((r) => r[i] as string)].map((x) => x.length),
    ),
  );
  const line = (cells: string[]) =>
    cells.map((cell, i) => (i < 3 ? cell.padEnd(widths[i] as number) : cell)).join("  ");
  return [line(["check", "status", "time", "summary"]), ...rows.map(line)].join("\n");
}

export async function conformanceCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommand(
    argv,
    {
      base: { type: "string" },
      head: { type: "string" },
      config: { type: "string" },
      contracts: { type: "string" },
      examples: { type: "string" },
      policies: { type: "string" },
      fixtures: { type: "string" },
      skip: { type: "string", multiple: true },
      ...formatOptions,
    },
    z.object({
      base: z.string().min(1).optional(),
      head: z.string().min(1).optional(),
      config: z.string().optional(),
      contracts: z.string().optional(),
      examples: z.string().optional(),
      policies: z.string().optional(),
      fixtures: z.string().optional(),
      skip: z
        .array(
          z.string().refine((s) => (checkIds as readonly string[]).includes(s) || s.startsWith("command:"), {
            error: (i) => `unknown check ${JSON.stringify(i.input)}`,
          }),
        )
        .optional(),
      ...formatSchema,
    }),
  );
  if (positionals.length) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
  if (values.head && !values.base) throw new UsageError("--head needs --base");
  let config: Awaited<ReturnType<typeof loadConfig>>;
  try {
    config = await loadConfig(process.cwd(), values.config);
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.message);
    throw error;
  }
  const override = (dir: string | undefined) => (dir ? { dir: resolve(dir), configured: true } : undefined);
  config = {
    ...config,
    contracts: override(values.contracts) ?? config.contracts,
    examples: override(values.examples) ?? config.examples,
    policies: override(values.policies) ?? config.policies,
    policyFixtures: override(values.fixtures) ?? config.policyFixtures,
  };
  const format = formatOf(values);
  const report = await runConformance({
    config,
    ...(values.base ? { base: values.base } : {}),
    ...(values.head ? { head: values.head } : {}),
    ...(values.skip ? { skip: values.skip } : {}),
    version: version(),
    ...(format === "text"
      ? {
          onCheck: (c: CheckResult) =>
            io.stderr(`  ${c.status.padEnd(7)} ${c.id} (${seconds(c.durationMs)})\n`),
        }
      : {}),
  });
  const code = exitCodeOf(report);
  if (isReportFormat(format)) printReport(io, format, report, diffRuleCatalog);
  else if (format === "json") io.stdout(`${JSON.stringify({ ok: code === 0, ...report }, null, 2)}\n`);
  else {
    for (const check of report.checks.filter((c) => c.status === "failed" || c.status === "error")) {
      io.stdout(`${check.id}: ${check.status === "error" ? "could not run" : "FAILED"}: ${check.summary}\n`);
      for (const f of check.cases.flatMap((c) => c.findings).filter((x) => !x.ignored && x.level !== "note"))
        io.stdout(`  ${f.level} [${f.ruleId}] ${f.message.replaceAll("\n", "\n    ")}\n`);
    }
    io.stdout(`${table(report.checks)}\n`);
    const count = (status: string) => report.checks.filter((c) => c.status === status).length;
    io.stdout(
      `conformance: ${code === 0 ? "passed" : "FAILED"} (${report.checks.length} checks: ${count("passed")} passed, ${count("failed")} failed, ${count("error")} could not run, ${count("skipped")} skipped)\n`,
    );
  }
  return code;
}
