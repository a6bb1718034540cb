// Commands a repository's configuration adds to the checks (codegen drift, linters): argv, no shell;
// exit 0 passes, anything else fails with the end of its output.
import { spawn } from "node:child_process";
import type { CheckResult } from "../report/index.js";

const tail = (text: string, lines = 30) => text.trimEnd().split("\n").slice(-lines).join("\n");

export function commandCheck(
  command: { name: string; title?: string | undefined; argv: string[] },
  root: string,
): Promise<CheckResult> {
  const started = performance.now();
  return new Promise((done) => {
    const [file, ...args] = command.argv as [string, ...string[]];
    const output: Buffer[] = [];
    const child = spawn(file, args, { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.on("data", (b: Buffer) => output.push(b));
    child.stderr.on("data", (b: Buffer) => output.push(b));
    const finish = (status: CheckResult["status"], summary: string, message?: string) =>
      done({
        id: `command:${command.name}`,
        title: command.title ?? command.name,
        status,
        summary,
        durationMs: performance.now() - started,
        cases: [
          {
            name: command.argv.join(" "),
            findings: message
              ? [{ ruleId: `command-failed`, level: "error", message, properties: { command: command.name } }]
              : [],
          },
        ],
      });
    child.on("error", (error) => finish("error", `cannot run ${file}: ${error.message}`));
    child.on("close", (code, signal) => {
      const text = Buffer.concat(output).toString("utf8");
      if (code === 0) finish("passed", `${command.argv.join(" ")}: ok`);
      else
        finish(
          "failed",
          `${command.argv.join(" ")} exited with ${code ?? signal}`,
          `${command.argv.join(" ")} exited with ${code ?? signal}:\n${tail(text)}`,
        );
    });
  });
}
