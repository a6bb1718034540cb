// wsops in a child process without blocking this one, so that receivers running in this process can
// answer it while it runs.
import { execFile } from "node:child_process";
import { cliEnv, repoRoot, wsops } from "../cli/run-cli.js";

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

/** The lifecycle events the store holds for a call (`wsops logs ID --json`), in order. */
export const storedEvents = (workspace: string, id: string) =>
  wsops(["logs", id, "--json", "--workspace", workspace])
    .stdout.trim()
    .split("\n")
    .map((line) => JSON.parse(line) as { type: string; data: Record<string, unknown> })
    .filter((record) => record.type === "event")
    .map((record) => record.data);

/** `wsops exec` in `workspace` with the process sandbox, and `args` after that. */
export const execIn = (workspace: string, args: string[], env?: NodeJS.ProcessEnv) =>
  wsopsAsync(["exec", "--workspace", workspace, "--sandbox", "process", ...args], {
    cwd: workspace,
    ...(env ? { env } : {}),
  });
