// --json and --format for the commands CI reads: one report, printed as JSON, JUnit XML, SARIF 2.1.0 or
// GitHub workflow annotations; "text" is each command's own output for a person.
import { type Report, type RuleCatalog, toGithub, toJUnit, toSarif } from "@workspace-ops/conformance/report";
import { z } from "zod";
import type { Io } from "./io.js";

export const formats = ["text", "json", "junit", "sarif", "github"] as const;
export type Format = (typeof formats)[number];

export const formatOptions = {
  json: { type: "boolean" },
  format: { type: "string" },
} as const;

export const formatSchema = {
  json: z.boolean().optional(),
  format: z.enum(formats, { error: `must be one of ${formats.join(", ")}` }).optional(),
};

export const formatHelp = `  --json              print the result as JSON (the same as --format json)
  --format FORMAT     text (default), json, junit (JUnit XML), sarif (SARIF 2.1.0) or github
                      (GitHub Actions annotations with file and line)`;

/** --format wins; --json means json; else text. */
export const formatOf = (values: { json?: boolean | undefined; format?: Format | undefined }): Format =>
  values.format ?? (values.json ? "json" : "text");

export type ReportFormat = Exclude<Format, "text" | "json">;

/** True for the formats printed from the report (text and json are each command's own). */
export const isReportFormat = (format: Format): format is ReportFormat =>
  format !== "text" && format !== "json";

export function printReport(io: Io, format: ReportFormat, report: Report, rules: RuleCatalog = {}): void {
  if (format === "junit") io.stdout(toJUnit(report));
  else if (format === "sarif") io.stdout(`${JSON.stringify(toSarif(report, rules), null, 2)}\n`);
  else io.stdout(toGithub(report));
}
