import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defaultStateDir } from "@workspace-ops/executor";

export const repoRoot = new URL("../../", import.meta.url).pathname;
const bin = new URL("../../packages/cli/bin/wsops.js", import.meta.url).pathname;

/**
 * The environment of every wsops these tests start: state directories go to a scratch state home,
 * never to the real ~/.local/state.
 */
export const cliEnv = {
  ...process.env,
  WSOPS_DEBUG: "",
  WSOPS_STATE_DIR: "",
  XDG_STATE_HOME: mkdtempSync(join(tmpdir(), "wsops-state-home-")),
};

/** Where wsops keeps the state of `workspace` when it runs with cliEnv. */
export const stateDirOf = (workspace: string) => defaultStateDir(workspace, cliEnv);

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
    // A caller's own environment replaces process.env whole (it may drop names); state still goes to the scratch home.
    env: options.env
      ? { ...options.env, WSOPS_DEBUG: "", WSOPS_STATE_DIR: "", XDG_STATE_HOME: cliEnv.XDG_STATE_HOME }
      : cliEnv,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}
