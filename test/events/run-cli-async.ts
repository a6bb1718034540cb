// wsops in a child process without blocking this one, so that receivers running in this process can
// answer it while it runs.
import { execFile } from "node:child_process";
import { cliEnv, repoRoot } from "../cli/run-cli.js";

const bin = new URL("../../packages/cli/bin/wsops.js", import.meta.url).pathname;

export function wsopsAsync(
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [bin, ...args],
      {
        cwd: options.cwd ?? repoRoot,
        encoding: "utf8",
        maxBuffer: 64 * 1024 * 1024,
        env: { ...cliEnv, ...options.env },
      },
      (error, stdout, stderr) =>
        done({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}
