// Starts test workers as real `node` processes that run the TypeScript sources directly (through
// register-ts.mjs), so the tests never depend on — or silently run a stale — dist/ build.
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";

const register = fileURLToPath(new URL("./register-ts.mjs", import.meta.url));

/** Fork `script` with args; resolves once it sends "ready" over IPC. */
export function startWorker(script, args) {
  const child = fork(script, args, {
    execArgv: ["--import", register],
    stdio: ["ignore", "pipe", "pipe", "ipc"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk) => {
    stdout += chunk;
  });
  child.stderr.setEncoding("utf8").on("data", (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise((resolve) => {
    child.on("exit", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  const ready = new Promise((resolve, reject) => {
    child.once("message", (message) =>
      message === "ready" ? resolve() : reject(new Error(String(message))),
    );
    exited.then((exit) => reject(new Error(`worker exited before it was ready: ${JSON.stringify(exit)}`)));
  });
  return {
    child,
    ready,
    exited,
    go: () => child.send("go"),
    /** Complete lines printed so far (a line still arriving is left out). */
    lines: () => stdout.split("\n").slice(0, -1),
  };
}

/**
 * Starts `count` workers, waits until every one is ready, releases them at the same moment (so their
 * appends really contend), and resolves with how each exited.
 * @param {string} script @param {string[]} args @param {number} count
 */
export async function runTogether(script, args, count) {
  const workers = Array.from({ length: count }, () => startWorker(script, args));
  await Promise.all(workers.map((w) => w.ready));
  for (const w of workers) w.go();
  return Promise.all(workers.map((w) => w.exited));
}
