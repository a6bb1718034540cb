// The process backend's limits, as documented: without bubblewrap nothing confines a command's files
// or network. `--sandbox required` (and a profile that names bubblewrap) refuse to run then; `auto`
// falls back to the process backend and every result says isolation "none". The machine without
// bubblewrap is made for real: a private mount namespace where /usr/bin/bwrap is /dev/null.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { ToolExecutionResult } from "@workspace-ops/contracts";
import { afterAll, describe, expect, it } from "vitest";
import {
  ATTACKER,
  grant,
  isRoot,
  type Place,
  place,
  removePlaces,
  repoRoot,
  script,
  useProfile,
} from "./support.js";

afterAll(removePlaces);

const hasUnshare = ["/usr/bin/unshare", "/bin/unshare"].some((path) => existsSync(path));

/** wsops exec on a machine whose bubblewrap does not work. */
function execWithoutBubblewrap(at: Place, sandbox: string, argv: string[]) {
  const run = spawnSync(
    "unshare",
    [
      "--mount",
      "--propagation",
      "private",
      "sh",
      "-c",
      'mount --bind /dev/null /usr/bin/bwrap && exec "$@"',
      "sh",
      process.execPath,
      join(repoRoot, "packages/cli/bin/wsops.js"),
      "exec",
      "--json",
      "--actor",
      ATTACKER,
      "--sandbox",
      sandbox,
      "--",
      ...argv,
    ],
    { cwd: at.workspace, env: at.env, encoding: "utf8" },
  );
  return { code: run.status, result: JSON.parse(run.stdout) as ToolExecutionResult };
}

describe.runIf(isRoot && hasUnshare && existsSync("/usr/bin/bwrap"))("without a working bubblewrap", () => {
  function setUp(backend: string) {
    const at = place();
    useProfile(at, { backend });
    grant(at, "node");
    script(
      at,
      "write.mjs",
      'import { writeFileSync } from "node:fs";\nwriteFileSync("written-by-the-command", "x");\n',
    );
    return at;
  }

  it("--sandbox required refuses to run: unavailable, exit 69, nothing ran", () => {
    const at = setUp("auto");
    const { code, result } = execWithoutBubblewrap(at, "required", ["node", "write.mjs"]);
    expect({
      code,
      outcome: result.outcome,
      reason: result.reasons?.[0]?.code,
      sandbox: result.sandbox,
    }).toEqual({
      code: 69,
      outcome: "unavailable",
      reason: "sandbox_unavailable",
      sandbox: undefined,
    });
    expect(readdirSync(at.workspace)).not.toContain("written-by-the-command");
  });

  it("a profile that names bubblewrap fails closed the same way", () => {
    const at = setUp("bubblewrap");
    const { code, result } = execWithoutBubblewrap(at, "auto", ["node", "write.mjs"]);
    expect({ code, outcome: result.outcome, reason: result.reasons?.[0]?.code }).toEqual({
      code: 69,
      outcome: "unavailable",
      reason: "sandbox_unavailable",
    });
    expect(readdirSync(at.workspace)).not.toContain("written-by-the-command");
  });

  it("--sandbox auto falls back to the process backend, and the result says isolation none", () => {
    const at = setUp("auto");
    const { code, result } = execWithoutBubblewrap(at, "auto", ["node", "write.mjs"]);
    expect({ code, outcome: result.outcome, sandbox: result.sandbox }).toEqual({
      code: 0,
      outcome: "succeeded",
      sandbox: { backend: "process", isolation: "none", network: { requested: "none", access: "host" } },
    });
    expect(readdirSync(at.workspace)).toContain("written-by-the-command");
  });
});
