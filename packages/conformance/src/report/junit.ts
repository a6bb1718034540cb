// JUnit XML: a testsuite per check, a testcase per case; error findings are failures.
import { counted, type Report } from "./model.js";

// XML 1.0 allows tab, newline, carriage return and everything from U+0020 on (minus surrogates and FFFE/FFFF).
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are exactly the characters XML cannot carry.
const notXml = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;

export function escapeXml(text: string): string {
  return text
    .replace(notXml, "\ufffd")
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&apos;");
}

const seconds = (ms: number) => (ms / 1000).toFixed(3);

export function toJUnit(report: Report): string {
  const attr = (name: string, value: string | number) => ` ${name}="${escapeXml(String(value))}"`;
  const suites: string[] = [];
  let tests = 0;
  let failures = 0;
  let errors = 0;
  let skipped = 0;
  let time = 0;
  for (const check of report.checks) {
    const cases = check.cases.length
      ? check.cases
      : [
          {
            name: check.title,
            findings: [],
            ...(check.status === "skipped" ? { skipped: check.summary } : {}),
          },
        ];
    const lines: string[] = [];
    let suiteFailures = 0;
    let suiteSkipped = 0;
    for (const c of cases) {
      const failing = c.findings.filter((f) => counted(f) && f.level === "error");
      lines.push(
        `    <testcase${attr("classname", check.id)}${attr("name", c.name)}${c.file ? attr("file", c.file) : ""}${attr("time", "0")}>`,
      );
      if (c.skipped !== undefined) {
        suiteSkipped++;
        lines.push(`      <skipped${attr("message", c.skipped)}/>`);
      } else if (failing.length) {
        suiteFailures++;
        const text = failing
          .map(
            (f) =>
              `${f.file ? `${f.file}${f.line ? `:${f.line}${f.column ? `:${f.column}` : ""}` : ""}: ` : ""}${f.message} [${f.ruleId}]`,
          )
          .join("\n");
        lines.push(
          `      <failure${attr("message", failing[0]?.message ?? "")}${attr("type", failing[0]?.ruleId ?? "")}>${escapeXml(text)}</failure>`,
        );
      }
      lines.push("    </testcase>");
    }
    const suiteErrors = check.status === "error" ? 1 : 0;
    if (check.status === "error")
      lines.push(
        `    <testcase${attr("classname", check.id)}${attr("name", `${check.title} could not run`)}${attr("time", "0")}>\n      <error${attr("message", check.summary)}/>\n    </testcase>`,
      );
    tests += cases.length + suiteErrors;
    failures += suiteFailures;
    errors += suiteErrors;
    skipped += suiteSkipped;
    time += check.durationMs;
    suites.push(
      `  <testsuite${attr("name", check.title)}${attr("tests", cases.length + suiteErrors)}${attr("failures", suiteFailures)}${attr("errors", suiteErrors)}${attr("skipped", suiteSkipped)}${attr("time", seconds(check.durationMs))}>\n${lines.join("\n")}\n  </testsuite>`,
    );
  }
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attr("name", report.command)}${attr("tests", tests)}${attr("failures", failures)}${attr("errors", errors)}${attr("skipped", skipped)}${attr("time", seconds(time))}>`,
    ...suites,
    "</testsuites>",
    "",
  ].join("\n");
}
