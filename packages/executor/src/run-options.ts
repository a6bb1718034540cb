// How the executor runs a command in each mode: governed under the decision's obligations (sandbox,
// network, paths, limits); observe and disabled as the command would run locally (process backend,
// no limits of the policy's) — but never with the whole parent environment, which in an agent
// runtime holds that runtime's own credentials.
import type { ToolExecutionDecision } from "@workspace-ops/contracts";
import type { ExecutorContext } from "./context.js";
import { readGovernance } from "./governance.js";
import type { RunSpec } from "./sandbox/index.js";
import { stateRoot } from "./state-dir.js";

/**
 * What reaches a command when no decision names an allowlist and no profile does: the default of the
 * policy library's data (workspace_ops.config.obligations.envAllowlist), repeated here because the
 * executor cannot read policies/ at run time.
 */
export const DEFAULT_ENV_ALLOWLIST: readonly string[] = ["PATH", "HOME", "LANG", "TERM"];

/** Limits when nothing governs the call: a day, a mebibyte of each stream. */
const UNGOVERNED = { timeoutSeconds: 24 * 3600, maxOutputBytes: 1024 * 1024 };

export type RunOptions = Pick<
  RunSpec,
  | "envAllowlist"
  | "maxOutputBytes"
  | "backend"
  | "requireSandbox"
  | "network"
  | "allowlist"
  | "filesystem"
  | "paths"
  | "protectedPaths"
> & { timeoutSeconds: number };

/**
 * The sandbox options for one command. `decision` is the call's decision when one was made (observe
 * mode records it without enforcing it); `profileId` the profile the request named, if any.
 */
export async function runOptions(
  ctx: ExecutorContext,
  decision: ToolExecutionDecision | undefined,
  profileId?: string,
): Promise<RunOptions> {
  const o = decision?.obligations;
  if (ctx.mode !== "governed")
    return {
      envAllowlist: o?.envAllowlist ??
        (await profileEnvAllowlist(ctx, profileId)) ?? [...DEFAULT_ENV_ALLOWLIST],
      ...UNGOVERNED,
      backend: "process",
      requireSandbox: false,
    };
  const sandbox = o?.sandbox;
  const paths = {
    ...(sandbox?.denyRead ? { denyRead: sandbox.denyRead } : {}),
    ...(sandbox?.allowRead ? { allowRead: sandbox.allowRead } : {}),
    ...(sandbox?.allowWrite ? { allowWrite: sandbox.allowWrite } : {}),
  };
  return {
    envAllowlist: o?.envAllowlist ?? [],
    timeoutSeconds: o?.timeoutSeconds ?? UNGOVERNED.timeoutSeconds,
    maxOutputBytes: o?.maxOutputBytes ?? UNGOVERNED.maxOutputBytes,
    backend: sandbox?.backend ?? ctx.sandbox.backend,
    requireSandbox: ctx.sandbox.required,
    ...(sandbox?.network ? { network: sandbox.network } : {}),
    // A decision from before allowlist carried ports names hosts only: the web's ports then.
    ...(sandbox?.network === "allowlist"
      ? { allowlist: sandbox.allowlist ?? sandbox.allowedHosts ?? [] }
      : {}),
    ...(sandbox?.filesystem ? { filesystem: sandbox.filesystem } : {}),
    paths,
    // This workspace's state and every other workspace's: no command may see the audit trail.
    protectedPaths: [ctx.stateDir, stateRoot()],
  };
}

/** The envAllowlist of the profile the request names, else of the workspace's active profile. */
async function profileEnvAllowlist(ctx: ExecutorContext, profileId: string | undefined) {
  const governance = await readGovernance(ctx.store);
  return governance.profiles.get(profileId ?? governance.activeProfileId ?? "")?.envAllowlist;
}
