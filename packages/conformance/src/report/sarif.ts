// SARIF 2.1.0: one run, a rule per finding id, a result per finding, with its file and line when it
// has one. Validated against the official schema in test/ci/sarif.test.ts.
import { findingsOf, type Level, type Report, type RuleCatalog } from "./model.js";

export const sarifSchemaUri = "https://json.schemastore.org/sarif-2.1.0.json";

/** A repository-relative path as a URI reference: forward slashes, each segment percent-encoded. */
const uriOf = (file: string) => file.split(/[\\/]/).map(encodeURIComponent).join("/");

export function toSarif(report: Report, rules: RuleCatalog = {}): object {
  const findings = findingsOf(report);
  const ids = [...new Set(findings.map((f) => f.ruleId))].sort();
  const index = new Map(ids.map((id, i) => [id, i]));
  const results = findings.map((f) => ({
    ruleId: f.ruleId,
    ruleIndex: index.get(f.ruleId) as number,
    level: f.level satisfies Level,
    message: { text: f.message },
    ...(f.file
      ? {
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: uriOf(f.file), uriBaseId: "%SRCROOT%" },
                ...(f.line
                  ? { region: { startLine: f.line, ...(f.column ? { startColumn: f.column } : {}) } }
                  : {}),
              },
            },
          ],
        }
      : {}),
    ...(f.ignored ? { suppressions: [{ kind: "external", justification: f.ignored.reason }] } : {}),
    ...(f.properties ? { properties: f.properties } : {}),
  }));
  return {
    $schema: sarifSchemaUri,
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "wsops",
            version: report.version,
            informationUri: "https://workspace-ops.dev",
            rules: ids.map((id) => ({
              id,
              shortDescription: { text: rules[id]?.summary ?? id },
            })),
          },
        },
        invocations: [
          {
            commandLine: report.command,
            executionSuccessful: !report.checks.some((c) => c.status === "error"),
          },
        ],
        results,
      },
    ],
  };
}
