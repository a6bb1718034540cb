/**
 * The isolation every bubblewrap run gets; the availability probe uses exactly these, so "available"
 * means "this sandbox can be built here", not merely "bwrap exists".
 * - read-only host root, fresh /dev, /proc (of the new PID namespace) and an empty tmpfs /tmp;
 * - private network (only `lo`), PID, IPC and UTS namespaces;
 * - --die-with-parent: if the executor dies, so does the sandbox;
 * - --cap-drop ALL: run as root, bwrap would otherwise pass on every capability, and
 *   CAP_SYS_ADMIN can remount the root writable.
 * No --new-session: the executor already starts bwrap in a new session without a controlling
 * terminal (detached), and keeping the command in bwrap's process group lets a timeout's SIGTERM reach it.
 */
// biome-ignore format: one flag (and its values) per line
export const ISOLATION_ARGS: readonly string[] = [
  "--ro-bind", "/", "/",
  "--dev", "/dev",
  "--proc", "/proc",
  "--tmpfs", "/tmp",
  "--unshare-net",
  "--unshare-pid",
  "--unshare-ipc",
  "--unshare-uts",
  "--die-with-parent",
  "--cap-drop", "ALL",
];

export interface BubblewrapRun {
  /** Real path of the workspace, bound at the same path inside. */
  root: string;
  /** Real path of the working directory (inside `root`). */
  cwd: string;
  filesystem: "workspace-write" | "read-only";
  env: Record<string, string>;
  command: readonly string[];
}

/** bwrap's argv (without bwrap itself) for one run. */
export function bubblewrapArgs(run: BubblewrapRun): string[] {
  const bind = run.filesystem === "read-only" ? "--ro-bind" : "--bind";
  // The workspace is bound after --tmpfs /tmp so a workspace under /tmp stays visible.
  const args = [...ISOLATION_ARGS, bind, run.root, run.root, "--chdir", run.cwd, "--clearenv"];
  for (const [name, value] of Object.entries(run.env)) args.push("--setenv", name, value);
  // "--" so an argv[0] beginning with "-" is the command, not a bwrap option.
  args.push("--", ...run.command);
  return args;
}
