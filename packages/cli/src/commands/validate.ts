import { validationCheck } from "@workspace-ops/conformance/report";
import { contractNames, validateDocument } from "@workspace-ops/contracts";
import { defaultMaxBytes, type FileResult, validateFile } from "@workspace-ops/contracts/files";
import { z } from "zod";
import { parseCommand } from "../args.js";
import { ExitCode } from "../exit-codes.js";
import { expandInputs } from "../inputs.js";
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

export const validateUsage = `Usage: wsops validate [--contract NAME] [--json | --format FORMAT] [--max-bytes N] FILE|DIR|GLOB...

Validates JSON payloads against the workspace-ops contracts. The contract is told from each
payload's "kind" unless --contract names it. FILE "-" reads standard input; a directory means every
*.json file beneath it; a quoted glob ('examples/**/valid/*.json') every file it matches.

Options:
  --contract NAME   validate every file against NAME (one of: ${contractNames.join(", ")})
  --max-bytes N     refuse files larger than N bytes (default ${defaultMaxBytes}, 16 MiB)
${formatHelp}
                    --json prints {"results":[{file, contract, valid, errors:[{pointer, keyword, message, line, column}]}]}
  -h, --help        show this help

Exit codes: 0 all valid; 1 any invalid (including not JSON, or a kind that names no contract);
2 usage error or unreadable file.
`;

const flags = z.object({
  contract: z
    .enum(contractNames, {
      error: (issue) => `unknown contract ${JSON.stringify(issue.input)}; see the list below`,
    })
    .optional(),
  ...formatSchema,
  "max-bytes": z.coerce
    .number({ error: "must be a whole number of bytes" })
    .int({ error: "must be a whole number of bytes" })
    .positive({ error: "must be a whole number of bytes above 0" })
    .optional(),
  help: z.boolean().optional(),
});

export async function validateCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommand(
    argv,
    {
      contract: { type: "string" },
      ...formatOptions,
      "max-bytes": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    flags,
  );
  if (values.help) {
    io.stdout(validateUsage);
    return ExitCode.ok;
  }
  if (positionals.length === 0)
    throw new UsageError("validate needs at least one FILE (or - for standard input)");
  const options = {
    ...(values.contract ? { contract: values.contract } : {}),
    ...(values["max-bytes"] ? { maxBytes: values["max-bytes"] } : {}),
  };

  const started = performance.now();
  const results: FileResult[] = [];
  for (const file of await expandInputs(positionals)) {
    if (file === "-") {
      results.push({ file: "-", ...validateDocument(await io.readStdin(), options) });
    } else {
      results.push(await validateFile(file, options));
    }
  }

  const format = formatOf(values);
  if (isReportFormat(format)) {
    const check = validationCheck(results, performance.now() - started);
    printReport(io, format, { command: "wsops validate", version: version(), checks: [check] });
  } else if (format === "json") {
    const json = results.map(({ file, contract, valid, errors }) => ({
      file,
      contract,
      valid,
      errors: errors.map(({ pointer, keyword, message, line, column }) => ({
        pointer,
        keyword,
        message,
        line,
        column,
      })),
    }));
    io.stdout(`${JSON.stringify({ results: json }, null, 2)}\n`);
  } else {
    for (const r of results) {
      if (r.valid) {
        io.stdout(`ok       ${r.file} (${r.contract})\n`);
        continue;
      }
      io.stdout(`invalid  ${r.file}${r.contract ? ` (${r.contract})` : ""}\n`);
      for (const e of r.errors) {
        io.stdout(`  ${r.file}:${e.line}:${e.column}  ${e.pointer || "/"}  ${e.message} [${e.keyword}]\n`);
      }
    }
    const invalid = results.filter((r) => !r.valid).length;
    io.stdout(`${results.length} file(s): ${results.length - invalid} valid, ${invalid} invalid\n`);
  }
  if (results.some((r) => r.unreadable)) return ExitCode.usage;
  return results.every((r) => r.valid) ? ExitCode.ok : ExitCode.problems;
}
