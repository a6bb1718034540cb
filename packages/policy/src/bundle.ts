// A built policy bundle on disk: policy.wasm, data.json and manifest.json with their digests.
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { type PolicyError, policyError } from "./errors.js";

export const bundleFiles = ["policy.wasm", "data.json"] as const;

const manifestSchema = z
  .object({
    /** Content revision: derived from the digests, so the same sources give the same revision. */
    revision: z.string().min(1),
    opaVersion: z.string().min(1),
    entrypoints: z.array(z.string().min(1)).min(1),
    files: z.object({
      "policy.wasm": z.string().regex(/^sha256:[0-9a-f]{64}$/),
      "data.json": z.string().regex(/^sha256:[0-9a-f]{64}$/),
    }),
    /** Digest of the policy sources the bundle was built from, so tools can tell a stale bundle. */
    sourceDigest: z
      .string()
      .regex(/^sha256:[0-9a-f]{64}$/)
      .optional(),
  })
  .strict();

export type BundleManifest = z.infer<typeof manifestSchema>;

export interface Bundle {
  dir: string;
  manifest: BundleManifest;
  wasm: Buffer;
  data: Record<string, unknown>;
}

export const sha256 = (bytes: Buffer | string): string =>
  `sha256:${createHash("sha256").update(bytes).digest("hex")}`;

/** Reads a bundle and proves every file is the one the manifest names. */
export async function loadBundle(
  dir: string,
): Promise<{ ok: true; bundle: Bundle } | { ok: false; error: PolicyError }> {
  const read = async (name: string) => {
    try {
      return await readFile(join(dir, name));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      return policyError(
        "bundle_missing",
        `cannot read ${join(dir, name)}${code === "ENOENT" ? ": no such file" : `: ${code}`}`,
      );
    }
  };
  const manifestBytes = await read("manifest.json");
  if (!Buffer.isBuffer(manifestBytes)) return { ok: false, error: manifestBytes };
  let manifestJson: unknown;
  try {
    manifestJson = JSON.parse(manifestBytes.toString("utf8"));
  } catch {
    return { ok: false, error: policyError("bundle_invalid", `${join(dir, "manifest.json")} is not JSON`) };
  }
  const parsed = manifestSchema.safeParse(manifestJson);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const pointer = issue ? `/${issue.path.join("/")}` : "";
    return {
      ok: false,
      error: policyError(
        "bundle_invalid",
        `${join(dir, "manifest.json")}${pointer}: ${issue?.message}`,
        pointer,
      ),
    };
  }
  const manifest = parsed.data;
  const contents: Partial<Record<(typeof bundleFiles)[number], Buffer>> = {};
  for (const name of bundleFiles) {
    const bytes = await read(name);
    if (!Buffer.isBuffer(bytes)) return { ok: false, error: bytes };
    const digest = sha256(bytes);
    if (digest !== manifest.files[name]) {
      return {
        ok: false,
        error: policyError(
          "bundle_tampered",
          `${join(dir, name)} has digest ${digest}, the manifest says ${manifest.files[name]}: refusing a bundle changed after it was built`,
          `/files/${name}`,
        ),
      };
    }
    contents[name] = bytes;
  }
  let data: unknown;
  try {
    data = JSON.parse((contents["data.json"] as Buffer).toString("utf8"));
  } catch {
    return { ok: false, error: policyError("data_invalid", `${join(dir, "data.json")} is not JSON`) };
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    return {
      ok: false,
      error: policyError("data_invalid", `${join(dir, "data.json")} must hold a JSON object`),
    };
  }
  return {
    ok: true,
    bundle: { dir, manifest, wasm: contents["policy.wasm"] as Buffer, data: data as Record<string, unknown> },
  };
}
