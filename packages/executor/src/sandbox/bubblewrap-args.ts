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

/** Where the proxy sockets appear inside an allowlist sandbox (its /tmp is its own, empty tmpfs). */
export const SANDBOX_PROXY_DIR = "/tmp/.wsops-proxy";
/**
 * Where the bridge (its script and the node that runs it) appears inside an allowlist sandbox. Bound
 * at a fixed place of the sandbox's own /tmp because their real paths may be hidden in there: an
 * executor installed under /tmp sits under the sandbox's empty /tmp, one under a hidden path under an
 * empty mount.
 */
export const SANDBOX_BRIDGE_DIR = "/tmp/.wsops-bridge";
/** The loopback ports the bridge listens on inside the sandbox's own network namespace. */
export const BRIDGE_PORTS = { http: 3128, socks: 1080 } as const;

export interface BubblewrapRun {
  /** Real path of the working directory (inside the workspace). */
  cwd: string;
  /** Filesystem options after the isolation: hidden paths, the workspace and other binds (mountArgs). */
  mounts: readonly string[];
  env: Record<string, string>;
  command: readonly string[];
  /** An allowlist run: the command starts under the bridge to the proxy sockets in `socketDir`. */
  bridge?: { socketDir: string; node: string; script: string };
}

/** bwrap's argv (without bwrap itself) for one run. */
export function bubblewrapArgs(run: BubblewrapRun): string[] {
  // The mounts come after --tmpfs /tmp so a workspace under /tmp stays visible.
  const args = [...ISOLATION_ARGS, ...run.mounts];
  if (run.bridge)
    args.push(
      "--ro-bind",
      run.bridge.socketDir,
      SANDBOX_PROXY_DIR,
      "--ro-bind",
      run.bridge.node,
      `${SANDBOX_BRIDGE_DIR}/node`,
      "--ro-bind",
      run.bridge.script,
      `${SANDBOX_BRIDGE_DIR}/bridge.mjs`,
    );
  args.push("--chdir", run.cwd, "--clearenv");
  for (const [name, value] of Object.entries(run.env)) args.push("--setenv", name, value);
  // "--" so an argv[0] beginning with "-" is the command, not a bwrap option.
  args.push("--");
  if (run.bridge)
    args.push(
      `${SANDBOX_BRIDGE_DIR}/node`,
      `${SANDBOX_BRIDGE_DIR}/bridge.mjs`,
      `${SANDBOX_PROXY_DIR}/http.sock`,
      String(BRIDGE_PORTS.http),
      `${SANDBOX_PROXY_DIR}/socks.sock`,
      String(BRIDGE_PORTS.socks),
      "--",
    );
  args.push(...run.command);
  return args;
}

/** The variables that point clients at the bridge; every spelling common tools read. */
export function proxyEnvironment(): Record<string, string> {
  const http = `http://127.0.0.1:${BRIDGE_PORTS.http}`;
  const socks = `socks5h://127.0.0.1:${BRIDGE_PORTS.socks}`;
  return {
    HTTP_PROXY: http,
    HTTPS_PROXY: http,
    http_proxy: http,
    https_proxy: http,
    ALL_PROXY: socks,
    all_proxy: socks,
    // Nothing bypasses the proxy: without it there is no network at all.
    NO_PROXY: "",
    no_proxy: "",
  };
}
