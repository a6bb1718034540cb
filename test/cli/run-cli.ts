import { spawnSync } from "node:child_process";

export const repoRoot = new URL("../../", import.meta.url).pathname;
const bin = new URL("../../packages/cli/bin/wsops.js", import.meta.url).pathname;

/** Runs the real wsops binary in a child process. */
export function wsops(
  args: string[],
  options: { input?: string; cwd?: string; env?: NodeJS.ProcessEnv } = {},
) {
  const result = spawnSync(process.execPath, [bin, ...args], {
    cwd: options.cwd ?? repoRoot,
    input: options.input ?? "",
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
    env: { ...(options.env ?? process.env), WSOPS_DEBUG: "" },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}
