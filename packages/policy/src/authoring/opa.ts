// Finding and running the pinned OPA binary (installed by tools/opa/install.mjs into .tools/bin).
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";

export interface OpaRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface AuthoringError {
  code: "opa_missing" | "opa_failed" | "build_failed" | "fixture_invalid" | "bundle_invalid";
  message: string;
  pointer: string;
}

/** WSOPS_OPA_BIN, else .tools/bin/opa in this or a parent directory, else null. */
export function findOpa(from: string = process.cwd()): string | null {
  const fromEnv = process.env.WSOPS_OPA_BIN;
  if (fromEnv) return existsSync(fromEnv) ? fromEnv : null;
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, ".tools/bin/opa");
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return null;
  }
}

export const opaMissing: AuthoringError = {
  code: "opa_missing",
  message: "no OPA binary: run `node tools/opa/install.mjs` (npm run build does) or set WSOPS_OPA_BIN",
  pointer: "",
};

export function runOpa(opa: string, args: string[], input?: string): Promise<OpaRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(opa, args, { stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("error", reject);
    child.on("close", (code) =>
      resolve({
        code,
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
      }),
    );
    child.stdin.end(input ?? "");
  });
}
