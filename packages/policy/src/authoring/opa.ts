// Finding and running OPA: $WSOPS_OPA_BIN, else .tools/bin/opa in this or a parent directory (the
// pinned build of tools/opa/install.mjs), else `opa` on PATH — and checking that it speaks OPA v1.
import { spawn } from "node:child_process";
import { type FoundTool, findTool } from "./find-tool.js";

export interface OpaRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface AuthoringError {
  code:
    | "opa_missing"
    | "opa_unsupported"
    | "opa_failed"
    | "build_failed"
    | "fixture_invalid"
    | "bundle_invalid";
  message: string;
  pointer: string;
}

/** OPA versions the library and the WASM runtime are built and tested with: v1 syntax, ABI 1.2+. */
export const supportedOpa = { major: 1, minMinor: 0 } as const;

export type OpaLocation = FoundTool;

/**
 * $WSOPS_OPA_BIN (which must exist when set), else .tools/bin/opa in `from` or a parent directory,
 * else the first `opa` on PATH; null when there is none. The version is not checked here (see locateOpa).
 */
export function findOpa(from: string = process.cwd()): string | null {
  return findOpaLocation(from)?.path ?? null;
}

export function findOpaLocation(from: string = process.cwd()): OpaLocation | null {
  return findTool({ envVar: "WSOPS_OPA_BIN", tools: "bin/opa", onPath: "opa", from });
}

export const opaMissing: AuthoringError = {
  code: "opa_missing",
  message:
    "no OPA binary: set WSOPS_OPA_BIN, or run `node tools/opa/install.mjs` in the workspace-ops repository (it builds .tools/bin/opa), or put opa v1 on PATH",
  pointer: "",
};

/** The OPA to use, with its version checked: v1.x (OPA v1 syntax and the WASM ABI the runtime needs). */
export async function locateOpa(
  from: string = process.cwd(),
): Promise<{ ok: true; opa: OpaLocation & { version: string } } | { ok: false; error: AuthoringError }> {
  const found = findOpaLocation(from);
  if (!found) {
    const fromEnv = process.env.WSOPS_OPA_BIN;
    return fromEnv
      ? {
          ok: false,
          error: { ...opaMissing, message: `WSOPS_OPA_BIN=${fromEnv} is not an executable file` },
        }
      : { ok: false, error: opaMissing };
  }
  let run: OpaRun;
  try {
    run = await runOpa(found.path, ["version"]);
  } catch (error) {
    return {
      ok: false,
      error: {
        code: "opa_unsupported",
        message: `${found.path} (from ${found.source}) does not run: ${(error as Error).message}`,
        pointer: "",
      },
    };
  }
  const version = /^Version:\s*v?(\d+)\.(\d+)\.(\d+)\S*/m.exec(run.stdout);
  if (run.code !== 0 || !version)
    return {
      ok: false,
      error: {
        code: "opa_unsupported",
        message: `${found.path} (from ${found.source}) is not OPA: \`opa version\` printed no version`,
        pointer: "",
      },
    };
  const [, major, minor] = version.map(Number);
  if (major !== supportedOpa.major || (minor ?? 0) < supportedOpa.minMinor)
    return {
      ok: false,
      error: {
        code: "opa_unsupported",
        message: `${found.path} (from ${found.source}) is OPA ${version[0].replace(/^Version:\s*/, "")}; workspace-ops needs OPA ${supportedOpa.major}.x (v1 syntax)`,
        pointer: "",
      },
    };
  return { ok: true, opa: { ...found, version: version[0].replace(/^Version:\s*v?/, "") } };
}

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
    // opa may exit (`opa version`) before it reads its input: EPIPE then ends nothing but the write.
    child.stdin.on("error", () => {});
    child.stdin.end(input ?? "");
  });
}
