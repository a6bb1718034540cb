// The warning `wsops policy eval` and the executor commands print when the policies folder holds Rego
// the bundle was not built from: decisions then come from the bundle, not from what the author edited.
import { bundleFreshness, holdsRego } from "@workspace-ops/policy/authoring";

/**
 * A sentence naming the mismatch, or null when the bundle is the folder's (or there is no Rego folder
 * to compare with). `named`: the user named the folder, so a folder without Rego is worth a word too.
 */
export async function staleBundleWarning(
  bundleDir: string,
  policiesDir: string,
  named = false,
): Promise<string | null> {
  if (!(await holdsRego(policiesDir)))
    return named ? `${policiesDir} holds no Rego to compare the bundle with` : null;
  const freshness = await bundleFreshness(bundleDir, policiesDir);
  return freshness.fresh === false ? `the policy bundle is stale: ${freshness.reason}` : null;
}
