// wsops usage: each persona's model spend in the current one-minute window against each of its
// budgets — recorded usage, plus what calls in flight hold. Opens only the store.
import { openStore, type UsageReport, usageReport } from "@workspace-ops/executor";
import { z } from "zod";
import { parseCommand } from "../args.js";
import { ExitCode } from "../exit-codes.js";
import { type Io, UsageError } from "../io.js";
import { storeHelp, storeOptions, storeSchema, storeSelectionOf } from "./executor-shared.js";

export const usageUsage = `Usage: wsops usage [--persona NAME] [options]

Model spend in the last minute against each per-minute budget of each persona with a binding (or of
--persona): the binding's budget over all of the persona's usage, and each fallback entry's own budget
over its usage. "used" is recorded usage; "held" is what calls in flight have reserved.

Options:
  --persona NAME       only this persona
  --workspace DIR      the workspace root (default: the current directory)
${storeHelp}
  --json               print the report as JSON

Exit codes: 0 shown; 1 --persona has no binding; 69 the store cannot be opened; 2 usage error.
`;

const usd = (micro: number) => (micro / 1_000_000).toFixed(6).replace(/0{1,4}$/, "");

export function formatUsage(report: UsageReport): string {
  if (report.personas.length === 0) return "no persona has a model provider binding\n";
  const lines: string[] = [];
  for (const p of report.personas) {
    if (!p.bindingId) {
      lines.push(`persona ${p.persona}: no model provider binding`);
      continue;
    }
    lines.push(
      `persona ${p.persona} (binding ${p.bindingId}), the ${report.windowSeconds} s before ${report.at}:`,
    );
    const rows = [
      ["budget", "tokens used+held/limit", "cost USD used+held/limit", "requests used+held/limit"],
      ...p.budgets.map((b) => [
        b.scope,
        `${b.tokens.used}+${b.tokens.reserved}/${b.tokens.limit}`,
        `${usd(b.costMicroUsd.used)}+${usd(b.costMicroUsd.reserved)}/${usd(b.costMicroUsd.limit)}`,
        `${b.requests.used}+${b.requests.reserved}/${b.requests.limit}`,
      ]),
    ];
    const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length))) ?? [];
    for (const row of rows)
      lines.push(
        `  ${row
          .map((cell, i) => cell.padEnd(widths[i] ?? 0))
          .join("  ")
          .trimEnd()}`,
      );
  }
  return `${lines.join("\n")}\n`;
}

export async function usageCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommand(
    argv,
    { ...storeOptions, persona: { type: "string" } },
    z.object({
      ...storeSchema,
      persona: z
        .string()
        .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, { error: "must be an identifier" })
        .optional(),
    }),
  );
  if (positionals.length) throw new UsageError(`unexpected argument ${positionals[0]}`);
  const store = await openStore(storeSelectionOf(values));
  let report: UsageReport;
  try {
    report = await usageReport(store, values.persona ? { persona: values.persona } : {});
  } finally {
    await store.close();
  }
  io.stdout(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatUsage(report));
  return report.personas.some((p) => p.bindingId === null) ? ExitCode.problems : ExitCode.ok;
}
