// The container-runtime adapter for agent_machine.container.run: podman or docker when one of them
// can really run containers here; otherwise the operation ends `unavailable`, and says why.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import type { ContainerExecutionRecord } from "@workspace-ops/contracts";

export interface ContainerRuntime {
  command: "podman" | "docker";
  version: string;
}

/** The first runtime whose engine answers `info`; a docker CLI without a daemon does not count. */
export function detectContainerRuntime():
  | { ok: true; runtime: ContainerRuntime }
  | { ok: false; message: string } {
  const tried: string[] = [];
  for (const command of ["podman", "docker"] as const) {
    const info = spawnSync(command, ["info", "--format", "{{.ServerVersion}}"], {
      encoding: "utf8",
      timeout: 10_000,
    });
    if (info.error) {
      tried.push(`${command}: not installed`);
      continue;
    }
    if (info.status === 0 && info.stdout.trim())
      return { ok: true, runtime: { command, version: info.stdout.trim() } };
    tried.push(`${command}: ${(info.stderr || info.stdout).trim().split("\n")[0] ?? "no engine"}`);
  }
  return { ok: false, message: `no container runtime can run containers here (${tried.join("; ")})` };
}

/** The argv that runs the record's container: no privileges, the record's network, mounts from the workspace. */
export function containerArgv(
  runtime: ContainerRuntime,
  record: ContainerExecutionRecord,
  workspaceRoot: string,
): string[] {
  const argv = [
    runtime.command,
    "run",
    "--rm",
    "--network",
    record.network === "host" ? "none" : record.network,
  ];
  for (const m of record.mounts)
    argv.push("--volume", `${join(workspaceRoot, m.source)}:${m.target}${m.readOnly ? ":ro" : ""}`);
  if (record.resources.cpus !== undefined) argv.push("--cpus", String(record.resources.cpus));
  if (record.resources.memoryMb !== undefined) argv.push("--memory", `${record.resources.memoryMb}m`);
  if (record.resources.pidsLimit !== undefined) argv.push("--pids-limit", String(record.resources.pidsLimit));
  if (record.workdir) argv.push("--workdir", record.workdir);
  argv.push(record.image, ...record.argv);
  return argv;
}
