// Rego → WebAssembly bundle: policy.wasm, data.json and a manifest with the digests of both.
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { BundleManifest } from "../bundle.js";
import { sha256 } from "../bundle.js";
import { entrypoints } from "../entrypoints.js";
import { policySourceDigest } from "./freshness.js";
import { type AuthoringError, runOpa } from "./opa.js";
import { readTarGz } from "./tar.js";

/**
 * What OPA must not load from policies/: tests, and hidden files and folders (editor and tool
 * config). policies/ holds only the library, so fixtures, input schemas and capabilities live beside it.
 */
export const loadIgnores = ["*_test.rego", ".*"] as const;

/** The builtins the in-process runtime implements, shipped with this package. */
export const defaultCapabilities = fileURLToPath(new URL("../../capabilities.json", import.meta.url));

export interface BuildOptions {
  opa: string;
  /** The policies/ folder: Rego and data.json files only. */
  policiesDir: string;
  outDir: string;
  /** Defaults to the library's entrypoints. */
  entrypoints?: readonly string[];
  /** Defaults to this package's capabilities.json (what the runtime implements). */
  capabilities?: string;
}

export type BuildResult =
  | { ok: true; manifest: BundleManifest; outDir: string }
  | { ok: false; error: AuthoringError };

/**
 * Builds with the capabilities of the runtime, so a policy calling a builtin the runtime lacks fails
 * here and not at evaluation. The output directory is replaced whole, never left half written.
 */
export async function buildBundle(options: BuildOptions): Promise<BuildResult> {
  const { opa, policiesDir, outDir } = options;
  const wanted = options.entrypoints ?? entrypoints;
  const work = await mkdtemp(join(tmpdir(), "wsops-policy-build-"));
  try {
    const archive = join(work, "bundle.tar.gz");
    const run = await runOpa(opa, [
      "build",
      "-t",
      "wasm",
      "--capabilities",
      options.capabilities ?? defaultCapabilities,
      ...wanted.flatMap((e) => ["-e", e]),
      // Only Rego and data.json are the library: not tests, fixtures, capabilities or tool config.
      ...loadIgnores.flatMap((pattern) => ["--ignore", pattern]),
      "-o",
      archive,
      policiesDir,
    ]);
    if (run.code !== 0) {
      return {
        ok: false,
        error: { code: "build_failed", message: `opa build failed:\n${run.stderr.trim()}`, pointer: "" },
      };
    }
    const files = readTarGz(await readFile(archive));
    const wasm = files.get("policy.wasm");
    const data = files.get("data.json") ?? Buffer.from("{}");
    if (!wasm)
      return {
        ok: false,
        error: { code: "build_failed", message: "opa build wrote no policy.wasm", pointer: "" },
      };
    const version = (await runOpa(opa, ["version"])).stdout.match(/^Version: (.+)$/m)?.[1] ?? "unknown";
    const files_ = { "policy.wasm": sha256(wasm), "data.json": sha256(data) };
    const manifest: BundleManifest = {
      revision: sha256(`${files_["policy.wasm"]}\n${files_["data.json"]}`).slice(
        "sha256:".length,
        "sha256:".length + 16,
      ),
      opaVersion: version,
      entrypoints: [...wanted],
      files: files_,
      sourceDigest: await policySourceDigest(policiesDir),
    };
    const staged = join(work, "out");
    await mkdir(staged);
    await writeFile(join(staged, "policy.wasm"), wasm);
    await writeFile(join(staged, "data.json"), data);
    await writeFile(join(staged, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
    const target = resolve(outDir);
    await mkdir(dirname(target), { recursive: true });
    await rm(target, { recursive: true, force: true });
    await rename(staged, target).catch(async (error: NodeJS.ErrnoException) => {
      if (error.code !== "EXDEV") throw error;
      // Another filesystem: copy through a sibling and swap.
      const { cp } = await import("node:fs/promises");
      await cp(staged, `${target}.tmp`, { recursive: true });
      await rename(`${target}.tmp`, target);
    });
    return { ok: true, manifest, outDir: target };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
