import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { expandPath, type FilesystemRules, filesystemPlan, mountArgs } from "./filesystem-plan.js";

// Outside /tmp: the sandbox replaces /tmp with an empty tmpfs, so rules beneath it start hidden.
let base = "";
beforeEach(() => {
  base = realpathSync(mkdtempSync("/var/tmp/wsops-plan-"));
});
afterEach(() => rmSync(base, { recursive: true, force: true }));

const dir = (...parts: string[]) => {
  const path = join(base, ...parts);
  mkdirSync(path, { recursive: true });
  return path;
};
const file = (...parts: string[]) => {
  const path = join(base, ...parts);
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, "x");
  return path;
};

function rules(more: Partial<FilesystemRules> = {}): FilesystemRules {
  return {
    workspace: dir("home", "src", "app"),
    workspaceAccess: "write",
    defaultDenied: [join(base, "home", ".ssh"), join(base, "home", ".netrc"), join(base, "home", ".aws")],
    protectedPaths: [],
    home: join(base, "home"),
    ...more,
  };
}
const plan = (r: FilesystemRules) => {
  const planned = filesystemPlan(r);
  if (!planned.ok) throw new Error(planned.message);
  return planned.value;
};

describe("filesystemPlan", () => {
  it("hides the default credential stores that exist and binds the workspace writable", () => {
    const ssh = dir("home", ".ssh");
    const netrc = file("home", ".netrc");
    const r = rules();
    expect(plan(r)).toEqual({
      mounts: [
        { path: ssh, action: "hide", isDirectory: true },
        { path: netrc, action: "hide", isDirectory: false },
        { path: r.workspace, action: "bind-rw", isDirectory: true },
      ],
      protectedPaths: [],
    });
  });

  it("lets allowRead re-expose a default entry at the same path, and a denyRead add one", () => {
    dir("home", ".ssh");
    const npmrc = file("home", ".netrc");
    const secrets = dir("srv", "secrets");
    const r = rules({ allowRead: ["~/.netrc"], denyRead: [secrets, ".env"] });
    const env = file("home", "src", "app", ".env");
    expect(plan(r).mounts).toEqual([
      { path: join(base, "home", ".ssh"), action: "hide", isDirectory: true },
      { path: secrets, action: "hide", isDirectory: true },
      { path: r.workspace, action: "bind-rw", isDirectory: true },
      { path: env, action: "hide", isDirectory: false },
    ]);
    expect(plan(r).mounts.some((m) => m.path === npmrc)).toBe(false);
  });

  it("gives the deepest rule the last word: deny a tree, allow a part, deny a part of that", () => {
    const shared = dir("data");
    const pub = dir("data", "pub");
    const key = file("data", "pub", "key.pem");
    const r = rules({ denyRead: [shared, key], allowRead: [pub] });
    expect(plan(r).mounts).toEqual([
      { path: shared, action: "hide", isDirectory: true },
      { path: pub, action: "bind-ro", isDirectory: true },
      { path: r.workspace, action: "bind-rw", isDirectory: true },
      { path: key, action: "hide", isDirectory: false },
    ]);
  });

  it("does not re-expose a deeper deny with a broader allowRead", () => {
    const aws = dir("home", ".aws");
    const r = rules({ allowRead: ["~"] });
    expect(plan(r).mounts).toEqual([
      { path: aws, action: "hide", isDirectory: true },
      { path: r.workspace, action: "bind-rw", isDirectory: true },
    ]);
  });

  it("hides a protected state directory inside the workspace last, whatever allowRead says", () => {
    const r = rules();
    const state = dir("home", "src", "app", ".wsops");
    const planned = plan({ ...r, protectedPaths: [state], allowRead: [state] });
    expect(planned).toEqual({
      mounts: [
        { path: r.workspace, action: "bind-rw", isDirectory: true },
        { path: state, action: "hide", isDirectory: true },
      ],
      protectedPaths: [state],
    });
    expect(mountArgs(planned, "/empty")).toEqual([
      "--bind",
      r.workspace,
      r.workspace,
      "--tmpfs",
      state,
      "--remount-ro",
      state,
    ]);
  });

  it("mounts only the outermost of nested protected paths, and nothing beneath it", () => {
    const root = dir("home", ".local", "state", "wsops");
    const state = dir("home", ".local", "state", "wsops", "app-1234");
    const r = rules({ protectedPaths: [state, root], allowWrite: [state] });
    expect(plan(r)).toEqual({
      mounts: [
        { path: r.workspace, action: "bind-rw", isDirectory: true },
        { path: root, action: "hide", isDirectory: true },
      ],
      protectedPaths: [state, root],
    });
  });

  it("refuses a protected path that contains the workspace", () => {
    const r = rules();
    expect(filesystemPlan({ ...r, protectedPaths: [join(base, "home", "src")] })).toEqual({
      ok: false,
      code: "spec_invalid",
      message: `the protected path ${join(base, "home", "src")} contains the workspace ${r.workspace}: hiding it would hide the workspace; keep the state directory outside the workspace and its parents`,
    });
  });

  it("leaves a read-only workspace as the read-only root shows it and binds allowWrite paths writable", () => {
    const cache = dir("home", ".cache", "npm");
    const r = rules({ workspaceAccess: "read-only", allowWrite: ["~/.cache/npm", "~/missing"] });
    expect(plan(r).mounts).toEqual([{ path: cache, action: "bind-rw", isDirectory: true }]);
  });

  it("hides the real path behind a symlinked credential store", () => {
    const real = dir("vault", "ssh");
    const r = rules();
    symlinkSync(real, join(base, "home", ".ssh"));
    expect(plan(r).mounts).toEqual([
      { path: real, action: "hide", isDirectory: true },
      { path: r.workspace, action: "bind-rw", isDirectory: true },
    ]);
  });

  it("binds a workspace under /tmp (the sandbox's own /tmp is empty) and skips denies there", () => {
    const workspace = realpathSync(mkdtempSync(join(tmpdir(), "wsops-plan-ws-")));
    const state = realpathSync(mkdtempSync(join(tmpdir(), "wsops-plan-state-")));
    try {
      const planned = plan(
        rules({ workspace, workspaceAccess: "read-only", defaultDenied: [state], protectedPaths: [state] }),
      );
      expect(planned.mounts).toEqual([{ path: workspace, action: "bind-ro", isDirectory: true }]);
    } finally {
      rmSync(workspace, { recursive: true });
      rmSync(state, { recursive: true });
    }
  });
});

describe("expandPath", () => {
  it("expands ~ to the home, a relative path under the workspace, keeps an absolute one", () => {
    expect(expandPath("~", "/home/u", "/w")).toBe("/home/u");
    expect(expandPath("~/.aws", "/home/u", "/w")).toBe("/home/u/.aws");
    expect(expandPath(".env", "/home/u", "/w")).toBe("/w/.env");
    expect(expandPath("/etc/app/", "/home/u", "/w")).toBe("/etc/app");
  });
});
