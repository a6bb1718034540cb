// Starts test workers as real `node` processes that run TypeScript sources directly (through
// register-ts.mjs), so the tests never depend on — or silently run a stale — dist/ build.
import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";

// From src/testing and from dist/testing alike, this names src/testing/register-ts.mjs.
const register = fileURLToPath(new URL("../../src/testing/register-ts.mjs", import.meta.url));

export interface WorkerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface Worker {
  child: ChildProcess;
  ready: Promise<void>;
  exited: Promise<WorkerExit>;
  go(): void;
  /** Complete lines printed so far (a line still arriving is left out). */
  lines(): string[];
}

/** Fork `script` with args; `ready` resolves once it sends "ready" over IPC. */
export function startWorker(script: string, args: string[]): Worker {
  const child = fork(script, args, {
    execArgv: ["--import", register],
    stdio: ["ignore", "pipe", "pipe", "ipc"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
  });
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<WorkerExit>((resolve) => {
    child.on("exit", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  const ready = new Promise<void>((resolve, reject) => {
    child.once("message", (message) =>
      message === "ready" ? resolve() : reject(new Error(String(message))),
    );
    exited.then((exit) => reject(new Error(`worker exited before it was ready: ${JSON.stringify(exit)}`)));
  });
  ready.catch(() => undefined); // the caller awaits it; an early exit must not be an unhandled rejection
  return {
    child,
    ready,
    exited,
    go: () => child.send("go"),
    lines: () => stdout.split("\n").slice(0, -1),
  };
}

/**
 * Starts `count` workers, waits until every one is ready, releases them at the same moment (so their
 * commits really contend), and resolves with how each exited.
 */
export async function runTogether(script: string, args: string[], count: number): Promise<WorkerExit[]> {
  const workers = Array.from({ length: count }, () => startWorker(script, args));
  await Promise.all(workers.map((w) => w.ready));
  for (const w of workers) w.go();
  return Promise.all(workers.map((w) => w.exited));
}
