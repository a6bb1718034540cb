// Is a built bundle the one the policies/ folder would build now? The build records a digest of the
// sources it loaded (every file OPA loads, tests and hidden files excepted); a different digest today
// means the Rego or data changed since, and decisions from that bundle are not the policy in the folder.
import { createHash } from "node:crypto";
import { readdir, readFile, stat } from "node:fs/promises";
import { join, relative } from "node:path";
import { loadBundle } from "../bundle.js";

const isSource = (name: string) =>
  !name.startsWith(".") && !name.endsWith("_test.rego") && /\.(rego|json|ya?ml)$/.test(name);

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries
      .filter((e) => !e.name.startsWith("."))
      .map((e) =>
        e.isDirectory() ? sourceFiles(join(dir, e.name)) : isSource(e.name) ? [join(dir, e.name)] : [],
      ),
  );
  return nested.flat().sort();
}

/** sha256 over the relative path and content of every source file, in path order. */
export async function policySourceDigest(policiesDir: string): Promise<string> {
  const hash = createHash("sha256");
  for (const file of await sourceFiles(policiesDir)) {
    const content = await readFile(file);
    hash.update(`${relative(policiesDir, file)}\0${content.length}\0`).update(content);
  }
  return `sha256:${hash.digest("hex")}`;
}

/** True when the folder holds Rego: a `policies/` that is something else is not compared. */
export async function holdsRego(dir: string): Promise<boolean> {
  try {
    return (await sourceFiles(dir)).some((f) => f.endsWith(".rego"));
  } catch {
    return false;
  }
}

export type Freshness =
  | { fresh: true }
  | { fresh: false; reason: string }
  /** The bundle cannot be read; loading it will say why. */
  | { fresh: null; reason: string };

/**
 * Compares a bundle with the sources in policiesDir: by the digest the build recorded, or — for a
 * bundle built before digests were recorded — by modification time.
 */
export async function bundleFreshness(bundleDir: string, policiesDir: string): Promise<Freshness> {
  const loaded = await loadBundle(bundleDir);
  if (!loaded.ok) return { fresh: null, reason: loaded.error.message };
  const recorded = loaded.bundle.manifest.sourceDigest;
  if (recorded) {
    const now = await policySourceDigest(policiesDir);
    return now === recorded
      ? { fresh: true }
      : {
          fresh: false,
          reason: `${policiesDir} is not what the bundle ${loaded.bundle.manifest.revision} was built from (sources ${now.slice(0, 19)}…, bundle built from ${recorded.slice(0, 19)}…)`,
        };
  }
  const built = (await stat(join(bundleDir, "manifest.json"))).mtimeMs;
  const files = await sourceFiles(policiesDir);
  const newer: string[] = [];
  for (const file of files) if ((await stat(file)).mtimeMs > built) newer.push(relative(policiesDir, file));
  return newer.length === 0
    ? { fresh: true }
    : {
        fresh: false,
        reason: `${newer.length} file(s) under ${policiesDir} changed after the bundle was built (${newer.slice(0, 3).join(", ")}${newer.length > 3 ? ", …" : ""})`,
      };
}
