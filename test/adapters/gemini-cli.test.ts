// wsops hook gemini-cli end to end: the real binary on recorded Gemini CLI hook inputs (the shapes of
// google-gemini/gemini-cli docs/hooks/reference.md), for every tool name it governs, in both modes.
import { homedir } from "node:os";
import { describe, expect, it } from "vitest";
import { wsops } from "../cli/run-cli.js";
import { hook, recorded, status, workspace } from "./support.js";

type Expected = { decision: "allow" | "deny"; reason: RegExp } | null;

const allowed = { decision: "allow", reason: /^workspace-ops: allowed \[texec-[0-9a-f-]+\]$/ } as const;
const approval = (what: string) => ({
  decision: "deny" as const,
  reason: new RegExp(
    `^workspace-ops: ${what}\\. Approval apr-[0-9a-f-]+ \\(until [^)]+\\) waits for a person, who approves it with: wsops approve apr-[0-9a-f-]+ --by user:NAME --workspace \\S+ — then retry exactly the same call, which goes through once\\.`,
  ),
});

const governed: Record<string, (ws: { dir: string; outside: string }) => Expected> = {
  "before-run-shell-read-only": () => allowed,
  "before-run-shell-destructive": () =>
    approval("run_shell_command needs approval: rm -rf build is destructive and needs approval"),
  "before-read-file-inside": () => allowed,
  "before-read-file-credential": () => ({
    decision: "deny",
    reason: new RegExp(
      `^workspace-ops denied read_file: read_file ${homedir()}/\\.aws/credentials is hidden from agents`,
    ),
  }),
  "before-write-file-inside": () => allowed,
  "before-write-file-outside": (ws) => ({
    decision: "deny",
    reason: new RegExp(
      `^workspace-ops denied write_file: write_file would write ${ws.outside}/planted\\.sh, outside the workspace`,
    ),
  }),
  "before-replace-inside": () => allowed,
  "before-glob-inside": () => allowed,
  "before-search-inside": () => allowed,
  "before-list-directory-inside": () => allowed,
  "before-read-many-files-inside": () => allowed,
  // Each URL of the prompt is a fetch of its own; without network every one is denied.
  "before-web-fetch": () => ({
    decision: "deny",
    reason:
      /^workspace-ops denied web_fetch: web_fetch https:\/\/docs\.example\.com\/a reaches the network, which the sandbox does not allow; web_fetch https:\/\/blog\.example\.org\/b reaches the network, which the sandbox does not allow \[texec-[0-9a-f-]+, texec-[0-9a-f-]+\]$/,
  }),
  "before-google-web-search": () => ({
    decision: "deny",
    reason:
      /^workspace-ops denied google_web_search: google_web_search opa wasm builtins reaches the network/,
  }),
  "before-mcp-tool": () => ({
    decision: "deny",
    reason:
      /^workspace-ops denied mcp__github__create_issue: agent gemini-cli holds no grant for github\/create_issue/,
  }),
  "before-other-tool": () => null,
};

describe("wsops hook gemini-cli", () => {
  it.each(Object.keys(governed))("governed: %s", (name) => {
    const ws = workspace();
    const ran = hook("gemini-cli", recorded("gemini-cli", name, ws), ws);
    expect({ code: ran.code, stderr: ran.stderr }).toEqual({ code: 0, stderr: "" });
    const expected = governed[name]?.(ws);
    if (!expected) return expect(ran.stdout).toBe("{}\n");
    expect(JSON.parse(ran.stdout)).toEqual({
      decision: expected.decision,
      reason: expect.stringMatching(expected.reason),
    });
  });

  it("observe: every tool gets no opinion ({})", () => {
    const ws = workspace();
    for (const name of Object.keys(governed)) {
      const ran = hook("gemini-cli", recorded("gemini-cli", name, ws), ws, ["--mode", "observe"]);
      expect({ name, ...ran }).toEqual({ name, code: 0, stdout: "{}\n", stderr: "" });
    }
  });

  it("finds the call an AfterTool reports by its digest (Gemini gives calls no id), and records it", () => {
    const ws = workspace();
    const before = hook("gemini-cli", recorded("gemini-cli", "before-read-file-inside", ws), ws);
    const id = /\[(texec-[0-9a-f-]+)\]/.exec(JSON.parse(before.stdout).reason)?.[1] as string;
    expect(status(id, ws).state).toBe("running");
    const after = hook("gemini-cli", recorded("gemini-cli", "after-read-file-inside", ws), ws);
    expect(after).toEqual({ code: 0, stdout: "{}\n", stderr: "" });
    expect(status(id, ws)).toMatchObject({
      state: "succeeded",
      result: { outcome: "succeeded", exitCode: 0 },
    });
    // A second report finds no running call: said on stderr, never blocking.
    const again = hook("gemini-cli", recorded("gemini-cli", "after-read-file-inside", ws), ws);
    expect(again).toEqual({
      code: 0,
      stdout: "{}\n",
      stderr:
        "wsops hook gemini-cli: no running call of this session is that call (was the before-tool hook configured?)\n",
    });
  });

  it("fails closed on malformed input and a missing bundle when governed", () => {
    const ws = workspace();
    const malformed = hook("gemini-cli", "{", ws);
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toMatch(/^wsops hook gemini-cli: malformed hook input: not JSON/);
    const noUrl = {
      ...recorded("gemini-cli", "before-web-fetch", ws),
      tool_input: { prompt: "summarize it" },
    };
    expect(hook("gemini-cli", noUrl, ws).stderr).toBe(
      "wsops hook gemini-cli: malformed hook input: web_fetch: tool_input.prompt names no http(s) URL\n",
    );
    const bundle = hook("gemini-cli", recorded("gemini-cli", "before-read-file-inside", ws), ws, [
      "--bundle",
      "/nonexistent/bundle",
    ]);
    expect(bundle.code).toBe(2);
    expect(bundle.stderr).toMatch(/^wsops hook gemini-cli: no decision for read_file: /);
  });

  it("approval, then the retry goes through once", () => {
    const ws = workspace();
    const input = recorded("gemini-cli", "before-run-shell-destructive", ws);
    const first = JSON.parse(hook("gemini-cli", input, ws).stdout) as { decision: string; reason: string };
    const apr = /Approval (apr-[0-9a-f-]+)/.exec(first.reason)?.[1] as string;
    expect(wsops(["approve", apr, "--by", "user:alice"], { cwd: ws.dir })).toMatchObject({ code: 0 });
    const retry = JSON.parse(hook("gemini-cli", input, ws).stdout) as { decision: string; reason: string };
    expect(retry).toEqual({
      decision: "allow",
      reason: expect.stringMatching(new RegExp(`^workspace-ops: allowed, approval ${apr} used`)),
    });
    expect(JSON.parse(hook("gemini-cli", input, ws).stdout).decision).toBe("deny");
  });
});
