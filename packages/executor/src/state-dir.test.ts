import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, realpathSync, statSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Executor } from "./executor.js";
import { defaultStateDir, stateRoot, workspaceIdOf } from "./state-dir.js";

const scratch = () => realpathSync(mkdtempSync(join(tmpdir(), "wsops-statedir-")));
const hash12 = (path: string) => createHash("sha256").update(path).digest("hex").slice(0, 12);

describe("defaultStateDir", () => {
  it("is <XDG_STATE_HOME>/wsops/<workspace id>-<hash of the real path>, outside the workspace", () => {
    const base = scratch();
    const workspace = join(base, "my project");
    mkdirSync(workspace);
    const env = { HOME: join(base, "home"), XDG_STATE_HOME: join(base, "state") };
    expect(defaultStateDir(workspace, env)).toBe(
      join(base, "state", "wsops", `my-project-${hash12(workspace)}`),
    );
  });

  it("falls back to $HOME/.local/state when XDG_STATE_HOME is unset, empty or relative", () => {
    const workspace = scratch();
    const expected = join(
      "/home/u",
      ".local/state/wsops",
      `${workspaceIdOf(workspace)}-${hash12(workspace)}`,
    );
    for (const XDG_STATE_HOME of [undefined, "", "relative/state"])
      expect(defaultStateDir(workspace, { HOME: "/home/u", XDG_STATE_HOME })).toBe(expected);
    expect(stateRoot({ HOME: "/home/u" })).toBe("/home/u/.local/state/wsops");
  });

  it("is the same through a symlink and differs for two folders of one name", () => {
    const base = scratch();
    const a = join(base, "a", "app");
    const b = join(base, "b", "app");
    mkdirSync(a, { recursive: true });
    mkdirSync(b, { recursive: true });
    symlinkSync(a, join(base, "link"));
    const env = { XDG_STATE_HOME: join(base, "state") };
    expect(defaultStateDir(join(base, "link"), env)).toBe(defaultStateDir(a, env));
    expect(defaultStateDir(a, env)).not.toBe(defaultStateDir(b, env));
  });

  it("is $WSOPS_STATE_DIR when that is set", () => {
    expect(defaultStateDir("/w", { WSOPS_STATE_DIR: "/srv/state", XDG_STATE_HOME: "/x" })).toBe("/srv/state");
  });

  it("names a folder with nothing usable 'workspace'", () => {
    expect(workspaceIdOf("/tmp/---")).toBe("workspace");
    expect(workspaceIdOf("/tmp/ünïcode dir")).toBe("n-code-dir");
  });
});

describe("Executor.open", () => {
  it("creates the state directory 0700 and writes nothing into the workspace", async () => {
    const workspaceRoot = scratch();
    const stateDir = join(scratch(), "nested", "state");
    const executor = await Executor.open({ workspaceRoot, stateDir, mode: "governed" });
    await executor.close();
    expect(statSync(stateDir).mode & 0o777).toBe(0o700);
    expect(readdirSync(workspaceRoot)).toEqual([]);
  });
});
