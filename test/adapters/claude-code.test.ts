// wsops hook claude-code end to end: the real binary on recorded Claude Code hook inputs (the shapes
// of code.claude.com/docs/en/hooks), for every tool name it governs, in governed and observe mode.
import { mkdtempSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { wsops } from "../cli/run-cli.js";
import { hook, recorded, status, workspace, writeProfileOperation } from "./support.js";

type Expected = { decision: "allow" | "deny" | "ask"; reason: RegExp } | null;

const approval = (what: string) =>
  new RegExp(
    `^workspace-ops: ${what}\\. Approval apr-[0-9a-f-]+ \\(until [^)]+\\) waits for a person, who approves it with: wsops approve apr-[0-9a-f-]+ --by user:NAME --workspace \\S+ — then retry exactly the same call, which goes through once\\. \\[texec-toolu_\\w+\\]$`,
  );

/** What the governed hook answers each recorded PreToolUse input (no profile: the default sandbox). */
const governed: Record<string, (ws: { dir: string; outside: string }) => Expected> = {
  "pre-bash-read-only": () => ({ decision: "allow", reason: /^workspace-ops: allowed \[texec-toolu_\w+\]$/ }),
  "pre-bash-destructive": () => ({
    decision: "deny",
    reason: approval("Bash needs approval: rm -rf build is destructive and needs approval"),
  }),
  "pre-read-inside": () => ({ decision: "allow", reason: /^workspace-ops: allowed \[texec-toolu_\w+\]$/ }),
  "pre-read-credential": () => ({
    decision: "deny",
    reason: new RegExp(
      `^workspace-ops denied Read: Read ${homedir()}/\\.ssh/id_ed25519 is hidden from agents \\(a credential store or a profile's denyRead\\) \\[texec-toolu_\\w+\\]$`,
    ),
  }),
  "pre-write-inside": () => ({ decision: "allow", reason: /^workspace-ops: allowed/ }),
  "pre-write-outside": (ws) => ({
    decision: "deny",
    reason: new RegExp(
      `^workspace-ops denied Write: Write would write ${ws.outside}/planted\\.sh, outside the workspace`,
    ),
  }),
  "pre-edit-inside": () => ({ decision: "allow", reason: /^workspace-ops: allowed/ }),
  "pre-multiedit-inside": () => ({ decision: "allow", reason: /^workspace-ops: allowed/ }),
  "pre-notebookedit-inside": () => ({ decision: "allow", reason: /^workspace-ops: allowed/ }),
  "pre-glob-inside": () => ({ decision: "allow", reason: /^workspace-ops: allowed/ }),
  "pre-glob-outside": (ws) => ({
    decision: "deny",
    reason: approval(
      `Glob needs approval: Glob would read ${join(ws.dir, "..", "etc")}, outside the workspace ${ws.dir}`,
    ),
  }),
  "pre-grep-inside": () => ({ decision: "allow", reason: /^workspace-ops: allowed/ }),
  "pre-webfetch": () => ({
    decision: "deny",
    reason:
      /^workspace-ops denied WebFetch: WebFetch https:\/\/docs\.example\.com\/guide reaches the network, which the sandbox does not allow \[/,
  }),
  "pre-websearch": () => ({
    decision: "deny",
    reason:
      /^workspace-ops denied WebSearch: WebSearch opa wasm builtins reaches the network, which the sandbox does not allow \[/,
  }),
  "pre-mcp-tool": () => ({
    decision: "deny",
    reason:
      /^workspace-ops denied mcp__github__create_issue: agent claude-code holds no grant for github\/create_issue \[/,
  }),
  "pre-todowrite": () => null,
};

const output = (stdout: string) =>
  stdout === ""
    ? null
    : (
        JSON.parse(stdout) as {
          hookSpecificOutput: {
            hookEventName: string;
            permissionDecision: string;
            permissionDecisionReason: string;
          };
        }
      ).hookSpecificOutput;

describe("wsops hook claude-code", () => {
  it.each(Object.keys(governed))("governed: %s", (name) => {
    const ws = workspace();
    const ran = hook("claude-code", recorded("claude-code", name, ws), ws);
    expect({ code: ran.code, stderr: ran.stderr }).toEqual({ code: 0, stderr: "" });
    const expected = governed[name]?.(ws);
    const answer = output(ran.stdout);
    if (!expected) return expect(answer).toBeNull();
    expect(answer).toEqual({
      hookEventName: "PreToolUse",
      permissionDecision: expected.decision,
      permissionDecisionReason: expect.stringMatching(expected.reason),
    });
  });

  it("observe: every tool gets no opinion, and each decision is recorded", () => {
    const ws = workspace();
    for (const name of Object.keys(governed)) {
      const input = recorded("claude-code", name, ws);
      const ran = hook("claude-code", input, ws, ["--mode", "observe"]);
      expect({ name, ...ran }).toEqual({ name, code: 0, stdout: "", stderr: "" });
      if (name === "pre-todowrite") continue;
      // The call is handed to the runtime whatever the policy decided; the decision is recorded.
      const answer = governed[name]?.(ws);
      const decided =
        answer?.decision === "allow"
          ? "allow"
          : answer?.reason.source.includes("Approval")
            ? "approval_required"
            : "deny";
      expect(status(`texec-${input.tool_use_id}`, ws)).toMatchObject({
        state: "running",
        decision: { decision: decided },
      });
    }
  });

  it("records how a tool ended (PostToolUse), its output redacted", () => {
    const ws = workspace();
    expect(
      output(hook("claude-code", recorded("claude-code", "pre-read-inside", ws), ws).stdout),
    ).toMatchObject({
      permissionDecision: "allow",
    });
    const ran = hook("claude-code", recorded("claude-code", "post-read-inside", ws), ws);
    expect(ran).toEqual({ code: 0, stdout: "", stderr: "" });
    const call = status("texec-toolu_0102readinside", ws);
    expect(call.state).toBe("succeeded");
    expect(call.result).toMatchObject({ outcome: "succeeded", exitCode: 0 });
    const preview = (call.result as { output: { stdout: { preview: string } } }).output.stdout.preview;
    expect(preview).toContain("[REDACTED:github-token]");
    expect(preview).not.toContain("ghp_");
  });

  it("fails closed on malformed input when governed (exit 2, one line), and not in observe mode", () => {
    const ws = workspace();
    const bad = [
      ["not json", /^wsops hook claude-code: malformed hook input: not JSON \(.+\)\n$/],
      [JSON.stringify({ hook_event_name: "PreToolUse" }), /needs session_id \(a non-empty string\)\n$/],
      [
        JSON.stringify({ ...recorded("claude-code", "pre-read-inside", ws), tool_input: { file_path: 42 } }),
        /malformed hook input: Read: tool_input\.file_path must be a non-empty string\n$/,
      ],
      [
        JSON.stringify({ ...recorded("claude-code", "pre-read-inside", ws), tool_use_id: undefined }),
        /needs tool_use_id/,
      ],
    ] as const;
    for (const [input, message] of bad) {
      const ran = hook("claude-code", input, ws);
      expect(ran.code).toBe(2);
      expect(ran.stdout).toBe("");
      expect(ran.stderr).toMatch(message);
      expect(ran.stderr.trimEnd().split("\n")).toHaveLength(1);
      expect(hook("claude-code", input, ws, ["--mode", "observe"])).toMatchObject({ code: 0, stdout: "" });
    }
  });

  it("fails closed without a policy bundle when governed, and records the failure in observe mode", () => {
    const ws = workspace();
    const missing = join(mkdtempSync(join(tmpdir(), "wsops-no-bundle-")), "bundle");
    const input = recorded("claude-code", "pre-read-inside", ws);
    const ran = hook("claude-code", input, ws, ["--bundle", missing]);
    expect(ran.code).toBe(2);
    expect(ran.stdout).toBe("");
    expect(ran.stderr).toMatch(
      /^wsops hook claude-code: no decision for Read: .*bundle.* \[texec-toolu_\w+\]\n$/,
    );
    expect(status(`texec-${input.tool_use_id}`, ws).state).toBe("unavailable");
    const observed = { ...input, tool_use_id: "toolu_observed_no_bundle" };
    expect(hook("claude-code", observed, ws, ["--bundle", missing, "--mode", "observe"])).toEqual({
      code: 0,
      stdout: "",
      stderr: "",
    });
    expect(status("texec-toolu_observed_no_bundle", ws).state).toBe("running");
  });

  it("approval, then the agent's retry goes through once, and the approved call ends with it", () => {
    const ws = workspace();
    const first = recorded("claude-code", "pre-bash-destructive", ws);
    const asked = output(hook("claude-code", first, ws).stdout);
    const apr = /Approval (apr-[0-9a-f-]+)/.exec(asked?.permissionDecisionReason ?? "")?.[1] as string;
    expect(apr).toMatch(/^apr-/);
    // The command the reason names works as written (with the user filled in).
    const command = (/approves it with: (wsops approve \S+ --by user:NAME --workspace \S+)/.exec(
      asked?.permissionDecisionReason ?? "",
    )?.[1] ?? "") as string;
    const approve = command.replace("user:NAME", "user:alice").split(" ").slice(1);
    expect(wsops(approve, { cwd: tmpdir() })).toMatchObject({ code: 0 });

    const retry = { ...first, tool_use_id: "toolu_retry_1" };
    expect(output(hook("claude-code", retry, ws).stdout)).toEqual({
      hookEventName: "PreToolUse",
      permissionDecision: "allow",
      permissionDecisionReason: `workspace-ops: allowed, approval ${apr} used (it was for this exact call) [texec-toolu_retry_1]`,
    });
    const post = {
      ...retry,
      hook_event_name: "PostToolUse",
      tool_response: { stdout: "", stderr: "", interrupted: false },
    };
    expect(hook("claude-code", post, ws)).toEqual({ code: 0, stdout: "", stderr: "" });
    expect(status("texec-toolu_retry_1", ws).state).toBe("succeeded");
    expect(status(apr, ws)).toMatchObject({ state: "succeeded", result: { outcome: "succeeded" } });

    const again = { ...first, tool_use_id: "toolu_retry_2" };
    const answer = output(hook("claude-code", again, ws).stdout);
    expect(answer?.permissionDecision).toBe("deny");
    expect(answer?.permissionDecisionReason).not.toContain(apr);
  });

  it("answers ask when the profile leaves approvals to Claude Code's own prompt", () => {
    const ws = workspace();
    const profile = join(ws.outside, "profile-op.json");
    writeProfileOperation(profile, ws.dir, { approvalPrompt: "runtime" });
    expect(wsops(["submit", profile], { cwd: ws.dir })).toMatchObject({ code: 0 });
    const answer = output(
      hook("claude-code", recorded("claude-code", "pre-bash-destructive", ws), ws).stdout,
    );
    expect(answer).toEqual({
      hookEventName: "PreToolUse",
      permissionDecision: "ask",
      permissionDecisionReason: expect.stringMatching(
        /^workspace-ops: Bash needs a person's approval: rm -rf build is destructive and needs approval \[texec-toolu_\w+\]$/,
      ),
    });
    expect(JSON.parse(wsops(["approvals", "--json"], { cwd: ws.dir }).stdout)).toEqual([]);
  });
});
