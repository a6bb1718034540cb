// GitHub Actions workflow commands: one annotation per counted finding, with its file and line.
import { counted, findingsOf, type Report } from "./model.js";

// The escaping of @actions/core's issueCommand: data escapes % CR LF; property values also : and ,.
const escapeData = (s: string) => s.replaceAll("%", "%25").replaceAll("\r", "%0D").replaceAll("\n", "%0A");
const escapeProperty = (s: string) => escapeData(s).replaceAll(":", "%3A").replaceAll(",", "%2C");

const commandOf = { error: "error", warning: "warning", note: "notice" } as const;

export function toGithub(report: Report): string {
  const lines: string[] = [];
  for (const f of findingsOf(report).filter(counted)) {
    const props = [
      ...(f.file ? [`file=${escapeProperty(f.file)}`] : []),
      ...(f.file && f.line ? [`line=${f.line}`] : []),
      ...(f.file && f.line && f.column ? [`col=${f.column}`] : []),
      `title=${escapeProperty(`wsops ${f.ruleId}`)}`,
    ];
    lines.push(`::${commandOf[f.level]} ${props.join(",")}::${escapeData(f.message)}`);
  }
  for (const c of report.checks.filter((x) => x.status === "error"))
    lines.push(
      `::error title=${escapeProperty(`wsops ${c.id}`)}::${escapeData(`${c.title} could not run: ${c.summary}`)}`,
    );
  return lines.length ? `${lines.join("\n")}\n` : "";
}
