// A warm hook server (`wsops hook … --server`); its client: ./client.ts. A hook is a new process for every tool call, and a
// cold process spends most of its time loading the executor, the validators, the policy runtime and
// the shell parser. With --server the hook process only forwards its input over a Unix socket to a
// server that keeps all of them loaded (and each workspace's store open), and prints the answer. The
// server is started by the first hook that finds none, answers one hook at a time, and exits after
// it has been idle. When no server answers, the hook decides in its own process, as without
// --server: the server is a cache, never a condition of deciding.
import { chmodSync, mkdirSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { dirname } from "node:path";
import type { Executor } from "@workspace-ops/executor";
import { askServer, type HookRequest } from "./client.js";
import { type HookOptions, type HookResult, runHook } from "./run-hook.js";

export interface ServeOptions {
  socketPath: string;
  /** The hook's options, without the per-call environment: `open` is called once per workspace. */
  hook: Omit<HookOptions, "env" | "release">;
  /** Exits after this long without a hook (default 10 minutes). */
  idleMs?: number;
  /** The policy bundle in use: when its manifest changes, the executors are opened anew. */
  bundleManifest?: string;
}

/** Serves hooks until idle; resolves when it stopped. Refuses to start when a server already answers. */
export async function serveHooks(options: ServeOptions): Promise<void> {
  const { socketPath } = options;
  mkdirSync(dirname(socketPath), { recursive: true, mode: 0o700 });
  if (await askServer(socketPath, { stdin: "", env: {}, probe: true }, 2000)) return;
  try {
    unlinkSync(socketPath); // a socket left by a server that died
  } catch {
    // none
  }
  const executors = new Map<string, Promise<Executor>>();
  let bundleStamp = stampOf(options.bundleManifest);
  const closeAll = async () => {
    const open = [...executors.values()];
    executors.clear();
    for (const executor of open) await (await executor.catch(() => null))?.close();
  };
  const hook: HookOptions = {
    ...options.hook,
    open: (root) => {
      let executor = executors.get(root);
      if (!executor) {
        executor = options.hook.open(root);
        executors.set(root, executor);
        // A workspace whose state cannot be opened is tried again by the next hook.
        executor.catch(() => executors.delete(root));
      }
      return executor;
    },
    release: async () => {},
  };
  // One hook at a time: each is a short decision, and the order of a session's calls is kept.
  let queue = Promise.resolve();
  let served = 0;
  let idle: NodeJS.Timeout | undefined;
  // allowHalfOpen: the hook ends its side once it has sent its input, and still reads the answer.
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    let input = "";
    socket.on("data", (chunk) => {
      input += chunk;
    });
    socket.on("error", () => {});
    socket.on("end", () => {
      queue = queue.then(async () => {
        armIdle();
        let result: HookResult;
        try {
          const request = JSON.parse(input) as HookRequest;
          if (request.probe === true) result = { exitCode: 0, stdout: `served ${served}\n`, stderr: "" };
          else {
            const stamp = stampOf(options.bundleManifest);
            if (stamp !== bundleStamp) {
              bundleStamp = stamp;
              await closeAll();
            }
            result = await runHook(request.stdin, { ...hook, env: request.env });
            served++;
          }
        } catch (error) {
          result = { exitCode: 2, stdout: "", stderr: `wsops hook server: ${(error as Error).message}\n` };
        }
        socket.end(JSON.stringify(result));
      });
    });
  });
  const stopped = new Promise<void>((resolve) => server.on("close", () => resolve()));
  const armIdle = () => {
    clearTimeout(idle);
    idle = setTimeout(() => server.close(), options.idleMs ?? 600_000);
  };
  // Only its user may connect: the socket is 0600 in a 0700 directory.
  const mask = process.umask(0o177);
  const listening = await new Promise<boolean>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      // Another server started at the same moment took the socket: it serves.
      error.code === "EADDRINUSE" ? resolve(false) : reject(error),
    );
    server.listen(socketPath, () => resolve(true));
  }).finally(() => process.umask(mask));
  if (!listening) return;
  chmodSync(socketPath, 0o600);
  // Who serves, for a person (or a test) who wants to stop it: kill $(cat SOCKET.pid).
  writeFileSync(`${socketPath}.pid`, `${process.pid}\n`, { mode: 0o600 });
  armIdle();
  await stopped;
  await queue;
  await closeAll();
  try {
    unlinkSync(`${socketPath}.pid`);
  } catch {
    // already gone
  }
}

function stampOf(file: string | undefined): string {
  if (!file) return "";
  try {
    const info = statSync(file);
    return `${info.mtimeMs}:${info.size}`;
  } catch {
    return "missing";
  }
}
