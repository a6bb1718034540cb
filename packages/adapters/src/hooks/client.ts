// The hook's side of a warm hook server (`wsops hook … --server`): find the server for these flags,
// send it the hook's input, print its answer — or learn that none answers. Nothing heavy is imported
// here: this is all a hook process loads when a server answers. The server: ./server.ts.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { connect, type Socket } from "node:net";

/** What a hook prints and exits with (as runHook returns it). */
export interface HookReply {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** What a hook sends: its standard input and the environment the runtime gave it. */
export interface HookRequest {
  stdin: string;
  env: Record<string, string | undefined>;
  /** Only asks whether the server is there (it answers exit 0, nothing more). */
  probe?: boolean;
}

// Unix socket paths are limited to 107 bytes (sun_path).
const MAX_SOCKET_PATH = 107;

/**
 * Where the server for these flags listens: one per user (in the state root, 0700), per set of
 * flags, per build of wsops (a rebuilt wsops starts a new server; the old one idles out).
 */
export function socketPathOf(stateRoot: string, key: readonly string[], build: string): string | null {
  const digest = createHash("sha256").update(JSON.stringify({ key, build })).digest("hex").slice(0, 20);
  const path = `${stateRoot}/hooks/${digest}.sock`;
  return path.length <= MAX_SOCKET_PATH ? path : null;
}

/** The answer of a running server, or null when none answers (then the caller decides itself). */
export function askServer(
  socketPath: string,
  request: HookRequest,
  timeoutMs = 60_000,
): Promise<HookReply | null> {
  return new Promise((resolve) => {
    let reply = "";
    let settled = false;
    const done = (result: HookReply | null) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve(result);
    };
    const socket: Socket = connect(socketPath);
    socket.setTimeout(timeoutMs, () => done(null));
    socket.on("error", () => done(null));
    socket.on("connect", () => socket.end(`${JSON.stringify(request)}\n`));
    socket.on("data", (chunk) => {
      reply += chunk;
    });
    socket.on("end", () => {
      try {
        const parsed = JSON.parse(reply) as HookReply;
        done(typeof parsed.exitCode === "number" ? parsed : null);
      } catch {
        done(null);
      }
    });
  });
}

/** Starts a server in the background (detached, its output discarded) with the given command line. */
export function startServer(argv: readonly string[]): void {
  try {
    spawn(process.execPath, [...argv], { detached: true, stdio: "ignore" }).unref();
  } catch {
    // The next hook tries again; this one decides in its own process.
  }
}
